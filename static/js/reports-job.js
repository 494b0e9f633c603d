// Poll a report job's status URL and move its progress bar; reload the page once it has finished.
(function () {
  const box = document.getElementById("report-job");
  if (!box || !["queued", "running"].includes(box.dataset.status)) return;
  const url = box.dataset.statusUrl;
  const bar = box.querySelector("progress");
  const done = box.querySelector("[data-done]");
  const total = box.querySelector("[data-total]");
  let delay = 1000;

  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const body = await response.json();
        if (body.status !== "queued" && body.status !== "running") {
          window.location.reload();
          return;
        }
        const p = body.progress || {};
        if (p.total) { bar.max = p.total; total.textContent = p.total; }
        bar.value = p.done || 0;
        bar.textContent = (p.percent || 0) + "%";
        done.textContent = p.done || 0;
      }
    } catch (e) {
      // A network hiccup: keep polling, a little slower.
    }
    delay = Math.min(delay * 1.3, 5000);
    window.setTimeout(poll, delay);
  }
  window.setTimeout(poll, delay);
})();
