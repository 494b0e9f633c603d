// Keyboard navigation on the grading page.
//   j / k (or Alt+↓ / Alt+↑ anywhere): next / previous answer, focusing its marks box
//   Enter in a marks box: next answer          Ctrl+Enter: save and open the next attempt
//   Ctrl+s: save                               n: skip to the next attempt          Esc: leave a text box
// Letters never reach a number box, so j / k work there too; in a feedback box they are typed as text.
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
    cards[current].scrollIntoView({ block: "start" });
    if (input) input.focus({ preventScroll: true }); else cards[current].focus({ preventScroll: true });
  }
  form.addEventListener("focusin", function (e) {
    var card = e.target.closest("[data-answer]");
    if (card) {
      current = cards.indexOf(card);
      cards.forEach(function (c, n) { c.classList.toggle("current", n === current); });
    }
  });
  function submitWith(name) {
    var button = form.querySelector("button[name=" + name + "]");
    if (button) { if (form.requestSubmit) form.requestSubmit(button); else button.click(); }
  }
  document.addEventListener("keydown", function (e) {
    var target = document.activeElement || document.body;
    var inMarks = target.classList && target.classList.contains("marks-input");
    var inText = !inMarks && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); submitWith("save_next"); return; }
    if ((e.ctrlKey || e.metaKey) && (e.key === "s" || e.key === "S")) { e.preventDefault(); submitWith("save"); return; }
    if (e.altKey && e.key === "ArrowDown") { e.preventDefault(); focusCard(current + 1); return; }
    if (e.altKey && e.key === "ArrowUp") { e.preventDefault(); focusCard(current - 1); return; }
    if (e.key === "Escape" && (inText || inMarks)) { target.blur(); return; }
    if (inMarks && e.key === "Enter") { e.preventDefault(); focusCard(current + 1); return; }
    if (inText || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === "j") { e.preventDefault(); focusCard(current + 1); }
    else if (e.key === "k") { e.preventDefault(); focusCard(current - 1); }
    else if (e.key === "n" && !inMarks) {
      var next = document.getElementById("next-attempt");
      if (next) location.href = next.href;
    }
  });
  var firstPending = form.querySelector(".needs-marks");
  focusCard(firstPending ? cards.indexOf(firstPending) : 0);
})();
