// @ts-check
// An open workspace follows its session's row in the queue (issue 13, "state that is true").
// The row is the server's word, brought by the console's live stream: when the technician's own
// row changes status, the workspace's status badge says the same; when it stops or starts being
// worked (transferred — Outgoing —, returned, ended for them), the panel is fetched again, so it
// shows the session as it is now — read-only, without a remote view (the island unmounts and
// stops reconnecting) — instead of "Active" and "Connection to the server lost". The note typed
// in the last moments before is saved first (notes_flush.js), or the fetched panel would drop it.
import { flushNotes } from "./notes_flush.js";

/**
 * Statuses in which the technician works the session (WORKING_STATUSES, modules/sessions) —
 * a collaborator's too, so its panel turns read-only when the session closes under it.
 */
const WORKING = new Set([
  "active",
  "on_hold",
  "reconnecting",
  "offline",
  "rebooting",
  "collaborating",
]);

/** @param {HTMLElement} panel */
function refetch(panel) {
  const id = panel.dataset.activeSession;
  const htmx =
    /** @type {{ htmx?: { ajax(verb: string, url: string, o: object): Promise<void> } }} */ (
      globalThis
    ).htmx;
  if (!id || !htmx || !panel.isConnected || panel.dataset.refetching) return;
  panel.dataset.refetching = "1";
  flushNotes(panel)
    .then(() => htmx.ajax("GET", `/console/sessions/${id}`, { target: panel, swap: "outerHTML" }))
    .catch(() => delete panel.dataset.refetching);
}

/**
 * Lines a status change wrote (held, resumed, transferred, the status line itself) reach the
 * open log: the log is read again and the lines it does not show yet are appended.
 * @param {string} id
 */
async function refreshLog(id) {
  const log = document.getElementById(`log-${id}`);
  if (!log) return;
  const answer = await fetch(`/console/sessions/${encodeURIComponent(id)}/log`, {
    headers: { "HX-Request": "true" },
  }).catch(() => null);
  if (!answer?.ok) return;
  const fresh = new DOMParser().parseFromString(await answer.text(), "text/html");
  for (const line of fresh.querySelectorAll(`#log-${CSS.escape(id)} > li[id]`)) {
    if (document.getElementById(line.id)) continue;
    // In the log's order: a chat line the stream brought meanwhile may already be further on.
    const at = Number(/** @type {HTMLElement} */ (line).dataset.logId);
    const after = [...log.children].find((shown) =>
      Number(/** @type {HTMLElement} */ (shown).dataset.logId) > at
    );
    log.insertBefore(document.importNode(line, true), after ?? null);
  }
}

/** Brings every open workspace in line with its own row (rows of others are not its truth). */
function follow() {
  for (const panel of document.querySelectorAll("[data-active-session]")) {
    if (!(panel instanceof HTMLElement)) continue;
    const id = panel.dataset.activeSession ?? "";
    const row = document.querySelector(
      `#queue tr[data-session="${CSS.escape(id)}"][data-visibility=own]`,
    );
    /** @type {HTMLElement | null} */
    const badge = panel.querySelector(".workspace-head .session-status");
    if (!(row instanceof HTMLElement) || !badge) continue;
    const now = row.dataset.status ?? "";
    const shown = badge.dataset.status ?? "";
    if (now === shown) continue;
    if (WORKING.has(now) !== WORKING.has(shown)) {
      refetch(panel);
      continue;
    }
    badge.dataset.status = now;
    badge.textContent = row.querySelector(".c-status")?.textContent ?? now;
    refreshLog(id);
  }
}

const queue = document.getElementById("queue");
if (queue) {
  new MutationObserver(follow).observe(queue, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["data-status"],
  });
  // A panel swapped in (a tab opened, a refetch) is checked against the rows it arrives to.
  document.addEventListener("htmx:afterSettle", follow);
}
