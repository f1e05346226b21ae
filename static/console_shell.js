// @ts-check
// The console's shell around the queue and the tabs (static/console.css has the grid): the
// queue pane's width (drag or arrow keys on its handle) and collapsed state, remembered in
// localStorage; the keyboard shortcuts (listed in the page's `?` popover and the README);
// toasts that close by themselves; and the technician's status in the header.
import { closest } from "./app.js";
import { openNextTab, openSession, openSlot } from "./console_tabs.js";

/** @typedef {HTMLTableRowElement} Row */

const root = /** @type {HTMLElement} */ (document.getElementById("console-root"));
const pane = /** @type {HTMLElement} */ (document.getElementById("queue-pane"));
const handle = /** @type {HTMLElement} */ (root.querySelector("[data-queue-resize]"));
const collapse = /** @type {HTMLButtonElement} */ (root.querySelector("[data-queue-collapse]"));
const WIDTH_KEY = "rescue.console.queueWidth";
const COLLAPSED_KEY = "rescue.console.queueCollapsed";
const MIN_WIDTH = 240;
const maxWidth = () => Math.max(MIN_WIDTH, Math.round(innerWidth * 0.6));
const INFO_TOAST_MS = 6000;

// ---- the queue pane: width and collapse ----------------------------------------------------
/** @param {number} px @param {boolean} keep */
function setWidth(px, keep) {
  const width = Math.round(Math.min(maxWidth(), Math.max(MIN_WIDTH, px)));
  root.style.setProperty("--queue-width", `${width}px`);
  handle.setAttribute("aria-valuenow", String(width));
  handle.setAttribute("aria-valuemin", String(MIN_WIDTH));
  handle.setAttribute("aria-valuemax", String(maxWidth()));
  if (keep) localStorage.setItem(WIDTH_KEY, String(width));
}
const saved = Number(localStorage.getItem(WIDTH_KEY));
if (saved > 0) setWidth(saved, false);
else handle.setAttribute("aria-valuenow", String(Math.round(pane.getBoundingClientRect().width)));

handle.addEventListener("pointerdown", (event) => {
  if (root.classList.contains("queue-collapsed")) return;
  event.preventDefault();
  handle.setPointerCapture(event.pointerId);
  handle.classList.add("dragging");
  const left = pane.getBoundingClientRect().left;
  /** @param {PointerEvent} move */
  const onMove = (move) => setWidth(move.clientX - left, false);
  const onUp = () => {
    handle.classList.remove("dragging");
    handle.removeEventListener("pointermove", onMove);
    setWidth(pane.getBoundingClientRect().width, true);
  };
  handle.addEventListener("pointermove", onMove);
  handle.addEventListener("pointerup", onUp, { once: true });
  handle.addEventListener("pointercancel", onUp, { once: true });
});
handle.addEventListener("keydown", (event) => {
  const step = event.shiftKey ? 80 : 24;
  const width = pane.getBoundingClientRect().width;
  const to =
    { ArrowLeft: width - step, ArrowRight: width + step, Home: MIN_WIDTH, End: maxWidth() }[
      event.key
    ];
  if (to === undefined) return;
  event.preventDefault();
  setWidth(to, true);
});

/** @param {boolean} collapsed @param {boolean} keep */
function setCollapsed(collapsed, keep) {
  root.classList.toggle("queue-collapsed", collapsed);
  pane.classList.toggle("collapsed", collapsed);
  collapse.setAttribute("aria-expanded", String(!collapsed));
  const label = (collapsed ? collapse.dataset.labelShow : collapse.dataset.labelHide) ?? "";
  collapse.title = label;
  const text = collapse.querySelector("[data-collapse-label]");
  if (text) text.textContent = label;
  if (keep) localStorage.setItem(COLLAPSED_KEY, collapsed ? "1" : "");
}
setCollapsed(localStorage.getItem(COLLAPSED_KEY) === "1", false);
collapse.addEventListener("click", () => {
  setCollapsed(!root.classList.contains("queue-collapsed"), true);
});

// ---- keyboard shortcuts ------------------------------------------------------------------
/**
 * What the shortcuts need from the queue (static/console.js owns the rows and selection).
 * @typedef {{
 *   rows(): Row[],
 *   selectedRow(): Row | null,
 *   selectRow(row: Row): void,
 *   actionIn(row: Row | null | undefined, action: string): HTMLButtonElement | null | undefined,
 * }} Queue
 */

/** @param {Queue} queue @param {Row} row */
function focusRow(queue, row) {
  setCollapsed(false, false);
  queue.selectRow(row);
  row.focus();
  row.scrollIntoView?.({ block: "nearest" });
}

/** @param {Queue} queue */
function nextWaiting(queue) {
  const waiting = queue.rows().filter((row) =>
    !row.hidden && row.dataset.status === "waiting" && queue.actionIn(row, "start")
  );
  if (waiting.length === 0) return;
  const at = waiting.indexOf(/** @type {Row} */ (queue.selectedRow()));
  focusRow(queue, waiting[(at + 1) % waiting.length]);
}

/** @param {Queue} queue */
function start(queue) {
  const picked = queue.selectedRow();
  const row = queue.actionIn(picked, "start")
    ? picked
    : queue.rows().find((r) =>
      !r.hidden && r.dataset.status === "waiting" && queue.actionIn(r, "start")
    );
  queue.actionIn(row, "start")?.click();
}

/** @param {Queue} queue */
function end(queue) {
  const id = openSession();
  const own = queue.rows().find((row) => row.dataset.session === id && row.dataset.hasTab);
  queue.actionIn(own ?? queue.selectedRow(), "end")?.click();
}

function focusChat() {
  /** @type {HTMLTextAreaElement | null | undefined} */
  const box = openSlot()?.querySelector("[data-chat-input]");
  if (!box) return;
  // The chat may sit on a tool tab that is not shown: show it first.
  const panel = box.closest("[role=tabpanel]");
  if (panel instanceof HTMLElement && panel.hidden) {
    /** @type {HTMLElement | null | undefined} */ (openSlot()?.querySelector(
      `[aria-controls="${panel.id}"]`,
    ))?.click();
  }
  box.focus();
}

/** @param {Queue} queue */
function focusQueue(queue) {
  const row = queue.selectedRow() ?? queue.rows().find((r) => !r.hidden);
  if (row) focusRow(queue, row);
  else {
    setCollapsed(false, false);
    /** @type {HTMLElement | null} */ (pane.querySelector("[aria-selected=true]"))?.focus();
  }
}

/** @param {EventTarget | null} target */
const typing = (target) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || target.matches("input, textarea, select"));

/** Alt+letter by the key's place (event.code), so Option on a Mac and other layouts work. */
/** @param {Queue} queue */
export function installShortcuts(queue) {
  /** @type {Record<string, () => void>} */
  const byCode = {
    KeyN: () => nextWaiting(queue),
    KeyS: () => start(queue),
    KeyE: () => end(queue),
    KeyC: focusChat,
    KeyT: openNextTab,
    KeyQ: () => focusQueue(queue),
  };
  document.addEventListener("keydown", (event) => {
    // The remote desktop takes every key while it has focus (and stops them there); this is
    // for a key that got past it all the same.
    if (event.defaultPrevented || closest(event, ".rv-stage")) return;
    if (event.altKey && !event.ctrlKey && !event.metaKey && byCode[event.code]) {
      event.preventDefault();
      byCode[event.code]();
      return;
    }
    if (event.key === "?" && !event.altKey && !event.ctrlKey && !typing(event.target)) {
      event.preventDefault();
      document.getElementById("shortcut-help")?.togglePopover();
    }
  });
}

// ---- toasts ------------------------------------------------------------------------------
/** Info messages (the session was transferred, copied…) close by themselves. */
/** @param {Element} scope */
function expireInfo(scope) {
  for (const info of scope.querySelectorAll(".flash.info:not([data-expires])")) {
    /** @type {HTMLElement} */ (info).dataset.expires = "1";
    setTimeout(() => info.remove(), INFO_TOAST_MS);
  }
}
for (const id of ["flash", "dialog"]) {
  const box = document.getElementById(id);
  if (box) new MutationObserver(() => expireInfo(box)).observe(box, { childList: true });
}

/**
 * The "session created" card stays while the technician reads out the PIN; it goes once the
 * customer is in (its row is past Connecting) or the session is gone from the queue. A Transfer
 * dialog goes with its session's Transfer button.
 * @param {Row[]} rows
 */
export function settleToasts(rows) {
  // The Transfer dialog goes once its session's row no longer offers Transfer (taken back by
  // its sender, ended, moved on from another tab), unless it is on its way.
  const dialog = document.querySelector("#dialog [data-transfer-session]");
  const about = dialog?.getAttribute("data-transfer-session");
  if (dialog && !dialog.querySelector(".htmx-request")) {
    const row = rows.find((r) => r.dataset.session === about && r.dataset.visibility === "own");
    if (!row?.querySelector("button[data-action=transfer]")) dialog.remove();
  }
  const card = document.querySelector("#new-session [data-created-session]");
  const id = card?.getAttribute("data-created-session");
  if (!card || !id) return;
  const row = rows.find((r) => r.dataset.session === id);
  if (row?.dataset.status === "connecting") return card.setAttribute("data-row-seen", "");
  if (row || card.hasAttribute("data-row-seen")) card.remove();
}

// A dialog or card that arrives takes the focus: its first field, else its first button.
document.addEventListener("htmx:afterSwap", (event) => {
  const target = /** @type {CustomEvent<{ target: Element }>} */ (event).detail.target;
  if (target.id !== "new-session" && target.id !== "dialog") return;
  /** @type {HTMLElement | null} */ (target.querySelector("input:not([type=hidden]), select") ??
    target.querySelector("button"))?.focus();
});

// Escape closes the dialog or card the focus is in.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const box = closest(event, "#new-session, #dialog");
  if (box) box.replaceChildren();
});

// ---- the technician's status (header) ----------------------------------------------------
// The choice shows at once (the colour beside it); app.js submits it, a refusal goes to #flash.
document.addEventListener("change", (event) => {
  const select = closest(event, "form.status-control select");
  if (select instanceof HTMLSelectElement) select.dataset.presence = select.value;
});
