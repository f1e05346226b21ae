// @ts-check
// The technician's open sessions (SPEC Q5) as real tabs over #workspaces (the contract is at
// the top of static/console.css). Each tab owns one slot in #workspaces; its workspace is
// fetched the first time the tab opens and from then on only shown or hidden, so the remote
// view, a chat draft and scroll positions survive a switch. WAI-ARIA tabs: the open tab is
// the one in the Tab order, arrow keys/Home/End move along the strip.
import { closest } from "./app.js";
import { flushNotes } from "./notes_flush.js";

/** @typedef {HTMLTableRowElement} Row */

const strip = /** @type {HTMLElement} */ (document.getElementById("session-tabs"));
const workspaces = /** @type {HTMLElement} */ (document.getElementById("workspaces"));
const hint = /** @type {HTMLElement | null} */ (workspaces.querySelector("[data-workspaces-hint]"));
/** Own rows that ended (ENDED_TAB_STATUSES, modules/sessions): the tab stays until End. */
const ENDED = new Set(["closed", "timed_out"]);
/** Per browser tab: a reload opens the session that was open. */
const OPEN_KEY = "rescue.console.openSession";

/**
 * @type {string | undefined} a session whose Start was clicked (or that Computers' Connect
 * opened, `?open=<id>`): its tab opens when it comes
 */
let expected = new URLSearchParams(location.search).get("open") ?? undefined;
let restored = false;

/** @returns {HTMLElement[]} */
const allTabs = () =>
  [...strip.querySelectorAll("[data-tab-session]")].map((t) => /** @type {HTMLElement} */ (t));
/** @param {string} id */
const tabOf = (id) => allTabs().find((tab) => tab.dataset.tabSession === id) ?? null;
/** @param {string} id */
const slotOf = (
  id,
) => /** @type {HTMLElement | null} */ (workspaces.querySelector(
  `:scope > [data-session-id="${id}"]`,
));

/** The session whose tab is open, if any. */
export function openSession() {
  return allTabs().find((tab) => tab.getAttribute("aria-selected") === "true")?.dataset
    .tabSession;
}

/** The open session's slot (its workspace), if any. */
export function openSlot() {
  const id = openSession();
  return id ? slotOf(id) : null;
}

/** Start was asked for this session: open its tab once the stream brings it. */
/** @param {string | undefined} id */
export function expectTab(id) {
  expected = id;
}

/** @param {string} id */
function newSlot(id) {
  const slot = document.createElement("div");
  slot.className = "workspace-slot";
  slot.id = `ws-${id}`;
  slot.dataset.sessionId = id;
  slot.setAttribute("role", "tabpanel");
  slot.setAttribute("aria-labelledby", `tab-${id}`);
  slot.hidden = true;
  workspaces.append(slot);
  return slot;
}

/** @param {string} id @param {Row} row */
function newTab(id, row) {
  const tab = document.createElement("button");
  tab.type = "button";
  tab.className = "session-tab";
  tab.id = `tab-${id}`;
  tab.setAttribute("role", "tab");
  tab.setAttribute("aria-selected", "false");
  tab.setAttribute("aria-controls", `ws-${id}`);
  tab.tabIndex = -1;
  tab.dataset.tabSession = id;
  const name = document.createElement("span");
  name.className = "tab-name";
  const ended = document.createElement("span");
  ended.className = "tab-ended";
  ended.hidden = true;
  const time = document.createElement("time");
  time.className = "ticker";
  time.dataset.since = row.dataset.createdAt;
  tab.append(name, " ", ended, " ", time);
  strip.append(tab);
  return tab;
}

/** Only the open tab (or the first) is in the Tab order. */
function rove() {
  const tabs = allTabs();
  const open = tabs.find((tab) => tab.getAttribute("aria-selected") === "true") ?? tabs[0];
  for (const tab of tabs) tab.tabIndex = tab === open ? 0 : -1;
  if (hint) hint.hidden = Boolean(openSession());
}

/**
 * Opens a session's tab: its workspace is loaded the first time, then only shown.
 * @param {string} id
 * @param {{ focus?: boolean }} [options]
 */
export function openTab(id, options = {}) {
  const tab = tabOf(id);
  if (!tab) return;
  for (const other of allTabs()) {
    const on = other === tab;
    other.setAttribute("aria-selected", String(on));
    other.classList.toggle("current", on);
  }
  const slot = slotOf(id) ?? newSlot(id);
  for (const other of workspaces.querySelectorAll(":scope > [data-session-id]")) {
    /** @type {HTMLElement} */ (other).hidden = other !== slot;
  }
  if (!slot.dataset.loaded) {
    slot.dataset.loaded = "1";
    const htmx =
      /** @type {{ htmx?: { ajax(verb: string, url: string, o: object): Promise<void> } }} */ (
        globalThis
      ).htmx;
    htmx?.ajax("GET", `/console/sessions/${id}`, { target: slot, swap: "innerHTML" })
      .catch(() => delete slot.dataset.loaded);
  }
  sessionStorage.setItem(OPEN_KEY, id);
  rove();
  if (options.focus) tab.focus();
  document.dispatchEvent(new Event("console:tabopen"));
}

/**
 * Keeps the tabs in step with the rows: a tab (and slot) per own working session, the name
 * and held state from its row; a tab whose session left goes with its workspace. A session
 * the customer closed, or that timed out, keeps its tab, marked with its status, until End
 * clears the row (its workspace turns read-only: workspace_follow.js fetches it again).
 * @param {Row[]} rows
 * @param {(row: Row) => string} nameOf
 */
export function syncTabs(rows, nameOf) {
  /** @type {Map<string, Row>} */
  const wanted = new Map();
  for (const row of rows) {
    if (row.dataset.hasTab && row.dataset.session) wanted.set(row.dataset.session, row);
  }
  for (const tab of allTabs()) {
    const id = tab.dataset.tabSession ?? "";
    if (wanted.has(id)) continue;
    tab.remove();
    const slot = slotOf(id);
    // Its note as typed goes first (the request outlives the slot).
    if (slot) void flushNotes(slot);
    slot?.remove();
  }
  for (const [id, row] of wanted) {
    const tab = tabOf(id) ?? newTab(id, row);
    if (!slotOf(id)) newSlot(id);
    const name = tab.querySelector(".tab-name");
    if (name) name.textContent = nameOf(row);
    // A tab cuts a long name (16rem at most): its title has it whole.
    tab.title = nameOf(row);
    const held = row.dataset.status === "on_hold";
    const ended = ENDED.has(row.dataset.status ?? "");
    tab.classList.toggle("held", held);
    tab.classList.toggle("ended", ended);
    const mark = /** @type {HTMLElement | null} */ (tab.querySelector(".tab-ended"));
    if (mark) {
      mark.hidden = !ended;
      mark.textContent = ended ? row.querySelector(".c-status")?.textContent?.trim() ?? "" : "";
    }
    if (held || ended) delete tab.dataset.activeSession;
    else tab.dataset.activeSession = id;
  }
  if (expected && wanted.has(expected)) {
    openTab(expected);
    expected = undefined;
  } else if (!restored) {
    const last = sessionStorage.getItem(OPEN_KEY);
    if (last && wanted.has(last)) openTab(last);
  }
  restored = true;
  rove();
}

/** The next open session's tab (wrapping), opened and focused. */
export function openNextTab() {
  const tabs = allTabs();
  if (tabs.length === 0) return;
  const at = tabs.findIndex((tab) => tab.getAttribute("aria-selected") === "true");
  const next = tabs[(at + 1) % tabs.length];
  openTab(next.dataset.tabSession ?? "", { focus: true });
}

strip.addEventListener("click", (event) => {
  const tab = closest(event, "[data-tab-session]");
  if (tab) openTab(tab.dataset.tabSession ?? "");
});

strip.addEventListener("keydown", (event) => {
  const tab = closest(event, "[data-tab-session]");
  if (!tab || event.altKey || event.ctrlKey || event.metaKey) return;
  const tabs = allTabs();
  const at = tabs.indexOf(tab);
  const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[
    event.key
  ];
  if (next === undefined) return;
  event.preventDefault();
  const target = tabs[(next + tabs.length) % tabs.length];
  openTab(target.dataset.tabSession ?? "", { focus: true });
});
