// @ts-check
// The session notes box saves as the technician types, 0.8 s after the last key (htmx's
// `keyup changed delay:800ms`, modules/console/workspace_tools.tsx NotesForm). What was typed in
// those 0.8 s would be lost when the panel is swapped before the delay runs out — the session
// closed and its workspace turns read-only (workspace_follow.js fetches it again), its tab went,
// or the page is left. `flushNotes` sends what the box holds that was not saved yet, first.

/** What the server holds for the box, as far as this page knows. */
const SAVED = "savedNote";

/** @param {HTMLTextAreaElement} box */
const savedOf = (box) => box.dataset[SAVED] ?? box.defaultValue;

/**
 * Sends every notes box under `root` whose text differs from what was last saved; resolves when
 * the server has answered (so a panel fetched afterwards shows the note). `leaving`: the page is
 * going away — a beacon, which the browser delivers after the page is gone (a fetch, even with
 * `keepalive`, was cut off by the navigation in Chromium).
 * @param {ParentNode} root
 * @param {{ leaving?: boolean }} [options]
 * @returns {Promise<void>}
 */
export async function flushNotes(root, options = {}) {
  const sends = [];
  for (const box of root.querySelectorAll(".notes-form textarea[name=note]")) {
    if (!(box instanceof HTMLTextAreaElement) || !box.form) continue;
    const before = savedOf(box);
    if (box.value === before) continue;
    box.dataset[SAVED] = box.value;
    const body = new URLSearchParams(
      /** @type {Record<string, string>} */ (Object.fromEntries(new FormData(box.form))),
    );
    if (options.leaving) {
      if (!navigator.sendBeacon(box.form.action, body)) box.dataset[SAVED] = before;
      continue;
    }
    sends.push(
      fetch(box.form.action, { method: "POST", body, headers: { "HX-Request": "true" } }).then(
        (answer) => {
          if (!answer.ok) box.dataset[SAVED] = before;
        },
        () => box.dataset[SAVED] = before,
      ),
    );
  }
  await Promise.all(sends);
}

// htmx's own saves: what it sent is what the server holds.
document.addEventListener("htmx:beforeRequest", (event) => {
  const box = event.target;
  if (box instanceof HTMLTextAreaElement && box.name === "note") {
    box.dataset.sendingNote = box.value;
  }
});
document.addEventListener("htmx:afterRequest", (event) => {
  const box = event.target;
  const ok = /** @type {CustomEvent<{ successful?: boolean }>} */ (event).detail?.successful;
  if (!(box instanceof HTMLTextAreaElement) || box.name !== "note" || !ok) return;
  if (box.dataset.sendingNote !== undefined) box.dataset[SAVED] = box.dataset.sendingNote;
});

// Leaving the page (closing it, a reload, another address): what is still unsaved goes along.
addEventListener("pagehide", () => void flushNotes(document, { leaving: true }));
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") void flushNotes(document, { leaving: true });
});
