// The teacher's live exam board: one socket per quiz (ws/quiz-monitor/<id>?rows=html, session cookie), the table's
// rows replaced by the server-rendered ones every `quiz_status` carries, a feed of violations and activity. Events
// ask for a fresh status at once, so the table never waits the full interval after something happens. Reconnects
// with back-off after a dropped network or a server restart, never after a refusal (see ENDED below).
(function () {
  "use strict";
  var table = document.getElementById("board");
  if (!table) return;
  var rows = document.getElementById("board-rows");
  var feed = document.getElementById("violation-feed");
  var activity = document.getElementById("activity-feed");
  var state = document.getElementById("conn-state");
  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = csrfInput ? csrfInput.value : "";
  var quizId = table.dataset.quizId;
  var LABELS = {
    tab_switch: "Tab switch", fullscreen_exit: "Left fullscreen", copy_attempt: "Copy attempt",
    paste_attempt: "Paste attempt", right_click: "Right click", focus_lost: "Window lost focus",
    multiple_windows: "Multiple windows"
  };
  var violationCount = feed.querySelectorAll("li:not(.empty)").length;
  var socket = null, retry = 1000, refreshTimer = null, offlineSince = null, offlineTimer = null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // The rows come rendered by the server (templates/grading/_board_rows.html, the template that painted the page):
  // this script only swaps them in. The socket has no request to take a CSRF token from, so the rows' forms get
  // this page's token here.
  function render(data, html) {
    document.getElementById("count-active").textContent = data.active_attempts;
    document.getElementById("count-completed").textContent = data.completed_attempts;
    document.getElementById("count-not-started").textContent = data.not_started || 0;
    if (typeof html !== "string") return;
    rows.innerHTML = html;
    rows.dataset.generatedAt = data.generated_at;
    rows.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) {
      if (!input.value) input.value = csrf;
    });
  }

  function addFeed(list, text, hot) {
    var placeholder = list.querySelector(".empty");
    if (placeholder) placeholder.remove();
    var li = el("li", hot ? { "class": "new" } : {});
    li.appendChild(el("time", {}, new Date().toLocaleTimeString()));
    li.appendChild(document.createTextNode(" " + text));
    list.insertBefore(li, list.firstChild);
    while (list.children.length > 50) list.removeChild(list.lastChild);
  }

  // Batched progress (at most once a second, the newest per student): the row's question and last save change in
  // place; the next snapshot (every few seconds) brings the rest. No snapshot is asked for.
  function applyProgress(students) {
    students.forEach(function (p) {
      var row = rows.querySelector('tr[data-attempt-id="' + p.attempt_id + '"]');
      if (!row) return;
      var question = row.querySelector('[data-cell="question"]');
      if (question && p.current_question) question.textContent = p.current_question + " / " + p.total_questions;
      var saved = row.querySelector('[data-cell="last-save"]');
      if (saved) { saved.textContent = "0 s ago"; saved.classList.remove("stale"); }
    });
  }

  // The socket's own state, as a teacher needs it: live, reconnecting (a blip), or offline since a time (the
  // board is no longer live: what it shows may be stale).
  function setState(kind, text) {
    state.textContent = text;
    state.dataset.state = kind;
  }

  function wentOffline() {
    if (offlineSince) return;
    offlineSince = new Date();
    setState("offline", "reconnecting…");
    offlineTimer = setTimeout(function () {
      setState("offline", "offline since " + offlineSince.toLocaleTimeString() + " (retrying; the table may be out of date)");
    }, 5000);
  }

  function askRefresh() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(function () {
      refreshTimer = null;
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "refresh" }));
    }, 300);
  }

  function onMessage(msg) {
    var d = msg.data || {};
    switch (msg.type) {
      case "quiz_status": render(d, msg.html); break;
      case "violation":
        violationCount += 1;
        document.getElementById("count-violations").textContent = violationCount;
        addFeed(feed, (d.student_name || "A student") + ": " + (LABELS[d.violation_type] || d.violation_type) +
          " (" + d.total_violations + " in total)", true);
        askRefresh(); break;
      case "attempt_started": addFeed(activity, (d.student_name || "A student") + " started"); askRefresh(); break;
      case "progress": applyProgress(d.students || []); break;
      case "attempt_submitted":
        addFeed(activity, (d.student_name || "A student") + " submitted" + (d.score !== undefined && d.score !== null ? " (" + d.score + ")" : ""));
        askRefresh(); break;
      case "time_extended": addFeed(activity, "Time extended by " + d.minutes + " min"); askRefresh(); break;
      case "attempt_reinstated": addFeed(activity, "Attempt reinstated: " + (d.reason || "")); askRefresh(); break;
      default: askRefresh();
    }
  }

  // Where sockets live: the page's origin, or WEBSOCKET_URL from <meta name="websocket-url"> (":8001" = this host
  // name on port 8001, as under `make serve`; or a full ws(s):// base).
  function socketBase() {
    var meta = document.querySelector('meta[name="websocket-url"]');
    var base = meta && meta.getAttribute("content");
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    if (!base) return scheme + location.host;
    if (base.charAt(0) === ":") return scheme + location.hostname + base;
    return base.replace(/\/$/, "");
  }

  // The server's refusals (grading.consumers): retrying cannot help, so the page says why and stops. Anything else
  // (1006 a dropped network, 1011/1012 a server restarting, 4500 a check that could not run) is retried.
  var ENDED = {
    4401: "Your session has ended, ",
    4403: "You are not allowed to watch this quiz live.",
    4404: "This quiz is not available to you."
  };

  function showEnded(code) {
    state.textContent = ENDED[code] || "Live updates have stopped.";
    state.dataset.state = "closed";
    state.dataset.closeCode = String(code);
    state.setAttribute("role", "alert");
    if (code === 4401) {
      var next = location.pathname + location.search;
      state.appendChild(el("a", { href: "/accounts/login/?next=" + encodeURIComponent(next) }, "sign in again"));
    }
  }

  function connect() {
    socket = new WebSocket(socketBase() + "/ws/quiz-monitor/" + quizId + "?rows=html");
    socket.onopen = function () {
      retry = 1000; offlineSince = null; clearTimeout(offlineTimer);
      setState("live", "live");
    };
    socket.onmessage = function (e) { try { onMessage(JSON.parse(e.data)); } catch (err) { console.error(err); } };
    socket.onclose = function (e) {
      if (e.code >= 4400 && e.code < 4500) { showEnded(e.code); return; }
      wentOffline();
      setTimeout(connect, retry); retry = Math.min(retry * 2, 30000);
    };
  }

  rows.addEventListener("submit", function (e) {
    var text = e.target.dataset.confirm;
    if (text && !window.confirm(text)) e.preventDefault();
  });
  connect();
})();
