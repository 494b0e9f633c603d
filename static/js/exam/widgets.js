/* Issue 15's answer widgets (templates/attempts/_answer_widget.html): read a structured answer from the form,
 * put one back (a reload restores what the outbox had not sent yet), and the ordering list's Move up / Move down.
 * Everything is a native control (checkbox, select, text input, button), so keyboard, touch and screen readers
 * work as they do for the guide's types. The shapes are quizzes/types/__init__.py's. */

export function isStructured(fs) {
  return fs.hasAttribute("data-structured");
}

/** The answer of a structured question: {question_id, response}; response null when nothing is given. */
export function readStructured(fs) {
  const qid = fs.getAttribute("data-qid");
  const type = fs.getAttribute("data-type");
  let response = null;
  if (type === "multiple_response") {
    const chosen = [];
    fs.querySelectorAll("input[type=checkbox][data-choice]").forEach((c) => { if (c.checked) chosen.push(parseInt(c.value, 10)); });
    response = chosen.length ? chosen : null;
  } else if (type === "matching") {
    const picks = [];
    fs.querySelectorAll("select[data-prompt]").forEach((s) => { picks.push(s.value === "" ? null : s.value); });
    response = picks.some((p) => p !== null) ? picks : null;
  } else if (type === "ordering") {
    const list = fs.querySelector("ol.ordering");
    if (list && list.hasAttribute("data-touched")) {
      response = Array.prototype.map.call(list.querySelectorAll("li[data-item]"), (li) => li.getAttribute("data-item"));
    }
  } else if (type === "cloze") {
    const blanks = {};
    let any = false;
    fs.querySelectorAll("input[data-blank]").forEach((i) => {
      if (i.value.trim()) { blanks[i.getAttribute("data-blank")] = i.value; any = true; }
    });
    response = any ? blanks : null;
  }
  return { question_id: qid, response: response };
}

export function writeStructured(fs, response) {
  const type = fs.getAttribute("data-type");
  if (type === "multiple_response") {
    const chosen = Array.isArray(response) ? response : [];
    fs.querySelectorAll("input[type=checkbox][data-choice]").forEach((c) => { c.checked = chosen.indexOf(parseInt(c.value, 10)) !== -1; });
  } else if (type === "matching") {
    const picks = Array.isArray(response) ? response : [];
    fs.querySelectorAll("select[data-prompt]").forEach((s) => {
      const v = picks[parseInt(s.getAttribute("data-prompt"), 10)];
      s.value = v === null || v === undefined ? "" : v;
    });
  } else if (type === "ordering") {
    const list = fs.querySelector("ol.ordering");
    if (!list || !Array.isArray(response)) return;
    const byText = {};
    list.querySelectorAll("li[data-item]").forEach((li) => { byText[li.getAttribute("data-item")] = li; });
    response.forEach((text) => { if (byText[text]) list.appendChild(byText[text]); });
    list.setAttribute("data-touched", "");
  } else if (type === "cloze") {
    const blanks = response && typeof response === "object" ? response : {};
    fs.querySelectorAll("input[data-blank]").forEach((i) => { i.value = blanks[i.getAttribute("data-blank")] || ""; });
  }
}

/** Move up / Move down in ordering lists (and Alt+ArrowUp / Alt+ArrowDown on a move button). A move is announced
 * and reported as a change of the fieldset, which the exam page autosaves. */
export function installOrdering(root) {
  root.querySelectorAll("ol.ordering").forEach((list) => {
    const status = list.parentNode.querySelector("[data-order-status]");
    function move(li, step) {
      const items = Array.prototype.slice.call(list.querySelectorAll("li[data-item]"));
      const at = items.indexOf(li);
      const to = at + step;
      if (to < 0 || to >= items.length) return false;
      if (step < 0) list.insertBefore(li, items[to]); else list.insertBefore(items[to], li);
      list.setAttribute("data-touched", "");
      if (status) status.textContent = "“" + li.getAttribute("data-item") + "” is now number " + (to + 1) + " of " + items.length + ".";
      list.dispatchEvent(new Event("change", { bubbles: true }));
      return true;
    }
    list.addEventListener("click", (e) => {
      const button = e.target.closest("button[data-move]");
      if (!button) return;
      const li = button.closest("li[data-item]");
      if (move(li, parseInt(button.getAttribute("data-move"), 10))) button.focus();
    });
    list.addEventListener("keydown", (e) => {
      if (!e.altKey || (e.key !== "ArrowUp" && e.key !== "ArrowDown")) return;
      const button = e.target.closest("button[data-move]");
      if (!button) return;
      e.preventDefault();
      const li = button.closest("li[data-item]");
      if (move(li, e.key === "ArrowUp" ? -1 : 1)) button.focus();
    });
  });
}
