/* The exam page (an ES module; its parts live in ./exam/): autosave that survives reloads and lost connections
 * (outbox.js), a countdown synced with the server (timer.js), the question navigator (navigator.js), the
 * anti-cheating detectors (detectors.js) and the teacher's live events (live.js). This module holds the page's
 * state, wires the parts together, and owns the two ways an exam ends: submitting, and being ended.
 *
 * The page works without this script (plain form post to the submit page); with it, the form shows one
 * question at a time.
 */
import { postJSON } from "./exam/api.js";
import { AwayTracker, Violations, enterFullscreen } from "./exam/detectors.js";
import { connectLive, onServerEvent } from "./exam/live.js";
import { Navigator, keepTabInside, readAnswer, writeAnswer } from "./exam/navigator.js";
import { Autosave, Outbox } from "./exam/outbox.js";
import { installOrdering } from "./exam/widgets.js";
import { Countdown, formatClock } from "./exam/timer.js";

// The pure parts, for the browser tests.
window.ExamCore = { formatClock: formatClock, Outbox: Outbox, AwayTracker: AwayTracker };

const configEl = document.getElementById("exam-config");
if (configEl) run(JSON.parse(configEl.textContent));

function run(config) {
  const $ = (id) => document.getElementById(id);
  const outbox = new Outbox(window.localStorage, config.attemptId, config.maxSeq);
  const state = { current: 0, ended: false, active: false, inFlight: false, again: false, wasFullscreen: false,
                  violations: config.totalViolations, lastViolation: {}, retryTimer: null, submitting: false };
  document.body.classList.add("exam-js");

  // What the parts share: each reaches the others through here when it runs.
  const page = {
    config: config,
    state: state,
    outbox: outbox,
    $: $,
    api: (url, body, timeoutMs) => postJSON(url, body, config.csrfToken, timeoutMs),
    showBanner: (text) => {
      $("exam-banner-text").textContent = text;
      $("exam-banner").hidden = false;
    },
    end: end,
  };
  page.nav = new Navigator(page);
  page.autosave = new Autosave(page, $("exam-save"));
  page.violations = new Violations(page);
  page.timer = new Countdown(page, $("exam-timer"), config.timeRemainingMs, timeUp);
  window.ExamPage = { outbox: outbox, state: state, config: config, onServerEvent: (msg) => onServerEvent(page, msg) };

  const { nav, autosave, violations, timer } = page;

  function timeUp() {
    if (state.ended || state.submitting) return;
    page.showBanner("Time is up. Submitting your quiz…");
    submitNow("Time ran out, so your quiz was submitted with the answers you had saved.");
  }

  function submitNow(reasonIfEnded) {
    if (state.submitting) return;
    state.submitting = true;
    autosave.setSaveState("saving", "Submitting…");
    autosave.flush(true).then(() => page.api(config.submitUrl, reasonIfEnded ? { reason: "time_up" } : {})).then((res) => {
      state.submitting = false;
      if (res.status === 409 && res.data.code === "time_remaining") {
        // The teacher gave more time: carry on.
        timer.set(res.data.time_remaining_ms);
        page.showBanner("Your teacher gave you more time.");
        autosave.showSaveState();
        return;
      }
      if (res.status === 200 || res.status === 409) {
        outbox.clear();
        if (reasonIfEnded) end(reasonIfEnded);
        else window.location.assign(config.resultUrl);
      } else {
        autosave.goOffline();
        page.showBanner("The quiz could not be submitted yet (" + (res.data.detail || res.status) + "). Your answers are kept on this device; trying again…");
        setTimeout(() => { submitNow(reasonIfEnded); }, 3000);
      }
    }, () => {
      state.submitting = false;
      autosave.goOffline();
      page.showBanner("You are offline. Your answers are kept on this device and the quiz will be submitted when the connection returns.");
      setTimeout(() => { submitNow(reasonIfEnded); }, 3000);
    });
  }

  function end(reason) {
    if (state.ended) return;
    state.ended = true;
    state.active = false;
    nav.closeDialog();
    $("exam-ended-reason").textContent = reason;
    $("exam-ended").hidden = false;
    $("exam-body").hidden = true;
    $("exam-gate").hidden = true;
    autosave.setSaveState("ended", "Quiz ended");
    if (document.fullscreenElement && document.exitFullscreen) document.exitFullscreen().catch(() => {});
    $("exam-result-link").focus();
  }

  function begin() {
    $("exam-gate").hidden = true;
    $("exam-body").hidden = false;
    state.active = true;
    state.activeSince = Date.now();
    nav.show(state.current);
    nav.focusQuestion();
    violations.reportOtherWindow();
  }

  // Put back what this device has not sent yet (newer than what the server rendered), then send it.
  outbox.batch().forEach((answer) => {
    const fs = nav.fieldsetOf(answer.question_id);
    if (fs) writeAnswer(fs, answer); else delete outbox.items[answer.question_id];
  });

  nav.fieldsets.forEach((fs) => {
    fs.addEventListener("change", () => autosave.answerChanged(readAnswer(fs), 300));
    fs.addEventListener("input", (e) => {
      if (e.target.type !== "radio") autosave.answerChanged(readAnswer(fs), 1500);
    });
  });
  nav.install();
  installOrdering($("exam-form"));
  keepTabInside($("exam"), () => state.active && !state.ended);
  $("exam-form").addEventListener("submit", (e) => { e.preventDefault(); nav.confirmSubmit(); });
  $("exam-confirm-no").addEventListener("click", () => nav.closeDialog());
  $("exam-confirm-yes").addEventListener("click", () => { nav.closeDialog(); submitNow(null); });
  $("exam-refullscreen").addEventListener("click", () => { enterFullscreen(state); });
  $("exam-begin").addEventListener("click", () => { enterFullscreen(state).then(begin); });
  window.addEventListener("online", () => { state.offline = false; state.holdUntil = 0; autosave.flush(); });
  window.addEventListener("offline", () => { autosave.goOffline(); });
  window.addEventListener("pagehide", () => { outbox.persist(); });

  violations.install();
  $("exam-body").hidden = true;
  $("exam-gate").hidden = false;
  $("exam-begin").focus();
  nav.show(0);
  timer.start();
  setInterval(() => { if (outbox.size() || violations.pending.length) autosave.flush(); }, 5000);
  autosave.flush();
  connectLive(page);
}
