/* The countdown. Time is the server's: the page starts from the milliseconds the server rendered (the whole
 * seconds of the guide's field would fire up to a second early) and re-syncs from every save's answer. */

export function formatClock(seconds) {
  seconds = Math.max(0, Math.ceil(seconds));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const mm = (h && m < 10 ? "0" : "") + m;
  return (h ? h + ":" : "") + mm + ":" + (s < 10 ? "0" : "") + s;
}

export class Countdown {
  /** el shows the time left; onTimeUp runs once the clock is a moment past zero (on every tick until the page
   * ends: the caller ignores repeats while it submits). */
  constructor(page, el, remainingMs, onTimeUp) {
    this.page = page;
    this.el = el;
    this.onTimeUp = onTimeUp;
    this.endAt = performance.now() + remainingMs;
  }

  /** The server says how long is left: follow it when the clocks drifted apart. */
  sync(ms) {
    if (typeof ms !== "number") return;
    const target = performance.now() + ms;
    if (Math.abs(target - this.endAt) > 1500) this.endAt = target;
  }

  /** The teacher changed the time: follow it at once. */
  set(ms) {
    this.endAt = performance.now() + ms;
  }

  tick() {
    if (this.page.state.ended) return;
    const left = (this.endAt - performance.now()) / 1000;
    this.el.textContent = formatClock(left);
    this.el.classList.toggle("low", left <= 60);
    this.el.setAttribute("aria-label", "Time remaining " + formatClock(left));
    if (left <= -0.3) this.onTimeUp();  // a moment past zero: the submit must not reach the server before the deadline
  }

  start() {
    this.tick();
    setInterval(() => this.tick(), 250);
  }
}
