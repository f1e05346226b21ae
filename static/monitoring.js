// @ts-check
// The monitor page (modules/monitoring views.tsx, SPEC K4), live from its events:
//   queue       the technician's whole <tbody> (the console's stream, narrowed to them)
//   rows        one session's rows: a session that opened gets its card (log, picture,
//               Join), one that closed loses it
//   log         a new log line of one of the sessions, appended to its card's log
//   monitoring  the monitoring's status moved, as { status, reason, message }: allowed, the
//               page reloads (queue, sessions); over — refused, stopped, the technician
//               signed out, the admin's right gone — the page says why and stops listening
import { liveSource } from "./live_source.js";
import { tickTimers } from "./tickers.js";

const UUID = /^[0-9a-f-]{36}$/;
const root = document.getElementById("monitor-root");
/** @param {string} html */
const parse = (html) => new DOMParser().parseFromString(html, "text/html").body;

if (root?.dataset.events) {
  const page = root;
  // Timers count in the server's time, as on the console (its clock may differ from ours).
  const skew = Date.parse(page.dataset.serverNow ?? "") - Date.now() || 0;
  tickTimers(Date.now() + skew);
  setInterval(() => tickTimers(Date.now() + skew), 1000);
  const base = page.dataset.base ?? "";
  const table = /** @type {HTMLTableElement | null} */ (document.getElementById("monitor-queue"));
  const cards = document.getElementById("monitor-sessions");
  /** @param {string} id */
  const cardOf = (id) => cards?.querySelector(`[data-monitor-session="${id}"]`) ?? null;
  const emptyNote = () => {
    const note = /** @type {HTMLElement | null} */ (page.querySelector("[data-no-sessions]"));
    if (note) note.hidden = (cards?.children.length ?? 0) > 0;
  };
  /** Sessions whose card is being fetched (a burst of rows events asks once). */
  const fetching = new Set();

  /** @param {string} id */
  const addCard = async (id) => {
    if (!cards || cardOf(id) || fetching.has(id)) return;
    fetching.add(id);
    try {
      const response = await fetch(`${base}/sessions/${id}`, { headers: { "HX-Request": "true" } });
      if (!response.ok) return;
      const card = parse(await response.text()).firstElementChild;
      if (card && !cardOf(id)) cards.append(card);
      emptyNote();
    } finally {
      fetching.delete(id);
    }
  };

  /** The statuses with a console tab (modules/sessions TAB_STATUSES): a card each. */
  const OPEN = ["active", "on_hold", "reconnecting", "offline", "rebooting", "collaborating"];
  /** @param {Element} container  the sessions with an open row in it */
  const syncCards = (container) =>
    new Set(
      [...container.querySelectorAll("tr[data-session]")].flatMap((row) => {
        const id = row.getAttribute("data-session") ?? "";
        return UUID.test(id) && OPEN.includes(row.getAttribute("data-status") ?? "") ? [id] : [];
      }),
    );

  /** @param {MessageEvent<string>} event */
  const onQueue = (event) => {
    if (!table) return;
    const body = parse(`<table>${event.data}</table>`).querySelector("tbody");
    if (body) table.tBodies[0].replaceWith(body);
    const open = syncCards(table);
    for (const id of open) void addCard(id);
    for (const card of [...(cards?.children ?? [])]) {
      const id = card.getAttribute("data-monitor-session") ?? "";
      if (!open.has(id)) card.remove();
    }
    emptyNote();
  };

  /** @param {MessageEvent<string>} event */
  const onRows = (event) => {
    if (!table) return;
    // A leading <template> is parsed into the document's <head>: look in the whole document.
    const template = new DOMParser().parseFromString(event.data, "text/html")
      .querySelector("template[data-session]");
    const id = template?.getAttribute("data-session") ?? "";
    if (!(template instanceof HTMLTemplateElement) || !UUID.test(id)) return;
    const body = table.tBodies[0];
    const old = [...body.querySelectorAll(`tr[data-session="${id}"]`)];
    const fresh = [...template.content.querySelectorAll("tr[data-session]")];
    for (const row of fresh) body.insertBefore(row, old[0] ?? null);
    for (const row of old) row.remove();
    if (syncCards(body).has(id)) void addCard(id);
    else {
      cardOf(id)?.remove();
      emptyNote();
    }
  };

  /** @param {MessageEvent<string>} event */
  const onLog = (event) => {
    /** @type {{ sessionId: string, html: string }} */
    let line;
    try {
      line = JSON.parse(event.data);
    } catch {
      return;
    }
    const log = document.getElementById(`log-${line.sessionId}`);
    const item = log && parse(line.html).firstElementChild;
    if (log && item && !(item.id && document.getElementById(item.id))) {
      log.append(item);
      item.scrollIntoView?.({ block: "nearest" });
    }
  };

  /** Statuses after which monitoring this technician again makes sense (modules/monitoring). */
  const AGAIN = ["refused", "ended", "closed"];
  /** @param {MessageEvent<string>} event */
  const onMonitoring = (event) => {
    /** @type {{ status: string, reason: string | null, message: string }} */
    const state = JSON.parse(event.data);
    if (!state.reason) {
      if (state.status !== page.dataset.status) location.reload();
      return;
    }
    live.close();
    page.dataset.status = state.status;
    page.dataset.ended = state.reason;
    const over = /** @type {HTMLElement | null} */ (page.querySelector("[data-over]"));
    const text = page.querySelector("[data-over-message]");
    if (text) text.textContent = state.message;
    const again = /** @type {HTMLElement | null} */ (page.querySelector("[data-again]"));
    if (again) again.hidden = !AGAIN.includes(state.status);
    if (over) over.hidden = false;
    // Nothing of the technician's console stays on screen once the right to see it is gone.
    for (const part of page.querySelectorAll("section, [data-waiting], [data-stop]")) part.remove();
  };

  const live = liveSource(page.dataset.events ?? "", {
    retryMs: 5000,
    on: { queue: onQueue, rows: onRows, log: onLog, monitoring: onMonitoring },
    onState: (up) => page.classList.toggle("disconnected", !up),
  });
}
