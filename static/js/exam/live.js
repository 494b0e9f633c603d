/* Live events from the server (grading.consumers.AttemptConsumer, ws/attempt/<id>): a teacher extending the time,
 * reinstating or ending the attempt. Optional: without a WebSocket (plain WSGI server, blocked by a proxy) the page
 * still learns about a time extension when its timer reaches zero (the server refuses the time-up submit and says
 * how long is left). */

export function onServerEvent(page, msg) {
  if (!msg || !msg.type) return;
  const data = msg.data || {};
  const state = page.state;
  if (msg.type === "time_extended" || msg.type === "attempt_reinstated") {
    if (typeof data.seconds_remaining === "number") page.timer.set(data.seconds_remaining * 1000);
    if (!state.ended) page.showBanner(msg.type === "time_extended" && data.minutes
      ? "Your teacher gave you " + data.minutes + " more minute" + (data.minutes > 1 ? "s" : "") + "."
      : "Your teacher changed your time.");
    if (msg.type === "attempt_reinstated" && state.ended) window.location.reload();
  } else if (msg.type === "attempt_force_submitted") {
    page.outbox.clear();
    page.end("Your teacher ended your quiz.");
  }
}

// Where sockets live: the page's origin, or WEBSOCKET_URL from <meta name="websocket-url"> (":8001" = this host
// name on port 8001, as under `make serve`; or a full ws(s):// base).
function socketBase() {
  const meta = document.querySelector('meta[name="websocket-url"]');
  const base = meta && meta.getAttribute("content");
  const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  if (!base) return scheme + window.location.host;
  if (base.charAt(0) === ":") return scheme + window.location.hostname + base;
  return base.replace(/\/$/, "");
}

/** A refusal of grading.consumers (4401 the sign-in ended, 4403/4404 not this account's attempt): reconnecting
 * cannot help. Anything else (1006 a dropped network, 1011/1012 a restarting server, 4500) is retried. */
export function isRefusal(code) {
  return code >= 4400 && code < 4500;
}

// The sign-in has ended (password changed, account deactivated, signed out): the page's saves will fail too, so
// say so now. The answers wait in the outbox (outbox.js) and are sent once the student is back.
function sessionEnded(page) {
  page.showBanner("Your session has ended, ");
  const text = page.$("exam-banner-text");
  const link = document.createElement("a");
  link.href = "/accounts/login/?next=" + encodeURIComponent(window.location.pathname + window.location.search);
  link.textContent = "sign in again";
  text.appendChild(link);
  text.appendChild(document.createTextNode(". Your answers are kept on this device."));
}

/** Keep a socket open to the attempt's events, reconnecting with back-off until the exam ends or the server
 * refuses the socket. */
export function connectLive(page) {
  let delay = 2000;
  const connect = () => {
    if (!window.WebSocket || page.state.ended) return;
    let socket;
    try {
      socket = new WebSocket(socketBase() + "/ws/attempt/" + page.config.attemptId);
    } catch (e) {
      return;
    }
    socket.onopen = () => { delay = 2000; };
    socket.onmessage = (e) => {
      try { onServerEvent(page, JSON.parse(e.data)); } catch (err) { /* ignore a malformed event */ }
    };
    socket.onclose = (e) => {
      if (page.state.ended) return;
      if (isRefusal(e.code)) {
        if (e.code === 4401) sessionEnded(page);
        return;
      }
      delay = Math.min(delay * 2, 60000);
      // Spread out: after a server restart a whole class would otherwise reconnect at the same instant.
      setTimeout(connect, delay * (0.75 + Math.random() / 4));
    };
  };
  connect();
}
