// The menu button of narrow screens: a real button (Tab, Enter/Space, read as "Menu, collapsed/expanded") that
// opens and closes the site menu; Escape closes it and returns to the button. Without this script the button
// stays hidden and the menu open (app.css collapses the menu only while the button is shown).
(function () {
  "use strict";
  var button = document.querySelector(".nav-toggle");
  var menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!menu) return;

  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  [button, menu].forEach(function (el) {
    el.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") return;
      setOpen(false);
      button.focus();
    });
  });
})();
