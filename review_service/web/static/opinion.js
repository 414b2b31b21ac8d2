/* The ten-point opinion form (review/opinion.html): an hour of a reviewer's work must not be lost.

   - 暂存 saves to the server without leaving the page (the button posts the form plainly without JS);
   - a warning a few minutes before the idle session lapses, offering 暂存 or a longer session;
   - a copy in this tab's sessionStorage, offered back after a lapsed login (never in localStorage: an
     office computer is shared, and the tab's storage ends with the tab);
   - 依据/修改要求 shown for 存在问题, 理由 for 不适用 (and whenever they hold text or an error);
   - 其余各项无问题 fills the untouched points with the standard wording at once;
   - 选用 puts a suggested wording (参考表述) into its point's opinion.
   Without this script the form shows every field and each button posts to the server. */
(function () {
  "use strict";

  var form = document.querySelector("form.opinion-form");
  if (!form) return;
  var status = document.getElementById("draft-status");
  var warning = document.getElementById("session-warning");
  var expired = document.getElementById("session-expired");
  var offer = document.getElementById("restore-offer");
  var idle = parseInt(form.dataset.idleSeconds || "1800", 10) * 1000;
  var warnBefore = Math.min(5 * 60 * 1000, idle / 6);  // 5 minutes before a 30-minute timeout
  var backupKey = form.dataset.backupKey;
  var lastContact = Date.now();  // the page's own request started the idle time
  var dirty = false;  // changed since the last 暂存
  var autoSaved = false;

  function say(text) { if (status) status.textContent = text; }
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function clock(ms) { var d = new Date(ms); return two(d.getHours()) + ":" + two(d.getMinutes()); }
  function csrf() { var input = form.querySelector("input[name=csrf_token]"); return input ? input.value : ""; }

  /* ---- optional fields ---- */
  function hasText(box) {
    return Array.prototype.some.call(box.querySelectorAll("textarea,input[type=text]"), function (f) {
      return f.value.trim() !== "";
    }) || box.querySelector(".has-error") !== null;
  }
  function finding(point) {
    var checked = point.querySelector("input[type=radio]:checked");
    return checked ? checked.value : "";
  }
  function showRelevant(point) {
    var value = finding(point);
    point.querySelectorAll(".optional[data-when]").forEach(function (box) {
      box.hidden = !(box.dataset.when === value || hasText(box));
    });
    point.classList.toggle("problem", value === "problem");
  }
  var points = Array.prototype.slice.call(form.querySelectorAll("fieldset.point[data-point]"));
  points.forEach(showRelevant);
  form.addEventListener("change", function (event) {
    var point = event.target.closest && event.target.closest("fieldset.point");
    if (point) showRelevant(point);
  });

  // Enter in a radio would press the form's first button (其余各项无问题): on this long form it does nothing
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.tagName === "INPUT") event.preventDefault();
  });

  /* ---- 其余各项无问题 ---- */
  function untouched(point) {
    return !finding(point) && !Array.prototype.some.call(point.querySelectorAll("textarea"), function (f) {
      return f.value.trim() !== "";
    });
  }
  var fill = form.querySelector("[data-fill-rest]");
  if (fill) fill.addEventListener("click", function (event) {
    event.preventDefault();
    var count = 0;
    points.forEach(function (point) {
      if (!untouched(point)) return;
      var ok = point.querySelector("input[type=radio][value=ok]");
      var text = point.querySelector("textarea[name$='-opinion']");
      if (!ok || !text) return;
      ok.checked = true;
      text.value = point.dataset.standard || "";
      if (window.reviewForms) window.reviewForms.grow(text);
      showRelevant(point);
      count += 1;
    });
    changed();
    say(count ? "已为 " + count + " 个未填写的要点填入“无问题”及规范表述，请核对后再提交。"
              : "没有未填写的要点。");
  });

  /* ---- the copy in this tab ---- */
  function values() {
    var out = {};
    form.querySelectorAll("textarea").forEach(function (f) { out[f.name] = f.value; });
    form.querySelectorAll("input[type=radio]:checked").forEach(function (f) { out[f.name] = f.value; });
    return out;
  }
  function apply(saved) {
    form.querySelectorAll("input[type=radio]").forEach(function (f) {
      if (Object.prototype.hasOwnProperty.call(saved, f.name)) f.checked = saved[f.name] === f.value;
    });
    form.querySelectorAll("textarea").forEach(function (f) {
      if (Object.prototype.hasOwnProperty.call(saved, f.name)) f.value = saved[f.name];
      if (window.reviewForms) window.reviewForms.grow(f);
    });
    points.forEach(showRelevant);
  }
  function same(a, b) {
    var keys = Object.keys(a).concat(Object.keys(b));
    return keys.every(function (k) { return (a[k] || "") === (b[k] || ""); });
  }
  function store() {
    try { sessionStorage.setItem(backupKey, JSON.stringify({at: Date.now(), values: values()})); } catch (e) { /* full */ }
  }
  function forget() { try { sessionStorage.removeItem(backupKey); } catch (e) { /* unavailable */ } }
  var storeTimer = null;
  function changed() {
    dirty = true;
    clearTimeout(storeTimer);
    storeTimer = setTimeout(store, 600);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  var backup = null;
  try { backup = JSON.parse(sessionStorage.getItem(backupKey) || "null"); } catch (e) { backup = null; }
  if (backup && backup.values && offer) {
    if (same(backup.values, values())) {
      forget();
    } else {
      var d = new Date(backup.at);
      offer.querySelector("[data-backup-at]").textContent =
        " " + d.getFullYear() + "年" + (d.getMonth() + 1) + "月" + d.getDate() + "日 " + clock(backup.at) + " ";
      offer.hidden = false;
      offer.addEventListener("click", function (event) {
        var answer = event.target.dataset && event.target.dataset.restore;
        if (!answer) return;
        if (answer === "yes") { apply(backup.values); changed(); say("已恢复本窗口中的内容，请点“暂存”保存到服务器。"); }
        else forget();
        offer.hidden = true;
      });
    }
  }

  /* ---- 暂存 and the session ---- */
  var gone = false;
  function lapsed() {
    gone = true;
    store();
    if (warning) warning.hidden = true;
    if (expired) expired.hidden = false;
  }
  function post(url, body) {
    return fetch(url, {method: "POST", body: body, credentials: "same-origin",
                       headers: {"X-Requested-With": "fetch", "X-CSRFToken": csrf(), "Accept": "application/json"}})
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (response.redirected || (!json && response.status < 500)) { lapsed(); throw new Error("lapsed"); }
        return response.json().then(function (data) { return {ok: response.ok, data: data}; });
      });
  }
  function touched() {
    lastContact = Date.now();
    gone = false;
    autoSaved = false;
    if (expired) expired.hidden = true;
    if (warning) warning.hidden = true;
  }
  function save(quiet) {
    var body = new FormData(form);
    body.set("action", "save");
    var before = JSON.stringify(values());
    return post(window.location.pathname, body).then(function (result) {
      if (!result.ok) { say(result.data.message || "暂存未成功，请稍后重试。"); return; }
      touched();
      if (JSON.stringify(values()) === before) { dirty = false; forget(); }
      say(quiet ? "已自动暂存（" + result.data.saved_at + "），登录已延长。" : result.data.message);
    }).catch(function (error) {
      if (error.message !== "lapsed") say("暂存未成功（网络连接中断），内容仍保留在本页，请稍后再点“暂存”。");
    });
  }
  var saveButton = form.querySelector("[data-save]");
  if (saveButton) saveButton.addEventListener("click", function (event) { event.preventDefault(); save(false); });
  if (warning) warning.addEventListener("click", function (event) {
    var what = event.target.dataset && event.target.dataset.session;
    if (what === "save") save(false);
    if (what === "extend") {
      post(form.dataset.keepaliveUrl, new FormData()).then(function (result) {
        if (result.ok) { touched(); say("登录已延长，可继续填写。"); }
      }).catch(function () { /* lapsed() has said it */ });
    }
  });
  form.addEventListener("submit", store);  // if the login has lapsed, the copy is offered back after logging in

  function tick() {
    if (gone) return;
    var quiet = Date.now() - lastContact;
    if (quiet >= idle) { lapsed(); return; }
    if (quiet >= idle - warnBefore && warning && warning.hidden) {
      warning.querySelector("[data-expires-at]").textContent = " " + clock(lastContact + idle) + " ";
      warning.hidden = false;
    }
    // unattended with unsaved work shortly before the end: keep it on the server (once per lapse)
    if (quiet >= idle - 60 * 1000 && dirty && !autoSaved) { autoSaved = true; save(true); }
  }
  setInterval(tick, 10 * 1000);

  /* ---- 参考表述: the reviewer chooses a wording; it goes into the point's opinion (appended to what is there) ---- */
  form.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-insert]") : null;
    if (!button) return;
    event.preventDefault();
    var point = button.closest("fieldset.point");
    var box = point ? point.querySelector("textarea[name$='-opinion']") : null;
    if (!box) return;
    var text = button.getAttribute("data-insert");
    box.value = box.value.trim() ? box.value.replace(/\s+$/, "") + "\n" + text : text;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
  });

  // on a narrow screen the draft and the materials start folded above the points
  if (window.matchMedia && window.matchMedia("(max-width: 1099px)").matches) {
    form.querySelectorAll("details.source, details.assist-part").forEach(function (d) { d.open = false; });
  }
})();
