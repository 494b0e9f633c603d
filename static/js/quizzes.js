// Question bank and quiz pages: confirmation before destructive buttons, and a question form that shows only
// the fields of the chosen type. Everything works without this script (all fields are shown, no confirmation).
(function () {
  "use strict";

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  var typeSelect = document.querySelector("[data-question-type]");
  if (!typeSelect) return;
  var typed = Array.prototype.slice.call(document.querySelectorAll("[data-types]"));

  function sync() {
    var type = typeSelect.value;
    typed.forEach(function (input) {
      var field = input.closest(".field");
      if (!field) return;
      var show = input.getAttribute("data-types").split(" ").indexOf(type) !== -1;
      field.hidden = !show;
    });
  }
  typeSelect.addEventListener("change", sync);
  sync();
})();
