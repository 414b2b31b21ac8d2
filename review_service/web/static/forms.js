/* Long forms (forms.css): textareas that grow with their text, the files chosen for one upload listed.
   Progressive enhancement only: without this script every field works as plain HTML. */
(function () {
  "use strict";

  // Chromium ≥ 123 grows textarea.grow by CSS (field-sizing); elsewhere the height follows the text here.
  var cssGrows = window.CSS && CSS.supports && CSS.supports("field-sizing", "content");

  function grow(area) {
    if (cssGrows) return;
    area.style.height = "auto";
    area.style.height = area.scrollHeight + 2 + "px";
  }

  function listFiles(input) {
    var list = input.parentNode.querySelector(".file-list");
    if (!list) {
      list = document.createElement("ul");
      list.className = "file-list";
      input.parentNode.appendChild(list);
    }
    list.textContent = "";
    Array.prototype.forEach.call(input.files || [], function (file) {
      var item = document.createElement("li");
      item.textContent = file.name;
      list.appendChild(item);
    });
    var none = input.parentNode.querySelector(".file-none");
    if (none) none.hidden = (input.files || []).length > 0;
  }

  // The browser's own file button speaks the browser's language (often "Choose Files"): a 选择文件 button
  // in front of it, the native input kept in the form (visually hidden) and the chosen names listed below.
  function dressFile(input) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "file-button";
    button.textContent = "选择文件";
    button.addEventListener("click", function () { input.click(); });
    var none = document.createElement("span");
    none.className = "file-none hint";
    none.textContent = "未选择文件";
    input.classList.add("file-native");
    input.tabIndex = -1;
    input.parentNode.insertBefore(none, input.nextSibling);
    input.parentNode.insertBefore(button, none);
    listFiles(input);
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea.grow")) grow(event.target);
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[type=file][multiple]")) listFiles(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea.grow").forEach(grow);
    document.querySelectorAll("input[type=file][multiple]").forEach(dressFile);
  });
  window.reviewForms = {grow: grow};
})();
