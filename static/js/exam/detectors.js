/* The anti-cheating detectors and the violation reports they send (POST /api/v1/attempts/{id}/violations):
 * leaving the tab or window, leaving fullscreen, copy/cut/paste, right-click, the quiz open in a second window.
 * Reports are queued and sent one at a time, in order; offline they wait for the next flush. */

/** One user action → one violation. Leaving the page fires blur AND visibilitychange (and, in fullscreen,
 * fullscreenchange): the signals of one "away" episode are collected for a moment and reported once, as the
 * strongest kind. The next episode starts only after the student is back (visible and focused).
 *
 * Issue 17: a focus loss (tab switch, window blur) carries how long the student was away (`duration_ms`), so the
 * server can tell a notification's blip from leaving the quiz: one back within `maxAwayMs` (the quiz's tolerance)
 * is reported on the return with its short duration; one still away then is reported at once (`ongoing`), so the
 * teacher sees it live and a student who never comes back is still counted. With no tolerance this is the old
 * timing. Leaving fullscreen while still on the page is reported at once. */
export class AwayTracker {
  constructor(report, opts) {
    this.report = report;
    this.windowMs = (opts && opts.windowMs) || 400;
    this.maxAwayMs = (opts && typeof opts.maxAwayMs === "number") ? opts.maxAwayMs : 30000;
    this.now = (opts && opts.now) || (() => Date.now());
    this.episode = null;
  }

  /** `at`: when the student actually left, if earlier than now (a blur judged later). */
  signal(kind, at) {
    if (this.episode && this.episode.reported) return;
    if (!this.episode) {
      this.episode = { kinds: {}, reported: false, start: at || this.now(), backAt: null, kind: null };
      this.episode.timer = setTimeout(() => this.decide(), this.windowMs);
    }
    this.episode.kinds[kind] = true;
  }

  decide() {
    const ep = this.episode;
    if (!ep || ep.reported || ep.kind) return;
    ep.kind = ep.kinds.tab_switch ? "tab_switch" : ep.kinds.fullscreen_exit ? "fullscreen_exit" : "focus_lost";
    if (ep.kind === "fullscreen_exit" || ep.backAt !== null) { this.send(ep, false); return; }
    const wait = this.maxAwayMs - (this.now() - ep.start);
    if (wait <= 0) this.send(ep, true);
    else ep.timer = setTimeout(() => this.send(ep, true), wait);
  }

  send(ep, ongoing) {
    if (ep.reported) return;
    ep.reported = true;
    clearTimeout(ep.timer);
    const extra = {};
    if (ep.kind !== "fullscreen_exit") {
      extra.duration_ms = Math.max(0, Math.round((ep.backAt !== null ? ep.backAt : this.now()) - ep.start));
      if (ongoing) extra.ongoing = true;
    }
    if (ep.backAt !== null && this.episode === ep) this.episode = null;
    this.report(ep.kind, extra);
  }

  flush() {
    if (this.episode && !this.episode.kind) { clearTimeout(this.episode.timer); this.decide(); }
  }

  /** The student is back (visible + focused). */
  back() {
    const ep = this.episode;
    if (!ep) return;
    if (ep.reported) { this.episode = null; return; }
    if (ep.backAt === null) ep.backAt = this.now();
    if (ep.kind) this.send(ep, false);  // decided and waiting for the return; otherwise decide() sends it
  }
}

// The kinds an accommodation's focus-loss exemption covers (attempts.services.FOCUS_TYPES).
const FOCUS_KINDS = ["tab_switch", "focus_lost", "fullscreen_exit", "multiple_windows"];

const VIOLATION_TEXT = {
  tab_switch: "you left the quiz tab",
  focus_lost: "the quiz window lost focus",
  fullscreen_exit: "you left fullscreen",
  copy_attempt: "copying is not allowed",
  paste_attempt: "pasting is not allowed",
  right_click: "right-clicking is not allowed",
  multiple_windows: "the quiz is open in another window",
};

// A window blur this soon after a Tab key is focus moving to the browser's toolbar, not to another window; still
// away this long after it, it counts.
const TAB_BLUR_MS = 1000;
const TAB_AWAY_MS = 10000;

export function inFullscreen() { return !!document.fullscreenElement; }

export function enterFullscreen(state) {
  const el = document.documentElement;
  if (!el.requestFullscreen) return Promise.resolve(false);
  return el.requestFullscreen().then(() => { state.wasFullscreen = true; return true; }, () => false);
}

export class Violations {
  constructor(page) {
    this.page = page;
    this.pending = [];
    this.inFlight = false;
    // Away longer than the quiz's tolerance counts: report it then, without waiting for the return.
    const maxAwayMs = (page.config.toleranceMs || 0) + 150;
    this.away = new AwayTracker((kind, extra) => { this.report(kind, extra); this.maybeBack(); }, { maxAwayMs });
    this.explainShown = false;
  }

  /** Issue 17: "violation 2 of 3" only when the quiz auto-submits at the threshold. */
  get countsDown() { return this.page.config.violationAction !== "flag"; }

  /** Issue 17: after a flag, the student may tell the teacher what happened (the quiz goes on). */
  showExplain() {
    const { $ } = this.page;
    const box = $("exam-explain");
    if (!box || this.explainShown) return;
    this.explainShown = true;
    box.hidden = false;
  }

  report(kind, extra) {
    const { state, showBanner } = this.page;
    if (!state.active || state.ended) return;
    const now = Date.now();
    // Entering fullscreen can itself blur the window for a moment: not the student's doing.
    if ((kind === "focus_lost" || kind === "tab_switch") && now - state.activeSince < 1000) return;
    if (kind !== "tab_switch" && kind !== "focus_lost" && state.lastViolation[kind] && now - state.lastViolation[kind] < 1000) return;
    state.lastViolation[kind] = now;
    const body = { violation_type: kind, question_index: state.current, metadata: extra || {} };
    body.metadata.client_time = new Date(now).toISOString();
    if (extra && typeof extra.duration_ms === "number") body.duration_ms = extra.duration_ms;
    // A blip under the quiz's tolerance is logged for the teacher but not counted: no warning for it.
    const blip = typeof body.duration_ms === "number" && body.duration_ms < (this.page.config.toleranceMs || 0);
    const exempt = this.page.config.focusExempt && FOCUS_KINDS.indexOf(kind) >= 0;
    if (!blip && !exempt) showBanner("Warning: " + VIOLATION_TEXT[kind] + ".");
    this.pending.push(body);
    this.flush();
  }

  flush() {
    const page = this.page;
    const { state, config } = page;
    if (this.inFlight || !this.pending.length || state.ended) return;
    this.inFlight = true;
    const body = this.pending[0];
    page.api(config.violationUrl, body).then((res) => {
      this.inFlight = false;
      if (res.status === 201 || res.status === 200) {
        this.pending.shift();
        state.violations = res.data.total_violations;
        const limit = res.data.violation_threshold || config.threshold;
        if (res.data.counted === false) {
          // logged only (a blip, an exempt student): nothing to warn about
        } else if (this.countsDown) {
          page.showBanner("Violation " + state.violations + " of " + limit + ": " + VIOLATION_TEXT[body.violation_type] + ".");
        } else {
          page.showBanner("Recorded for your teacher: " + VIOLATION_TEXT[body.violation_type] + ".");
        }
        if (res.data.flagged) this.showExplain();
        if (res.data.auto_submit) {
          page.outbox.clear();
          page.end("Your quiz was submitted automatically because it reached " + limit + " violations (the last one: " + VIOLATION_TEXT[body.violation_type] + ").");
          return;
        }
        this.flush();
      } else if (res.status === 409) {
        this.pending = [];
        page.outbox.clear();
        page.end(res.data.detail || "This quiz has ended.");
      } else if (res.status === 400) {
        this.pending.shift();
        this.flush();
      }
      // other statuses: kept, re-sent with the next flush
    }, () => {
      this.inFlight = false;  // offline: kept, re-sent when the connection returns
    });
  }

  maybeBack() {
    if (document.visibilityState === "visible" && document.hasFocus()) this.away.back();
  }

  /** A second window of this attempt was found: report it once, when the exam is running. */
  reportOtherWindow() {
    const state = this.page.state;
    if (!state.otherWindow || state.reportedWindows || !state.active) return;
    state.reportedWindows = true;
    this.report("multiple_windows");
  }

  install() {
    const { state, config, $ } = this.page;
    const explain = $("exam-explain");
    if (explain) {
      if (config.flagged) this.showExplain();
      explain.addEventListener("submit", (e) => {
        e.preventDefault();
        const text = $("exam-explain-text").value.trim();
        const status = $("exam-explain-status");
        if (!text) { status.textContent = "Write your explanation first."; return; }
        status.textContent = "Sending…";
        this.page.api(config.explanationUrl, { explanation: text }).then((res) => {
          status.textContent = res.status === 200 ? "Sent to your teacher." : (res.data.detail || "Could not send; try again.");
        }, () => { status.textContent = "You are offline; try again in a moment."; });
      });
    }
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") this.away.signal("tab_switch"); else this.maybeBack();
    });
    // Tab (or Shift+Tab) that takes focus out of the page lands on the browser's own toolbar: the window blurs,
    // but the student is still here. Such a blur is not counted, unless the window stays unfocused well past what
    // tabbing back in takes (going on to another window from the toolbar is leaving the quiz).
    let lastTabAt = -Infinity;
    let stillAway = null;
    document.addEventListener("keydown", (e) => { if (e.key === "Tab") lastTabAt = Date.now(); }, true);
    window.addEventListener("blur", () => {
      clearTimeout(stillAway);
      if (Date.now() - lastTabAt < TAB_BLUR_MS) {
        const blurAt = Date.now();
        stillAway = setTimeout(() => { if (!document.hasFocus()) this.away.signal("focus_lost", blurAt); }, TAB_AWAY_MS);
        return;
      }
      this.away.signal("focus_lost");
    });
    window.addEventListener("focus", () => { clearTimeout(stillAway); this.maybeBack(); });
    document.addEventListener("fullscreenchange", () => {
      if (inFullscreen()) {
        $("exam-refullscreen").hidden = true;
        return;
      }
      if (state.wasFullscreen && state.active && !state.ended) {
        this.away.signal("fullscreen_exit");
        $("exam-refullscreen").hidden = false;
      }
    });
    ["copy", "cut"].forEach((type) => {
      document.addEventListener(type, (e) => { if (state.active) { e.preventDefault(); this.report("copy_attempt", { event: type }); } });
    });
    document.addEventListener("paste", (e) => { if (state.active) { e.preventDefault(); this.report("paste_attempt"); } });
    document.addEventListener("contextmenu", (e) => { if (state.active) { e.preventDefault(); this.report("right_click"); } });

    // A second window of the same attempt: the newcomer says hello, the one already open answers; the newcomer
    // reports it (once), so one action is one violation.
    const me = Math.random().toString(36).slice(2);
    const onMessage = (msg) => {
      if (!msg || msg.from === me || msg.attempt !== config.attemptId) return;
      if (msg.type === "hello") {
        send({ type: "here", to: msg.from });
        this.page.showBanner("This quiz was opened in another window. Keep only one window open.");
      } else if (msg.type === "here" && msg.to === me) {
        state.otherWindow = true;
        this.reportOtherWindow();
      }
    };
    let send;
    if (window.BroadcastChannel) {
      const channel = new BroadcastChannel("exam-" + config.attemptId);
      channel.onmessage = (e) => { onMessage(e.data); };
      send = (msg) => { msg.from = me; msg.attempt = config.attemptId; channel.postMessage(msg); };
    } else {
      const key = "exam:" + config.attemptId + ":bus";
      window.addEventListener("storage", (e) => { if (e.key === key && e.newValue) { try { onMessage(JSON.parse(e.newValue)); } catch (err) { /* ignore */ } } });
      send = (msg) => { msg.from = me; msg.attempt = config.attemptId; msg.t = Date.now(); try { localStorage.setItem(key, JSON.stringify(msg)); } catch (err) { /* ignore */ } };
    }
    send({ type: "hello" });
  }
}
