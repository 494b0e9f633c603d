// The teacher's live exam board: one socket per quiz (ws/quiz-monitor/<id>, session cookie), a table rebuilt
// from every `quiz_status`, a feed of violations and activity. Events ask for a fresh status at once, so the
// table never waits the full interval after something happens. Reconnects with back-off.
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
  var ZERO = "00000000-0000-0000-0000-000000000000";
  var LABELS = {
    tab_switch: "Tab switch", fullscreen_exit: "Left fullscreen", copy_attempt: "Copy attempt",
    paste_attempt: "Paste attempt", right_click: "Right click", focus_lost: "Window lost focus",
    multiple_windows: "Multiple windows"
  };
  var STATUS = {
    in_progress: "In progress", submitted: "Submitted", graded: "Graded", auto_submitted: "Auto-submitted",
    not_started: "Not started"
  };
  var violationCount = feed.querySelectorAll("li:not(.empty)").length;
  var socket = null, retry = 1000, refreshTimer = null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function url(kind, attemptId) { return table.dataset[kind + "Url"].replace(ZERO, attemptId); }
  function form(action, fields, label, cls, confirmText) {
    var f = el("form", { method: "post", action: action, "class": "inline" + (cls ? " " + cls : "") });
    f.appendChild(el("input", { type: "hidden", name: "csrfmiddlewaretoken", value: csrf }));
    fields.forEach(function (field) { f.appendChild(el("input", field)); });
    f.appendChild(el("button", { "class": "btn" + (confirmText ? " btn-danger" : "") }, label));
    if (confirmText) f.dataset.confirm = confirmText;
    return f;
  }
  function cell(label, content) {
    var td = el("td", { "data-label": label });
    if (content instanceof Node) td.appendChild(content); else td.textContent = content;
    return td;
  }
  function seconds(s) {
    if (s === null || s === undefined) return "–";
    var m = Math.floor(s / 60), r = s % 60;
    return m ? m + " min " + r + " s" : r + " s";
  }

  function render(data) {
    document.getElementById("count-active").textContent = data.active_attempts;
    document.getElementById("count-completed").textContent = data.completed_attempts;
    document.getElementById("count-not-started").textContent = data.not_started || 0;
    rows.textContent = "";
    if (!data.students.length) {
      var empty = el("tr"); var td = el("td", { colspan: 9, "class": "muted" }, "No students yet.");
      empty.appendChild(td); rows.appendChild(empty); return;
    }
    data.students.forEach(function (s) {
      var tr = el("tr", { "data-student-id": s.id, "data-attempt-id": s.attempt_id || "", "class": "status-" + s.status });
      var who = el("td", { "data-label": "Student" }, s.name);
      who.appendChild(el("br")); who.appendChild(el("small", { "class": "muted" }, s.registration_number));
      tr.appendChild(who);
      tr.appendChild(cell("Status", el("span", { "class": "badge status-badge" }, STATUS[s.status] || s.status)));
      tr.appendChild(cell("Question", s.current_question + " / " + s.total_questions));
      var prog = el("td", { "data-label": "Progress" });
      prog.appendChild(el("progress", { max: 100, value: s.progress }));
      prog.appendChild(document.createTextNode(" " + s.progress + "%"));
      tr.appendChild(prog);
      var v = cell("Violations", s.violations);
      if (s.violations) v.className = "hot";
      tr.appendChild(v);
      tr.appendChild(cell("Elapsed", s.time_elapsed_minutes + " min"));
      var left = cell("Time left", seconds(s.time_left_seconds));
      if (s.time_left_seconds !== null && s.time_left_seconds < 120) left.className = "hot";
      tr.appendChild(left);
      var saved = cell("Last save", s.seconds_since_last_save === null ? "–" : seconds(s.seconds_since_last_save) + " ago");
      if (s.status === "in_progress" && s.seconds_since_last_save !== null && s.seconds_since_last_save > 120) saved.className = "stale";
      tr.appendChild(saved);
      var actions = el("td", { "data-label": "Actions", "class": "row-actions" });
      if (s.status === "in_progress") {
        actions.appendChild(form(url("extend", s.attempt_id), [{ type: "hidden", name: "minutes", value: "5" }], "+5 min"));
        actions.appendChild(form(url("submit", s.attempt_id), [], "Submit now", "", "Submit " + s.name + "'s attempt now?"));
      } else if (s.can_reinstate) {
        actions.appendChild(form(url("reinstate", s.attempt_id), [
          { name: "reason", required: "required", placeholder: "Reason", "aria-label": "Reason" },
          { type: "number", name: "minutes", min: 1, max: 1440, placeholder: "min", "aria-label": "Minutes" }
        ], "Reinstate", "reinstate"));
      }
      if (s.attempt_id && s.status !== "in_progress") {
        actions.appendChild(el("a", { href: url("grade", s.attempt_id) }, "Grade"));
      }
      tr.appendChild(actions);
      rows.appendChild(tr);
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
      case "quiz_status": render(d); break;
      case "violation":
        violationCount += 1;
        document.getElementById("count-violations").textContent = violationCount;
        addFeed(feed, (d.student_name || "A student") + ": " + (LABELS[d.violation_type] || d.violation_type) +
          " (" + d.total_violations + " in total)", true);
        askRefresh(); break;
      case "attempt_started": addFeed(activity, (d.student_name || "A student") + " started"); askRefresh(); break;
      case "answer_saved": askRefresh(); break;
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

  function connect() {
    socket = new WebSocket(socketBase() + "/ws/quiz-monitor/" + quizId);
    socket.onopen = function () { retry = 1000; state.textContent = "live"; state.dataset.state = "live"; };
    socket.onmessage = function (e) { try { onMessage(JSON.parse(e.data)); } catch (err) { console.error(err); } };
    socket.onclose = function (e) {
      if (e.code === 1008) { state.textContent = "not allowed"; state.dataset.state = "closed"; return; }
      state.textContent = "reconnecting…"; state.dataset.state = "offline";
      setTimeout(connect, retry); retry = Math.min(retry * 2, 30000);
    };
  }

  rows.addEventListener("submit", function (e) {
    var text = e.target.dataset.confirm;
    if (text && !window.confirm(text)) e.preventDefault();
  });
  connect();
})();
