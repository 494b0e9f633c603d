/* The exam page: autosave that survives reloads and lost connections, a countdown synced with the server,
 * the question navigator, submit with confirmation, and the anti-cheating detectors.
 *
 * Answers are written to localStorage first (the "outbox"), then sent to POST /api/v1/attempts/{id}/answer as
 * a batch in client_seq order; an entry leaves the outbox only when the server acknowledged that seq (or a newer
 * one). So a reload, a crash or an offline spell never loses an answer: whatever is still in the outbox is put
 * back into the form and re-sent. The server ignores a seq older than the one it stored.
 *
 * The page works without this script (plain form post to the submit page); with it, the form shows one
 * question at a time.
 */
(function () {
  "use strict";

  // ---------------------------------------------------------------------------------------------- pure parts
  // Exposed as window.ExamCore for the browser tests.

  function formatClock(seconds) {
    seconds = Math.max(0, Math.ceil(seconds));
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    var mm = (h && m < 10 ? "0" : "") + m;
    return (h ? h + ":" : "") + mm + ":" + (s < 10 ? "0" : "") + s;
  }

  /** The outbox of unsent answers, persisted per attempt. */
  function Outbox(storage, attemptId, minSeq) {
    this.storage = storage;
    this.key = "exam:" + attemptId + ":outbox";
    this.seqKey = "exam:" + attemptId + ":seq";
    this.items = {};
    try {
      this.items = JSON.parse(storage.getItem(this.key) || "{}") || {};
    } catch (e) {
      this.items = {};
    }
    var stored = parseInt(storage.getItem(this.seqKey) || "0", 10) || 0;
    this.seq = Math.max(stored, minSeq || 0);
  }
  Outbox.prototype.persist = function () {
    try {
      this.storage.setItem(this.key, JSON.stringify(this.items));
      this.storage.setItem(this.seqKey, String(this.seq));
    } catch (e) {
      /* storage full or disabled: the answer is still in memory and in the form */
    }
  };
  Outbox.prototype.put = function (answer) {
    this.seq += 1;
    answer.client_seq = this.seq;
    this.items[answer.question_id] = answer;
    this.persist();
    return answer;
  };
  Outbox.prototype.batch = function () {
    var list = [];
    for (var k in this.items) if (Object.prototype.hasOwnProperty.call(this.items, k)) list.push(this.items[k]);
    return list.sort(function (a, b) { return a.client_seq - b.client_seq; });
  };
  /** The server acknowledged these (question_id, client_seq): drop entries not newer than that. */
  Outbox.prototype.ack = function (results) {
    var self = this;
    results.forEach(function (r) {
      var item = self.items[r.question_id];
      if (item && (r.client_seq === null || r.client_seq === undefined || item.client_seq <= r.client_seq)) {
        delete self.items[r.question_id];
      }
    });
    this.persist();
  };
  Outbox.prototype.size = function () { return Object.keys(this.items).length; };
  Outbox.prototype.clear = function () {
    this.items = {};
    try {
      this.storage.removeItem(this.key);
      this.storage.removeItem(this.seqKey);
    } catch (e) { /* ignore */ }
  };

  /** One user action → one violation. Leaving the page fires blur AND visibilitychange (and, in fullscreen,
   * fullscreenchange): the signals of one "away" episode are collected for a moment and reported once, as the
   * strongest kind. The next episode starts only after the student is back (visible and focused). */
  function AwayTracker(report, opts) {
    this.report = report;
    this.windowMs = (opts && opts.windowMs) || 400;
    this.episode = null;
  }
  AwayTracker.prototype.signal = function (kind) {
    var self = this;
    if (this.episode && this.episode.reported) return;
    if (!this.episode) {
      this.episode = { kinds: {}, reported: false };
      this.episode.timer = setTimeout(function () { self.flush(); }, this.windowMs);
    }
    this.episode.kinds[kind] = true;
  };
  AwayTracker.prototype.flush = function () {
    var ep = this.episode;
    if (!ep || ep.reported) return;
    ep.reported = true;
    var kind = ep.kinds.tab_switch ? "tab_switch" : ep.kinds.fullscreen_exit ? "fullscreen_exit" : "focus_lost";
    this.report(kind);
  };
  /** The student is back (visible + focused). */
  AwayTracker.prototype.back = function () {
    if (this.episode && this.episode.reported) this.episode = null;
  };

  window.ExamCore = { formatClock: formatClock, Outbox: Outbox, AwayTracker: AwayTracker };

  // ------------------------------------------------------------------------------------------------ the page
  var configEl = document.getElementById("exam-config");
  if (!configEl) return;
  var config = JSON.parse(configEl.textContent);
  var $ = function (id) { return document.getElementById(id); };
  var form = $("exam-form");
  var fieldsets = Array.prototype.slice.call(document.querySelectorAll(".exam-q"));
  var navButtons = Array.prototype.slice.call(document.querySelectorAll(".navq"));
  var saveEl = $("exam-save");
  var timerEl = $("exam-timer");
  var bannerEl = $("exam-banner");
  var bannerText = $("exam-banner-text");
  var outbox = new Outbox(window.localStorage, config.attemptId, config.maxSeq);
  var state = { current: 0, ended: false, active: false, inFlight: false, again: false, wasFullscreen: false,
                violations: config.totalViolations, lastViolation: {}, retryTimer: null, submitting: false };

  document.body.classList.add("exam-js");
  window.ExamPage = { outbox: outbox, state: state, config: config };

  // --- answers ------------------------------------------------------------------------------------------
  function readAnswer(fs) {
    var qid = fs.getAttribute("data-qid");
    var radios = fs.querySelectorAll("input[type=radio]");
    if (radios.length) {
      var chosen = fs.querySelector("input[type=radio]:checked");
      return { question_id: qid, answer_option: chosen ? parseInt(chosen.value, 10) : null };
    }
    var field = fs.querySelector("textarea, input[type=text]");
    return { question_id: qid, answer_text: field ? field.value : "" };
  }

  function writeAnswer(fs, answer) {
    if ("answer_option" in answer) {
      fs.querySelectorAll("input[type=radio]").forEach(function (r) {
        r.checked = answer.answer_option !== null && parseInt(r.value, 10) === answer.answer_option;
      });
    } else {
      var field = fs.querySelector("textarea, input[type=text]");
      if (field) field.value = answer.answer_text || "";
    }
  }

  function isAnswered(fs) {
    var a = readAnswer(fs);
    return "answer_option" in a ? a.answer_option !== null : !!(a.answer_text || "").trim();
  }

  function refreshNav() {
    fieldsets.forEach(function (fs, i) {
      var b = navButtons[i];
      if (!b) return;
      var done = isAnswered(fs);
      b.classList.toggle("answered", done);
      b.classList.toggle("current", i === state.current);
      b.setAttribute("aria-label", "Question " + (i + 1) + (done ? ", answered" : ", not answered"));
      if (i === state.current) b.setAttribute("aria-current", "step"); else b.removeAttribute("aria-current");
    });
  }

  function show(index) {
    state.current = Math.max(0, Math.min(fieldsets.length - 1, index));
    fieldsets.forEach(function (fs, i) { fs.classList.toggle("is-current", i === state.current); });
    $("exam-prev").disabled = state.current === 0;
    $("exam-next").disabled = state.current === fieldsets.length - 1;
    refreshNav();
  }

  function setSaveState(kind, text) {
    saveEl.setAttribute("data-state", kind);
    saveEl.textContent = text;
  }

  function showSaveState() {
    if (state.offline) setSaveState("offline", "Offline — answers kept on this device");
    else if (outbox.size() || state.inFlight) setSaveState("saving", "Saving…");
    else setSaveState("saved", "All answers saved");
  }

  var debounceTimer = null;
  function scheduleFlush(delay) {
    clearTimeout(debounceTimer);
    debounceTimer = setTimeout(flush, delay);
  }

  function onAnswerChanged(fs, delay) {
    if (state.ended) return;
    outbox.put(readAnswer(fs));
    refreshNav();
    showSaveState();
    scheduleFlush(delay);
  }

  function api(url, body, timeoutMs) {
    var ctrl = window.AbortController ? new AbortController() : null;
    var timer = ctrl ? setTimeout(function () { ctrl.abort(); }, timeoutMs || 15000) : null;
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": config.csrfToken, "Accept": "application/json" },
      body: JSON.stringify(body || {}),
      signal: ctrl ? ctrl.signal : undefined,
    }).then(function (res) {
      if (timer) clearTimeout(timer);
      var retryAfter = parseInt(res.headers.get("Retry-After") || "", 10);
      return res.json().catch(function () { return {}; }).then(function (data) {
        return { status: res.status, data: data, retryAfter: isNaN(retryAfter) ? null : retryAfter };
      });
    }, function (err) {
      if (timer) clearTimeout(timer);
      throw err;
    });
  }

  // Try again in 3 s, or when the server said so (429/503 + Retry-After under load: seconds, plus up to one more
  // second at random so a whole class refused together does not come back together).
  // Until then, the debounce and the 5-second sweep leave the outbox alone (only submitting sends it anyway).
  function goOffline(retryAfterSeconds) {
    state.offline = true;
    showSaveState();
    clearTimeout(state.retryTimer);
    var delay = retryAfterSeconds > 0 ? Math.min(retryAfterSeconds, 120) * 1000 + Math.random() * 1000 : 3000;
    state.holdUntil = retryAfterSeconds > 0 ? Date.now() + delay : 0;
    state.retryTimer = setTimeout(function () { state.holdUntil = 0; flush(); }, delay);
  }

  /** Send the whole outbox; resolves true when it is empty afterwards. */
  function flush(force) {
    clearTimeout(debounceTimer);
    if (state.inFlight) { state.again = true; return state.inFlight; }
    if (!force && state.holdUntil && Date.now() < state.holdUntil) return Promise.resolve(outbox.size() === 0);
    flushViolations();
    var batch = outbox.batch();
    if (!batch.length) { state.offline = false; showSaveState(); return Promise.resolve(true); }
    showSaveState();
    state.inFlight = api(config.answerUrl, { answers: batch }).then(function (res) {
      if (res.status === 200) {
        state.offline = false;
        state.holdUntil = 0;
        outbox.ack(res.data.results || []);
        syncTimer(res.data.time_remaining_ms);
      } else if (res.status === 409) {
        outbox.clear();
        end(res.data.detail || "This quiz has ended.");
      } else if (res.status === 400) {
        // An answer the server will never take (should not happen from this page): drop it, say so.
        outbox.ack(batch);
        showBanner("An answer could not be saved: " + (res.data.detail || "invalid answer") + ".");
      } else {
        goOffline(res.retryAfter);  // 401/403 (signed out), 429, 5xx: keep everything, try again
        if (res.status === 401 || res.status === 403) showBanner("Your session has expired. Your answers are kept on this device; sign in again in another tab, then come back.");
      }
    }, function () {
      goOffline();
    }).then(function () {
      state.inFlight = false;
      showSaveState();
      if (!state.ended && (state.again || (!state.offline && outbox.size()))) {
        state.again = false;
        return flush();
      }
      return outbox.size() === 0;
    });
    return state.inFlight;
  }

  // --- timer ---------------------------------------------------------------------------------------------
  // Milliseconds from the server (the whole seconds of the guide's field would fire up to a second early).
  var endAt = performance.now() + config.timeRemainingMs;
  function syncTimer(ms) {
    if (typeof ms !== "number") return;
    var target = performance.now() + ms;
    if (Math.abs(target - endAt) > 1500) endAt = target;
  }
  function tick() {
    if (state.ended) return;
    var left = (endAt - performance.now()) / 1000;
    timerEl.textContent = formatClock(left);
    timerEl.classList.toggle("low", left <= 60);
    timerEl.setAttribute("aria-label", "Time remaining " + formatClock(left));
    if (left <= -0.3) timeUp();  // a moment past zero: the submit must not reach the server before the deadline
  }
  function timeUp() {
    if (state.ended || state.submitting) return;
    showBanner("Time is up. Submitting your quiz…");
    submitNow("Time ran out, so your quiz was submitted with the answers you had saved.");
  }

  // --- submit ----------------------------------------------------------------------------------------------
  function submitNow(reasonIfEnded) {
    if (state.submitting) return;
    state.submitting = true;
    setSaveState("saving", "Submitting…");
    flush(true).then(function () {
      return api(config.submitUrl, reasonIfEnded ? { reason: "time_up" } : {});
    }).then(function (res) {
      state.submitting = false;
      if (res.status === 409 && res.data.code === "time_remaining") {
        // The teacher gave more time: carry on.
        endAt = performance.now() + res.data.time_remaining_ms;
        showBanner("Your teacher gave you more time.");
        showSaveState();
        return;
      }
      if (res.status === 200 || res.status === 409) {
        outbox.clear();
        if (reasonIfEnded) end(reasonIfEnded);
        else window.location.assign(config.resultUrl);
      } else {
        goOffline();
        showBanner("The quiz could not be submitted yet (" + (res.data.detail || res.status) + "). Your answers are kept on this device; trying again…");
        setTimeout(function () { submitNow(reasonIfEnded); }, 3000);
      }
    }, function () {
      state.submitting = false;
      goOffline();
      showBanner("You are offline. Your answers are kept on this device and the quiz will be submitted when the connection returns.");
      setTimeout(function () { submitNow(reasonIfEnded); }, 3000);
    });
  }

  function confirmSubmit() {
    var missing = [];
    fieldsets.forEach(function (fs, i) { if (!isAnswered(fs)) missing.push(i); });
    var list = $("exam-confirm-list");
    list.innerHTML = "";
    $("exam-confirm-text").textContent = missing.length
      ? missing.length + " question" + (missing.length > 1 ? "s are" : " is") + " not answered:"
      : "All questions are answered. You cannot change your answers after submitting.";
    missing.forEach(function (i) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.className = "link";
      b.textContent = "Question " + (i + 1);
      b.addEventListener("click", function () { closeDialog(); show(i); focusQuestion(); });
      li.appendChild(b);
      list.appendChild(li);
    });
    var dlg = $("exam-confirm");
    if (dlg.showModal) dlg.showModal(); else dlg.setAttribute("open", "");
    $("exam-confirm-no").focus();
  }
  function closeDialog() {
    var dlg = $("exam-confirm");
    if (dlg.close) dlg.close(); else dlg.removeAttribute("open");
  }

  function end(reason) {
    if (state.ended) return;
    state.ended = true;
    state.active = false;
    closeDialog();
    $("exam-ended-reason").textContent = reason;
    $("exam-ended").hidden = false;
    $("exam-body").hidden = true;
    $("exam-gate").hidden = true;
    setSaveState("ended", "Quiz ended");
    if (document.fullscreenElement && document.exitFullscreen) document.exitFullscreen().catch(function () {});
    $("exam-result-link").focus();
  }

  // --- violations -------------------------------------------------------------------------------------------
  var VIOLATION_TEXT = {
    tab_switch: "you left the quiz tab",
    focus_lost: "the quiz window lost focus",
    fullscreen_exit: "you left fullscreen",
    copy_attempt: "copying is not allowed",
    paste_attempt: "pasting is not allowed",
    right_click: "right-clicking is not allowed",
    multiple_windows: "the quiz is open in another window",
  };
  var pendingViolations = [];

  function showBanner(text) {
    bannerText.textContent = text;
    bannerEl.hidden = false;
  }

  function violation(kind, extra) {
    if (!state.active || state.ended) return;
    var now = Date.now();
    // Entering fullscreen can itself blur the window for a moment: not the student's doing.
    if ((kind === "focus_lost" || kind === "tab_switch") && now - state.activeSince < 1000) return;
    if (kind !== "tab_switch" && kind !== "focus_lost" && state.lastViolation[kind] && now - state.lastViolation[kind] < 1000) return;
    state.lastViolation[kind] = now;
    var body = { violation_type: kind, question_index: state.current, metadata: extra || {} };
    body.metadata.client_time = new Date(now).toISOString();
    showBanner("Warning: " + VIOLATION_TEXT[kind] + ".");
    pendingViolations.push(body);
    flushViolations();
  }

  var violationsInFlight = false;
  function flushViolations() {
    if (violationsInFlight || !pendingViolations.length || state.ended) return;
    violationsInFlight = true;
    var body = pendingViolations[0];
    api(config.violationUrl, body).then(function (res) {
      violationsInFlight = false;
      if (res.status === 201 || res.status === 200) {
        pendingViolations.shift();
        state.violations = res.data.total_violations;
        var limit = res.data.violation_threshold || config.threshold;
        showBanner("Violation " + state.violations + " of " + limit + ": " + VIOLATION_TEXT[body.violation_type] + ".");
        if (res.data.auto_submit) {
          outbox.clear();
          end("Your quiz was submitted automatically because it reached " + limit + " violations (the last one: " + VIOLATION_TEXT[body.violation_type] + ").");
          return;
        }
        flushViolations();
      } else if (res.status === 409) {
        pendingViolations = [];
        outbox.clear();
        end(res.data.detail || "This quiz has ended.");
      } else if (res.status === 400) {
        pendingViolations.shift();
        flushViolations();
      }
      // other statuses: kept, re-sent with the next flush
    }, function () {
      violationsInFlight = false;  // offline: kept, re-sent when the connection returns
    });
  }

  var away = new AwayTracker(function (kind) { violation(kind); maybeBack(); });
  function maybeBack() {
    if (document.visibilityState === "visible" && document.hasFocus()) away.back();
  }

  function inFullscreen() { return !!document.fullscreenElement; }
  function enterFullscreen() {
    var el = document.documentElement;
    if (!el.requestFullscreen) return Promise.resolve(false);
    return el.requestFullscreen().then(function () { state.wasFullscreen = true; return true; }, function () { return false; });
  }

  function installDetectors() {
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") away.signal("tab_switch"); else maybeBack();
    });
    window.addEventListener("blur", function () { away.signal("focus_lost"); });
    window.addEventListener("focus", maybeBack);
    document.addEventListener("fullscreenchange", function () {
      if (inFullscreen()) {
        $("exam-refullscreen").hidden = true;
        return;
      }
      if (state.wasFullscreen && state.active && !state.ended) {
        away.signal("fullscreen_exit");
        $("exam-refullscreen").hidden = false;
      }
    });
    ["copy", "cut"].forEach(function (type) {
      document.addEventListener(type, function (e) { if (state.active) { e.preventDefault(); violation("copy_attempt", { event: type }); } });
    });
    document.addEventListener("paste", function (e) { if (state.active) { e.preventDefault(); violation("paste_attempt"); } });
    document.addEventListener("contextmenu", function (e) { if (state.active) { e.preventDefault(); violation("right_click"); } });

    // A second window of the same attempt: the newcomer says hello, the one already open answers; the newcomer
    // reports it (once), so one action is one violation.
    var me = Math.random().toString(36).slice(2);
    var onMessage = function (msg) {
      if (!msg || msg.from === me || msg.attempt !== config.attemptId) return;
      if (msg.type === "hello") {
        send({ type: "here", to: msg.from });
        showBanner("This quiz was opened in another window. Keep only one window open.");
      } else if (msg.type === "here" && msg.to === me) {
        state.otherWindow = true;
        reportOtherWindow();
      }
    };
    var send;
    if (window.BroadcastChannel) {
      var channel = new BroadcastChannel("exam-" + config.attemptId);
      channel.onmessage = function (e) { onMessage(e.data); };
      send = function (msg) { msg.from = me; msg.attempt = config.attemptId; channel.postMessage(msg); };
    } else {
      var key = "exam:" + config.attemptId + ":bus";
      window.addEventListener("storage", function (e) { if (e.key === key && e.newValue) { try { onMessage(JSON.parse(e.newValue)); } catch (err) { /* ignore */ } } });
      send = function (msg) { msg.from = me; msg.attempt = config.attemptId; msg.t = Date.now(); try { localStorage.setItem(key, JSON.stringify(msg)); } catch (err) { /* ignore */ } };
    }
    send({ type: "hello" });
  }

  function reportOtherWindow() {
    if (!state.otherWindow || state.reportedWindows || !state.active) return;
    state.reportedWindows = true;
    violation("multiple_windows");
  }

  function focusQuestion() {
    var fs = fieldsets[state.current];
    var target = fs && fs.querySelector("input:checked, input, textarea");
    if (target) target.focus();
  }

  // --- live events from the server (grading.consumers.AttemptConsumer, ws/attempt/<id>) ------------------------
  // Optional: without a WebSocket (plain WSGI server, blocked by a proxy) the page still learns about a time
  // extension when its timer reaches zero (the server refuses the time-up submit and says how long is left).
  function onServerEvent(msg) {
    if (!msg || !msg.type) return;
    var data = msg.data || {};
    if (msg.type === "time_extended" || msg.type === "attempt_reinstated") {
      if (typeof data.seconds_remaining === "number") endAt = performance.now() + data.seconds_remaining * 1000;
      if (!state.ended) showBanner(msg.type === "time_extended" && data.minutes
        ? "Your teacher gave you " + data.minutes + " more minute" + (data.minutes > 1 ? "s" : "") + "."
        : "Your teacher changed your time.");
      if (msg.type === "attempt_reinstated" && state.ended) window.location.reload();
    } else if (msg.type === "attempt_force_submitted") {
      outbox.clear();
      end("Your teacher ended your quiz.");
    }
  }
  window.ExamPage.onServerEvent = onServerEvent;

  // Where sockets live: the page's origin, or WEBSOCKET_URL from <meta name="websocket-url"> (":8001" = this host
  // name on port 8001, as under `make serve`; or a full ws(s):// base).
  function socketBase() {
    var meta = document.querySelector('meta[name="websocket-url"]');
    var base = meta && meta.getAttribute("content");
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    if (!base) return scheme + window.location.host;
    if (base.charAt(0) === ":") return scheme + window.location.hostname + base;
    return base.replace(/\/$/, "");
  }

  var socketDelay = 2000;
  function connectSocket() {
    if (!window.WebSocket || state.ended) return;
    var socket;
    try {
      socket = new WebSocket(socketBase() + "/ws/attempt/" + config.attemptId);
    } catch (e) {
      return;
    }
    socket.onopen = function () { socketDelay = 2000; };
    socket.onmessage = function (e) {
      try { onServerEvent(JSON.parse(e.data)); } catch (err) { /* ignore a malformed event */ }
    };
    socket.onclose = function () {
      if (state.ended) return;
      socketDelay = Math.min(socketDelay * 2, 60000);
      setTimeout(connectSocket, socketDelay);
    };
  }

  // --- wiring -----------------------------------------------------------------------------------------------
  function begin() {
    $("exam-gate").hidden = true;
    $("exam-body").hidden = false;
    state.active = true;
    state.activeSince = Date.now();
    show(state.current);
    focusQuestion();
    reportOtherWindow();
  }

  // Put back what this device has not sent yet (newer than what the server rendered), then send it.
  outbox.batch().forEach(function (answer) {
    var fs = document.querySelector('.exam-q[data-qid="' + answer.question_id + '"]');
    if (fs) writeAnswer(fs, answer); else delete outbox.items[answer.question_id];
  });

  fieldsets.forEach(function (fs) {
    fs.addEventListener("change", function (e) {
      if (e.target.type === "radio") onAnswerChanged(fs, 300);
      else onAnswerChanged(fs, 300);
    });
    fs.addEventListener("input", function (e) {
      if (e.target.type !== "radio") onAnswerChanged(fs, 1500);
    });
  });
  navButtons.forEach(function (b) {
    b.addEventListener("click", function () { show(parseInt(b.getAttribute("data-goto"), 10)); focusQuestion(); });
  });
  $("exam-prev").addEventListener("click", function () { show(state.current - 1); focusQuestion(); });
  $("exam-next").addEventListener("click", function () { show(state.current + 1); focusQuestion(); });
  form.addEventListener("submit", function (e) { e.preventDefault(); confirmSubmit(); });
  $("exam-confirm-no").addEventListener("click", closeDialog);
  $("exam-confirm-yes").addEventListener("click", function () { closeDialog(); submitNow(null); });
  $("exam-refullscreen").addEventListener("click", function () { enterFullscreen(); });
  $("exam-begin").addEventListener("click", function () { enterFullscreen().then(begin); });
  window.addEventListener("online", function () { state.offline = false; state.holdUntil = 0; flush(); });
  window.addEventListener("offline", function () { goOffline(); });
  window.addEventListener("pagehide", function () { outbox.persist(); });

  installDetectors();
  $("exam-body").hidden = true;
  $("exam-gate").hidden = false;
  $("exam-begin").focus();
  show(0);
  tick();
  setInterval(tick, 250);
  setInterval(function () { if (outbox.size() || pendingViolations.length) flush(); }, 5000);
  flush();
  connectSocket();
})();
