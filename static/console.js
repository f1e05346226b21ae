// @ts-check
// The technician console (SPEC Q2–Q5), a module on /console only; no inline script
// anywhere (CSP). The server renders every row; this file keeps them live:
//
//   /console/events  `queue` = the whole <tbody> (on every (re)connect), `rows` = one
//                    session's <tr>s in a <template data-session>, `log` = a new log line
//   queue tabs, column chooser (localStorage), row selection + toolbar, copy row,
//   inline edit, ticking timers, urgent rows, and the alerts of alerts.js. The open
//   sessions' tabs are console_tabs.js; the pane, shortcuts and toasts console_shell.js.
import { alert } from "./alerts.js";
import { closest, flash } from "./app.js";
import { liveSource } from "./live_source.js";
import { installShortcuts, settleToasts } from "./console_shell.js";
import { expectTab, openSession, syncTabs } from "./console_tabs.js";
import { tickTimers } from "./tickers.js";

/** @typedef {HTMLTableRowElement} Row  a queue row: `tr[data-session][data-entry]` */

/** The console's own elements (views.tsx renders them all). @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
/** @param {string} html */
function parse(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  return template.content;
}
/** @param {Element} node */
const process = (node) =>
  /** @type {{ htmx?: { process(node: Element): void } }} */ (globalThis).htmx?.process(node);

const root = byId("console-root");
const table = /** @type {HTMLTableElement} */ (byId("queue"));
const ARRIVING = new Set(["waiting", "incoming"]);
const GONE = new Set(["closed", "closed_by_waiting_customer"]);
const UUID = /^[0-9a-f-]{36}$/;
const COLUMNS_KEY = "rescue.console.hiddenColumns";

// The server's clock decides when a row is urgent; keep the browser's offset from it.
const skew = Date.parse(root.dataset.serverNow ?? "") - Date.now() || 0;
const now = () => Date.now() + skew;
/** @returns {Row[]} */
const rows = () => [...table.tBodies[0].rows];
/** @param {Element} row */
const nameOf = (row) =>
  (row.querySelector(".c-name .value") ?? row.querySelector(".c-name"))?.textContent?.trim() ??
    "";
/** @param {string} key @param {string} name */
const message = (key, name) => (root.dataset[key] ?? "").replace("{name}", name);
/** @param {string} id @param {string} title */
const notify = (id, title) => alert(id, { title });

// ---- timers and urgent rows ------------------------------------------------------------
const urgentAlerted = new Set();
function tick() {
  tickTimers(now());
  for (const row of rows()) {
    const at = row.dataset.urgentAt;
    const urgent = Boolean(at) && now() >= Date.parse(at ?? "");
    row.classList.toggle("urgent", urgent);
    const key = `${row.dataset.entry}@${at}`;
    if (urgent && row.dataset.visibility !== "monitored" && !urgentAlerted.has(key)) {
      urgentAlerted.add(key);
      notify("sessionUrgent", message("msgUrgent", nameOf(row)));
    }
  }
}
setInterval(tick, 1000);

// ---- queue tabs --------------------------------------------------------------------------
let filter = "all";
/** @param {Row} row */
function shown(row) {
  const { visibility, kind, working } = row.dataset;
  if (filter === "monitored") {
    return visibility === "monitored" && watching().has(row.dataset.owner ?? "");
  }
  if (visibility === "monitored") return false;
  if (filter === "private" || filter === "channel") return kind === filter;
  if (filter === "active") return visibility === "own" && working === "1";
  return true;
}
/** The technicians this admin monitors now: only their rows are in the Monitored tab. */
function watching() {
  const list = document.querySelector("#monitored-panel [data-watching]");
  return new Set((list?.getAttribute("data-watching") ?? "").split(" ").filter(Boolean));
}
function applyFilter() {
  let any = false;
  for (const row of rows()) any = !(row.hidden = !shown(row)) || any;
  const panel = document.getElementById("monitored-panel");
  if (panel) panel.hidden = filter !== "monitored";
  byId("queue-empty").hidden = any || filter === "monitored";
  // A selected row the tab now hides is no longer what the toolbar acts on.
  if (selectedRow()?.hidden) {
    selected = undefined;
    updateToolbar();
  }
}
document.getElementById("monitored-panel")?.addEventListener("htmx:afterSwap", applyFilter);
/** @param {HTMLElement} tab */
function chooseTab(tab) {
  filter = tab.dataset.tab ?? "all";
  for (const t of root.querySelectorAll("[data-tab]")) {
    t.setAttribute("aria-selected", String(t === tab));
    if (t instanceof HTMLElement) t.tabIndex = t === tab ? 0 : -1;
  }
  applyFilter();
}
root.addEventListener("click", (event) => {
  const tab = closest(event, "[data-tab]");
  if (tab) chooseTab(tab);
});
// One Tab stop for the queue's tabs (the ARIA tabs pattern): the arrows, Home and End move.
root.addEventListener("keydown", (event) => {
  const tab = closest(event, "[data-tab]");
  if (!tab || event.altKey || event.ctrlKey || event.metaKey) return;
  const tabs = /** @type {HTMLElement[]} */ ([...root.querySelectorAll("[data-tab]")]);
  const at = tabs.indexOf(tab);
  const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[
    event.key
  ];
  if (next === undefined) return;
  event.preventDefault();
  const target = tabs[(next + tabs.length) % tabs.length];
  chooseTab(target);
  target.focus();
});

// ---- column chooser --------------------------------------------------------------------
/** @type {Set<string>} */
let hiddenColumns = new Set();
try {
  hiddenColumns = new Set(JSON.parse(localStorage.getItem(COLUMNS_KEY) ?? "[]"));
} catch { /* a damaged entry just shows every column */ }
/** @param {ParentNode} scope */
function applyColumns(scope) {
  for (const cell of scope.querySelectorAll("[data-col]")) {
    if (cell instanceof HTMLElement) cell.hidden = hiddenColumns.has(cell.dataset.col ?? "");
  }
}
for (const box of root.querySelectorAll("input[data-column-toggle]")) {
  if (!(box instanceof HTMLInputElement)) continue;
  const column = box.dataset.columnToggle ?? "";
  box.checked = !hiddenColumns.has(column);
  box.addEventListener("change", () => {
    if (box.checked) hiddenColumns.delete(column);
    else hiddenColumns.add(column);
    localStorage.setItem(COLUMNS_KEY, JSON.stringify([...hiddenColumns]));
    applyColumns(table);
  });
}

// ---- selection and toolbar ---------------------------------------------------------------
/** @type {string | undefined} the selected row's data-entry */
let selected;
const selectedRow = () => rows().find((row) => row.dataset.entry === selected) ?? null;
/** What the toolbar acts on: the selected row, else the open tab's own row. */
const targetRow = () =>
  selectedRow() ??
    rows().find((row) =>
      row.dataset.session === openSession() && row.dataset.visibility === "own"
    ) ?? null;
/** @param {Element | null | undefined} row @param {string | undefined} action */
const actionIn = (row, action) => /** @type {HTMLButtonElement | null | undefined} */ (
  row?.querySelector(`button[data-action="${action}"]`)
);
function updateToolbar() {
  const row = selectedRow();
  for (const other of rows()) {
    other.classList.toggle("selected", other === row);
    other.setAttribute("aria-selected", String(other === row));
  }
  for (const button of root.querySelectorAll("button[data-toolbar-action]")) {
    if (!(button instanceof HTMLButtonElement)) continue;
    const target = row ?? targetRow();
    button.disabled = !button.dataset.granted || !actionIn(target, button.dataset.toolbarAction);
  }
}
/** @param {Row} row */
function selectRow(row) {
  selected = row.dataset.entry;
  updateToolbar();
}
/** @param {Event} event */
function select(event) {
  const row = closest(event, "tr[data-session]");
  if (row) selectRow(/** @type {Row} */ (row));
}
table.addEventListener("click", select);
table.addEventListener("keydown", (event) => {
  const onRow = event.target instanceof Element && event.target.matches("tr[data-session]");
  if (onRow && (event.key === "Enter" || event.key === " ")) {
    event.preventDefault();
    select(event);
  }
});
root.addEventListener("click", (event) => {
  const action = closest(event, "[data-toolbar-action]")?.dataset.toolbarAction;
  if (action) actionIn(targetRow(), action)?.click();
});
// Start opens the session's tab once the stream brings it back as the technician's own.
table.addEventListener("click", (event) => {
  const start = closest(event, "button[data-action=start]");
  if (start) expectTab(start.closest("tr")?.dataset.session);
});
installShortcuts({ rows, selectedRow, selectRow, actionIn });
// The toolbar acts on the open tab's session while no row is selected.
document.addEventListener("console:tabopen", updateToolbar);

// ---- copy row, inline edit, dialogs ------------------------------------------------------
root.addEventListener("click", (event) => {
  const copy = closest(event, "[data-copy-row]")?.closest("tr");
  if (copy) {
    const cells = [...copy.querySelectorAll("td[data-col]")].filter((c) =>
      !(/** @type {HTMLElement} */ (c).hidden)
    );
    const text = cells.map((c) => (c.querySelector(".value") ?? c).textContent?.trim());
    navigator.clipboard?.writeText(text.join("\t"))
      .then(() => flash(root.dataset.msgCopied ?? "", "info"))
      .catch(() => {});
  }
  const cell = closest(event, "[data-edit-cell]")?.closest("td");
  if (cell) {
    cell.classList.add("editing");
    const form = /** @type {HTMLFormElement | null} */ (cell.querySelector("form.edit-cell"));
    if (form) form.hidden = false;
    cell.querySelector("input")?.focus();
  }
  const close = closest(event, "[data-close-dialog]");
  if (close) document.getElementById(close.dataset.closeDialog ?? "")?.replaceChildren();
});
root.addEventListener("keydown", (event) => {
  const form = closest(event, "form.edit-cell");
  if (form && event.key === "Escape") {
    form.hidden = true;
    form.closest("td")?.classList.remove("editing");
  }
});

// ---- live updates ------------------------------------------------------------------------
/**
 * Marks new rows, and alerts on arrivals, disconnects and lost connections.
 * @param {Map<string | undefined, string | undefined>} before  statuses by entry
 * @param {Row} row
 */
function announce(before, row) {
  const old = before.get(row.dataset.entry);
  const status = row.dataset.status ?? "";
  if (!old) row.classList.add("new");
  if (row.dataset.visibility === "monitored" || old === status) return;
  const name = nameOf(row);
  if (ARRIVING.has(status)) {
    notify(
      document.hidden ? "newSessionMinimised" : "newSessionOpen",
      message("msgNewSession", name),
    );
  } else if (GONE.has(status)) {
    notify("customerDisconnected", message("msgDisconnected", name));
  } else if (status === "reconnecting") {
    notify("networkLost", message("msgNetworkLost", name));
  }
}
const statuses = () => new Map(rows().map((row) => [row.dataset.entry, row.dataset.status]));
/** @param {Element[]} scopes */
function settle(...scopes) {
  for (const scope of scopes) {
    process(scope);
    applyColumns(scope);
  }
  applyFilter();
  syncTabs(rows(), nameOf);
  updateToolbar();
  settleToasts(rows());
  tick();
}

/** @param {MessageEvent<string>} event */
function onQueue(event) {
  const before = statuses();
  const body = parse(event.data).querySelector("tbody");
  if (!body) return;
  for (const row of body.rows) announce(before, row);
  table.tBodies[0].replaceWith(body);
  settle(body);
}

/** @param {MessageEvent<string>} event */
function onRows(event) {
  const inner = parse(event.data).querySelector("template[data-session]");
  const id = inner?.getAttribute("data-session");
  if (!(inner instanceof HTMLTemplateElement) || !id || !UUID.test(id)) return;
  const before = statuses();
  const body = table.tBodies[0];
  const old = [...body.querySelectorAll(`tr[data-session="${id}"]`)];
  /** @type {Row[]} */
  const fresh = [...inner.content.querySelectorAll("tr[data-session]")].filter((row) =>
    row instanceof HTMLTableRowElement
  );
  /** @type {Element | null} */
  let anchor = old[0] ?? null;
  if (!anchor && fresh.length > 0) {
    const number = Number(fresh[0].dataset.number);
    anchor = rows().find((row) => Number(row.dataset.number) > number) ?? null;
  }
  for (const row of fresh) {
    announce(before, row);
    body.insertBefore(row, anchor);
  }
  for (const row of old) row.remove();
  settle(...fresh);
  // The session's workspace parts that follow its rows (the participants list) reload.
  document.dispatchEvent(new Event(`session-changed-${id}`));
}

/** @typedef {{ sessionId: string, html: string, author: string, kind: string, name?: string }} LiveLogLine */
/** @param {MessageEvent<string>} event */
function onLog(event) {
  /** @type {LiveLogLine} */
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
    process(item);
    item.scrollIntoView?.({ block: "nearest" });
  }
  if (line.author !== "customer") return;
  const title = message("msgChat", line.name ?? "");
  if (line.kind === "file") notify("customerSentFile", title);
  if (line.kind !== "chat") return;
  const input = document.querySelector(`#session-${line.sessionId} [data-chat-input]`);
  if (document.hidden) notify("chatMinimised", title);
  else if (!input || document.activeElement !== input) notify("chatUnfocused", title);
}

// The monitoring notice (monitoring_notice.js) has no stream of its own: it looks again when
// this one says so, and on every (re)connect, when a nudge may have been missed.
const lookAtMonitoring = () => document.dispatchEvent(new Event("monitoring-look"));
liveSource("/console/events", {
  on: { queue: onQueue, rows: onRows, log: onLog, monitoring: lookAtMonitoring },
  onState: (up) => {
    root.classList.toggle("disconnected", !up);
    if (up) lookAtMonitoring();
  },
});

applyColumns(table);
settle(table.tBodies[0]);
