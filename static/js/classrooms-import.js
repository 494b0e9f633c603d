// Poll a running import's status URL and show its progress; reload the page when it has finished.
(function () {
  const box = document.getElementById("import-progress");
  if (!box) return;
  const url = box.dataset.statusUrl;
  const bar = box.querySelector("progress");
  const processed = box.querySelector("[data-processed]");
  const total = box.querySelector("[data-total]");
  let delay = 1000;

  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const body = await response.json();
        if (body.status === "done" || body.status === "failed") {
          window.location.reload();
          return;
        }
        const p = body.progress || {};
        if (p.total) { bar.max = p.total; total.textContent = p.total; }
        bar.value = p.processed || 0;
        processed.textContent = p.processed || 0;
      }
    } catch (e) {
      // A network hiccup: keep polling, a little slower.
    }
    delay = Math.min(delay * 1.3, 5000);
    window.setTimeout(poll, delay);
  }
  window.setTimeout(poll, delay);
})();
