/* Math in a teacher's text: the server already sent MathML (quizsite/richtext.py), readable without this script;
 * with it, the vendored KaTeX (static/vendor/katex) typesets each formula from its data-tex. KaTeX's defaults
 * (trust: false) refuse \href, \url and HTML extensions, so a formula can never become a link or markup. */
(function () {
  "use strict";
  function typeset(root) {
    if (!window.katex) return;
    (root || document).querySelectorAll(".math[data-tex]:not([data-typeset])").forEach(function (el) {
      try {
        window.katex.render(el.getAttribute("data-tex"), el, {
          displayMode: el.classList.contains("math-display"), throwOnError: false, trust: false, output: "htmlAndMathml",
        });
        el.setAttribute("data-typeset", "");
      } catch (e) { /* keep the server's MathML */ }
    });
  }
  window.typesetMath = typeset;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { typeset(); });
  else typeset();
})();
