/* Autosave that survives reloads and lost connections.
 *
 * Answers are written to localStorage first (the outbox), then sent to POST /api/v1/attempts/{id}/answer as a
 * batch in client_seq order; an entry leaves the outbox only when the server acknowledged that seq (or a newer
 * one). So a reload, a crash or an offline spell never loses an answer: whatever is still in the outbox is put back
 * into the form and re-sent. The server ignores a seq older than the one it stored.
 */

/** The outbox of unsent answers, persisted per attempt. */
export class Outbox {
  constructor(storage, attemptId, minSeq) {
    this.storage = storage;
    this.key = "exam:" + attemptId + ":outbox";
    this.seqKey = "exam:" + attemptId + ":seq";
    this.items = {};
    try {
      this.items = JSON.parse(storage.getItem(this.key) || "{}") || {};
    } catch (e) {
      this.items = {};
    }
    const stored = parseInt(storage.getItem(this.seqKey) || "0", 10) || 0;
    this.seq = Math.max(stored, minSeq || 0);
  }

  persist() {
    try {
      this.storage.setItem(this.key, JSON.stringify(this.items));
      this.storage.setItem(this.seqKey, String(this.seq));
    } catch (e) {
      /* storage full or disabled: the answer is still in memory and in the form */
    }
  }

  put(answer) {
    this.seq += 1;
    answer.client_seq = this.seq;
    this.items[answer.question_id] = answer;
    this.persist();
    return answer;
  }

  batch() {
    const list = [];
    for (const k in this.items) if (Object.prototype.hasOwnProperty.call(this.items, k)) list.push(this.items[k]);
    return list.sort((a, b) => a.client_seq - b.client_seq);
  }

  /** The server acknowledged these (question_id, client_seq): drop entries not newer than that. */
  ack(results) {
    results.forEach((r) => {
      const item = this.items[r.question_id];
      if (item && (r.client_seq === null || r.client_seq === undefined || item.client_seq <= r.client_seq)) {
        delete this.items[r.question_id];
      }
    });
    this.persist();
  }

  size() { return Object.keys(this.items).length; }

  clear() {
    this.items = {};
    try {
      this.storage.removeItem(this.key);
      this.storage.removeItem(this.seqKey);
    } catch (e) { /* ignore */ }
  }
}

/** Sends the outbox: debounced after each change, again after an offline spell or a busy server's Retry-After,
 * and shows the save state ("Saving…", "All answers saved", "Offline — …"). */
export class Autosave {
  constructor(page, el) {
    this.page = page;
    this.el = el;
    this.debounceTimer = null;
  }

  setSaveState(kind, text) {
    this.el.setAttribute("data-state", kind);
    this.el.textContent = text;
  }

  showSaveState() {
    const { state, outbox } = this.page;
    if (state.offline) this.setSaveState("offline", "Offline — answers kept on this device");
    else if (outbox.size() || state.inFlight) this.setSaveState("saving", "Saving…");
    else this.setSaveState("saved", "All answers saved");
  }

  scheduleFlush(delay) {
    clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => this.flush(), delay);
  }

  /** The student changed the answer in this fieldset. */
  answerChanged(answer, delay) {
    if (this.page.state.ended) return;
    this.page.outbox.put(answer);
    this.page.nav.refresh();
    this.showSaveState();
    this.scheduleFlush(delay);
  }

  // Try again in 3 s, or when the server said so (429/503 + Retry-After under load: seconds, plus up to one more
  // second at random so a whole class refused together does not come back together).
  // Until then, the debounce and the 5-second sweep leave the outbox alone (only submitting sends it anyway).
  goOffline(retryAfterSeconds) {
    const state = this.page.state;
    state.offline = true;
    this.showSaveState();
    clearTimeout(state.retryTimer);
    const delay = retryAfterSeconds > 0 ? Math.min(retryAfterSeconds, 120) * 1000 + Math.random() * 1000 : 3000;
    state.holdUntil = retryAfterSeconds > 0 ? Date.now() + delay : 0;
    state.retryTimer = setTimeout(() => { state.holdUntil = 0; this.flush(); }, delay);
  }

  /** Send the whole outbox; resolves true when it is empty afterwards. */
  flush(force) {
    const page = this.page;
    const { state, outbox } = page;
    clearTimeout(this.debounceTimer);
    if (state.inFlight) { state.again = true; return state.inFlight; }
    if (!force && state.holdUntil && Date.now() < state.holdUntil) return Promise.resolve(outbox.size() === 0);
    page.violations.flush();
    // The oldest answers first, at most maxBatch of them (halved after a 413: the body was over the server's limit).
    const batch = outbox.batch().slice(0, state.maxBatch || undefined);
    if (!batch.length) { state.offline = false; this.showSaveState(); return Promise.resolve(true); }
    this.showSaveState();
    state.inFlight = page.api(page.config.answerUrl, { answers: batch }).then((res) => {
      if (res.status === 200) {
        state.offline = false;
        state.holdUntil = 0;
        outbox.ack(res.data.results || []);
        page.timer.sync(res.data.time_remaining_ms);
      } else if (res.status === 413 && batch.length > 1) {
        // Too much text in one request: send the same answers in smaller batches, at once. Nothing is dropped.
        state.maxBatch = Math.ceil(batch.length / 2);
        state.again = true;
      } else if (res.status === 409) {
        outbox.clear();
        page.end(res.data.detail || "This quiz has ended.");
      } else if (res.status === 400 || res.status === 413) {
        // An answer the server will never take (should not happen from this page): drop it, say so.
        outbox.ack(batch);
        page.showBanner("An answer could not be saved: " + (res.data.detail || "invalid answer") + ".");
      } else {
        this.goOffline(res.retryAfter);  // 401/403 (signed out), 429, 5xx: keep everything, try again
        // Issue 17: a quiz's access rule (network, Safe Exam Browser) says why; the answers wait on this device.
        const rule = res.status === 403 && res.data && (res.data.code === "network_not_allowed" || res.data.code === "seb_required");
        if (rule) page.showBanner(res.data.detail + " Your answers are kept on this device.");
        else if (res.status === 401 || res.status === 403) page.showBanner("Your session has expired. Your answers are kept on this device; sign in again in another tab, then come back.");
      }
    }, () => {
      this.goOffline();
    }).then(() => {
      state.inFlight = false;
      this.showSaveState();
      if (!state.ended && (state.again || (!state.offline && outbox.size()))) {
        state.again = false;
        return this.flush();
      }
      return outbox.size() === 0;
    });
    return state.inFlight;
  }
}
