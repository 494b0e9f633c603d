// Pages whose content goes stale the moment the student acts (the quiz intro: "Start quiz" or "Resume", attempts
// used): shown again from the browser's back/forward cache, they load afresh. The page is also sent with
// Cache-Control: no-store, which keeps it out of that cache in today's browsers; this covers the ones that keep it.
window.addEventListener("pageshow", function (event) {
  if (event.persisted) window.location.reload();
});
