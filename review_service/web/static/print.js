// The 打印 button of a document's print page (a file, as the CSP allows scripts only from 'self').
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
  // the paper copy carries the 校验信息 the screen keeps folded
  const folded = [...document.querySelectorAll("details[data-print-open]")];
  window.addEventListener("beforeprint", () => { for (const el of folded) { el.dataset.wasOpen = el.open; el.open = true; } });
  window.addEventListener("afterprint", () => { for (const el of folded) { el.open = el.dataset.wasOpen === "true"; } });
});
