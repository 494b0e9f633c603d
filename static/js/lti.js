// LTI pages (lti app). A launch landing page opened top-level (the LMS opened us in a window of our own) goes on
// at once; inside the LMS's iframe it waits for the "Open in a new window" click, because our session cannot
// live in a third-party frame. The deep-linking answer posts itself back to the LMS (its button is the fallback).
const landing = document.querySelector("[data-lti-landing]");
if (landing && window.top === window.self) {
  window.location.replace(landing.dataset.go);
}
const answer = document.querySelector("form[data-lti-autosubmit]");
if (answer) {
  answer.submit();
}
// Dynamic Registration is done: tell the LMS, which closes its registration dialog.
if (document.querySelector("[data-lti-registered]")) {
  (window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
}
