// The printable report's "Print" button (no inline handlers, so a strict CSP can forbid inline script).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
