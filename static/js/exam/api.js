/* POST to the exam's API endpoints with the page's session and CSRF token. */

/** Resolves {status, data, retryAfter} for any HTTP answer; rejects when the network fails or after timeoutMs. */
export function postJSON(url, body, csrfToken, timeoutMs) {
  const ctrl = window.AbortController ? new AbortController() : null;
  const timer = ctrl ? setTimeout(() => ctrl.abort(), timeoutMs || 15000) : null;
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken, "Accept": "application/json" },
    body: JSON.stringify(body || {}),
    signal: ctrl ? ctrl.signal : undefined,
  }).then((res) => {
    if (timer) clearTimeout(timer);
    const retryAfter = parseInt(res.headers.get("Retry-After") || "", 10);
    return res.json().catch(() => ({})).then((data) => (
      { status: res.status, data: data, retryAfter: isNaN(retryAfter) ? null : retryAfter }
    ));
  }, (err) => {
    if (timer) clearTimeout(timer);
    throw err;
  });
}
