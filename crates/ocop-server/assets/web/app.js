// ocop pages: small progressive enhancements; every page works without this file.
"use strict";
(function () {
  // Ask before a step that cannot be undone (forms marked data-confirm).
  document.addEventListener("submit", function (ev) {
    const form = ev.target;
    const question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) ev.preventDefault();
  });
  // A button pressed twice sends one command (the form's idempotency key would make the
  // second a replay anyway); keep the value of the button that was pressed.
  document.addEventListener("submit", function (ev) {
    if (ev.defaultPrevented) return;
    const form = ev.target;
    if (form.getAttribute("method") !== "post" || form.id === "score") return;
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
  // The cycle graph is wider than any screen: show its current state, not its empty corner.
  document.querySelectorAll(".graph").forEach(function (box) {
    const cur = box.querySelector(".current");
    if (!cur || !cur.getBoundingClientRect) return;
    const b = box.getBoundingClientRect();
    const c = cur.getBoundingClientRect();
    box.scrollLeft += c.left + c.width / 2 - (b.left + box.clientWidth / 2);
    box.scrollTop += c.top + c.height / 2 - (b.top + box.clientHeight / 2);
  });
  // Move focus to an error summary so keyboard and screen-reader users land on it.
  const err = document.getElementById("form-error");
  if (err) err.focus();
})();
