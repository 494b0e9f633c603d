// Quiz builder: up/down buttons that move a question and renumber the position boxes. Saving is the plain
// form's job; without this script teachers type the positions themselves.
(function () {
  "use strict";
  var body = document.querySelector("[data-sortable]");
  if (!body) return;

  function renumber() {
    body.querySelectorAll("[data-row]").forEach(function (row, index) {
      var input = row.querySelector("[data-position]");
      if (input) input.value = index + 1;
    });
  }

  body.querySelectorAll("[data-row]").forEach(function (row) {
    var cell = row.querySelector(".position-cell");
    var input = row.querySelector("[data-position]");
    if (!cell || !input || input.disabled) return;
    [["↑", "Move up", -1], ["↓", "Move down", 1]].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-small";
      button.textContent = spec[0];
      button.setAttribute("aria-label", spec[1]);
      button.addEventListener("click", function () {
        var sibling = spec[2] < 0 ? row.previousElementSibling : row.nextElementSibling;
        if (!sibling) return;
        if (spec[2] < 0) body.insertBefore(row, sibling);
        else body.insertBefore(sibling, row);
        renumber();
        button.focus();
      });
      cell.appendChild(button);
    });
  });
})();
