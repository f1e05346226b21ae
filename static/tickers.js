// @ts-check
// The ticking "time in status" and "total time" cells (`<time class="ticker" data-since>`)
// of the console and the monitor page.

/** @param {number} n */
const pad = (n) => String(n).padStart(2, "0");

/** "m:ss", or "h:mm:ss" from an hour. @param {number} ms */
export function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/** Sets every ticker under `root` to the time since its `data-since`. @param {number} now */
export function tickTimers(now, root = document) {
  for (const el of root.querySelectorAll("time.ticker[data-since]")) {
    el.textContent = duration(now - Date.parse(el.getAttribute("data-since") ?? ""));
  }
}
