// Keyboard navigation on the grading page: j / k move between answers (focusing the marks box),
// Ctrl+Enter saves and opens the next attempt, Ctrl+s saves. Typing in a box is never hijacked by j / k.
(function () {
  "use strict";
  var form = document.getElementById("grade-form");
  if (!form) return;
  var cards = Array.prototype.slice.call(form.querySelectorAll("[data-answer]"));
  var current = 0;
  function focusCard(i) {
    if (!cards.length) return;
    current = Math.max(0, Math.min(cards.length - 1, i));
    cards.forEach(function (c, n) { c.classList.toggle("current", n === current); });
    var input = cards[current].querySelector(".marks-input");
    cards[current].scrollIntoView({ block: "start", behavior: "smooth" });
    if (input) input.focus({ preventScroll: true });
  }
  form.addEventListener("focusin", function (e) {
    var card = e.target.closest("[data-answer]");
    if (card) current = cards.indexOf(card);
  });
  function submitWith(name) {
    var button = form.querySelector("button[name=" + name + "]");
    if (button) { if (form.requestSubmit) form.requestSubmit(button); else button.click(); }
  }
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); submitWith("save_next"); return; }
    if ((e.ctrlKey || e.metaKey) && (e.key === "s" || e.key === "S")) { e.preventDefault(); submitWith("save"); return; }
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement && document.activeElement.tagName);
    if (e.key === "Escape" && typing) { document.activeElement.blur(); return; }
    if (typing || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === "j") { e.preventDefault(); focusCard(current + 1); }
    else if (e.key === "k") { e.preventDefault(); focusCard(current - 1); }
    else if (e.key === "n") { var next = document.getElementById("next-attempt"); if (next) location.href = next.href; }
  });
  // Enter inside a marks box jumps to the next answer instead of submitting the form.
  form.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.ctrlKey && !e.metaKey && e.target.classList.contains("marks-input")) {
      e.preventDefault();
      focusCard(cards.indexOf(e.target.closest("[data-answer]")) + 1);
    }
  });
  var firstPending = form.querySelector(".needs-marks");
  focusCard(firstPending ? cards.indexOf(firstPending) : 0);
})();
