/* The questions one at a time: the navigator (answered / flagged / current), previous / next, reading and restoring
 * an answer in the form, flagging a question for review and the summary before submitting (issue 16: every question
 * answered / not answered / flagged, each a way back, and the time left), and Tab kept inside the exam. */

import { isStructured, readStructured, writeStructured } from "./widgets.js";

export function readAnswer(fs) {
  if (isStructured(fs)) return readStructured(fs);
  const qid = fs.getAttribute("data-qid");
  const radios = fs.querySelectorAll("input[type=radio]");
  if (radios.length) {
    const chosen = fs.querySelector("input[type=radio]:checked");
    return { question_id: qid, answer_option: chosen ? parseInt(chosen.value, 10) : null };
  }
  const field = fs.querySelector("textarea, input[type=text]");
  return { question_id: qid, answer_text: field ? field.value : "" };
}

export function writeAnswer(fs, answer) {
  if (isStructured(fs)) {
    writeStructured(fs, answer.response);
  } else if ("answer_option" in answer) {
    fs.querySelectorAll("input[type=radio]").forEach((r) => {
      r.checked = answer.answer_option !== null && parseInt(r.value, 10) === answer.answer_option;
    });
  } else {
    const field = fs.querySelector("textarea, input[type=text]");
    if (field) field.value = answer.answer_text || "";
  }
}

export function isAnswered(fs) {
  const a = readAnswer(fs);
  if ("response" in a) return a.response !== null;
  return "answer_option" in a ? a.answer_option !== null : !!(a.answer_text || "").trim();
}

/** Issue 16: whether the student flagged this question for review (its toggle button's aria-pressed). */
export function isFlagged(fs) {
  const b = fs.querySelector("[data-flag]");
  return !!b && b.getAttribute("aria-pressed") === "true";
}

export class Navigator {
  constructor(page) {
    this.page = page;
    this.fieldsets = Array.prototype.slice.call(document.querySelectorAll(".exam-q"));
    this.buttons = Array.prototype.slice.call(document.querySelectorAll(".navq"));
  }

  fieldsetOf(questionId) {
    return document.querySelector('.exam-q[data-qid="' + questionId + '"]');
  }

  refresh() {
    const state = this.page.state;
    this.fieldsets.forEach((fs, i) => {
      const b = this.buttons[i];
      if (!b) return;
      const done = isAnswered(fs);
      const flagged = isFlagged(fs);
      b.classList.toggle("answered", done);
      b.classList.toggle("flagged", flagged);
      b.classList.toggle("current", i === state.current);
      b.setAttribute("aria-label", "Question " + (i + 1) + (done ? ", answered" : ", not answered") +
        (flagged ? ", flagged" : ""));
      if (i === state.current) b.setAttribute("aria-current", "step"); else b.removeAttribute("aria-current");
    });
  }

  show(index) {
    const { state, $ } = this.page;
    state.current = Math.max(0, Math.min(this.fieldsets.length - 1, index));
    this.fieldsets.forEach((fs, i) => { fs.classList.toggle("is-current", i === state.current); });
    $("exam-prev").disabled = state.current === 0;
    $("exam-next").disabled = state.current === this.fieldsets.length - 1;
    this.refresh();
  }

  focusQuestion() {
    const fs = this.fieldsets[this.page.state.current];
    const target = fs && fs.querySelector("input:checked, input, textarea, select, ol.ordering button");
    if (target) target.focus();
  }

  go(index) {
    this.show(index);
    this.focusQuestion();
  }

  confirmSubmit() {
    const $ = this.page.$;
    const missing = [];
    const flagged = [];
    this.fieldsets.forEach((fs, i) => {
      if (!isAnswered(fs)) missing.push(i);
      if (isFlagged(fs)) flagged.push(i);
    });
    const answered = this.fieldsets.length - missing.length;
    const timer = $("exam-timer");
    const left = timer && timer.textContent.trim() ? " Time left: " + timer.textContent.trim() + "." : "";
    $("exam-confirm-text").textContent = (missing.length
      ? missing.length + " question" + (missing.length > 1 ? "s are" : " is") + " not answered. "
      : "All questions are answered. ") +
      answered + " answered, " + flagged.length + " flagged for review." + left +
      " You cannot change your answers after submitting.";
    const body = $("exam-summary").querySelector("tbody");
    body.innerHTML = "";
    this.fieldsets.forEach((fs, i) => {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      const b = document.createElement("button");
      b.type = "button";
      b.className = "link";
      b.textContent = "Question " + (i + 1);
      b.setAttribute("data-summary-goto", String(i));
      b.addEventListener("click", () => { this.closeDialog(); this.go(i); });
      th.appendChild(b);
      const a = document.createElement("td");
      a.textContent = isAnswered(fs) ? "Answered" : "Not answered";
      const f = document.createElement("td");
      f.textContent = isFlagged(fs) ? "⚑ Flagged" : "—";
      tr.append(th, a, f);
      body.appendChild(tr);
    });
    const dlg = $("exam-confirm");
    if (dlg.showModal) dlg.showModal(); else dlg.setAttribute("open", "");
    $("exam-confirm-no").focus();
  }

  /** Issue 16: flag or unflag at once on the page, then on the server (its own endpoint, not the autosave); a
   * refused or failed request puts the flag back and says so. */
  toggleFlag(fs, button) {
    const flagged = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", flagged ? "true" : "false");
    this.refresh();
    const body = { question_id: fs.getAttribute("data-qid"), flagged: flagged };
    const undo = () => {
      button.setAttribute("aria-pressed", flagged ? "false" : "true");
      this.refresh();
      this.page.showBanner("The flag could not be saved. Please try again.");
    };
    this.page.api(this.page.config.flagUrl, body).then((res) => { if (res.status !== 200) undo(); }, undo);
  }

  closeDialog() {
    const dlg = this.page.$("exam-confirm");
    if (dlg.close) dlg.close(); else dlg.removeAttribute("open");
  }

  install() {
    const { state, $ } = this.page;
    this.buttons.forEach((b) => {
      b.addEventListener("click", () => this.go(parseInt(b.getAttribute("data-goto"), 10)));
    });
    $("exam-prev").addEventListener("click", () => this.go(state.current - 1));
    this.fieldsets.forEach((fs) => {
      const b = fs.querySelector("[data-flag]");
      if (b) b.addEventListener("click", () => this.toggleFlag(fs, b));
    });
    $("exam-next").addEventListener("click", () => this.go(state.current + 1));
  }
}

const TABBABLE = "a[href], button, input, select, textarea, [tabindex]";

/** The places Tab stops at inside root, in order; each is a list of elements (a radio group is one stop). */
export function tabStops(root) {
  const stops = [];
  const groups = {};
  root.querySelectorAll(TABBABLE).forEach((el) => {
    if (el.disabled || el.tabIndex < 0 || el.closest("[hidden], [inert]") || !el.getClientRects().length) return;
    if (el.type === "radio" && el.name) {
      if (groups[el.name]) { groups[el.name].push(el); return; }
      groups[el.name] = [el];
      stops.push(groups[el.name]);
      return;
    }
    stops.push([el]);
  });
  return stops;
}

function focusStop(stop, backwards) {
  const target = stop.find((el) => el.checked) || (backwards ? stop[stop.length - 1] : stop[0]);
  target.focus();
}

/** Tab past the last control of the exam goes back to the first (Shift+Tab: the other way round), so a keyboard
 * user never tabs out into the browser's own toolbar, which the page sees as the window losing focus. While the
 * submit dialog is open, Tab stays in the dialog. `when()` says whether to hold focus (the exam is running). */
export function keepTabInside(container, when) {
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Tab" || e.altKey || e.ctrlKey || e.metaKey || !when()) return;
    const root = container.querySelector("dialog[open]") || container;
    const stops = tabStops(root);
    if (!stops.length) return;
    const active = document.activeElement;
    const at = stops.findIndex((stop) => stop.indexOf(active) !== -1);
    const outside = active && active !== document.body && !root.contains(active);
    const edge = e.shiftKey ? at === 0 : at === stops.length - 1;
    if (!edge && !outside) return;
    e.preventDefault();
    focusStop(e.shiftKey ? stops[stops.length - 1] : stops[0], e.shiftKey);
  });
}
