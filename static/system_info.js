// @ts-check
// The System tab of a session's workspace (modules/sysinfo): the customer's consent as the
// agent reports it (the consent stream, /console/sessions/:id/agent/events), the views as
// sub-tabs loaded into the tab's body, Refresh, and tables sorted by a click on a heading.
// A module (deferred); no inline script (CSP).
import { liveSource } from "./live_source.js";

/** @typedef {{ present: boolean, offered: string[] | null, consent: Record<string, string> }} ToolState */

/** @type {WeakMap<HTMLElement, { close(): void, view: string, key: string }>} */
const panels = new WeakMap();

/** @param {ToolState} state */
function consentKey(state) {
  if (!state.present) return "absent";
  if (state.offered && !state.offered.includes("systemInfo")) return "notOffered";
  return state.consent.systemInfo ?? "off";
}

/**
 * Loads `view` into the panel's body (htmx, so forms in it work).
 * @param {HTMLElement} panel
 * @param {string} view
 * @param {string} [query]
 */
function load(panel, view, query = "") {
  const body = panel.querySelector(".sysinfo-body");
  const info = panels.get(panel);
  if (!(body instanceof HTMLElement) || !info) return;
  info.view = view;
  for (const tab of panel.querySelectorAll(".sysinfo-view")) {
    const on = tab instanceof HTMLElement && tab.dataset.view === view;
    tab.setAttribute("aria-selected", String(on));
    if (tab instanceof HTMLElement) tab.tabIndex = on ? 0 : -1;
  }
  const waiting = document.createElement("p");
  waiting.className = "muted sysinfo-reading";
  waiting.textContent = body.dataset.loading ?? "";
  body.prepend(waiting);
  body.setAttribute("aria-busy", "true");
  // @ts-ignore htmx is the page's global (vendor script)
  htmx.ajax("GET", `${panel.dataset.viewUrl}${view}${query}`, { target: body, swap: "innerHTML" })
    .finally(() => body.removeAttribute("aria-busy"));
}

/**
 * Shows what the agent says the customer allows; a new grant loads the current view.
 * @param {HTMLElement} panel
 * @param {ToolState} state
 */
function showConsent(panel, state) {
  const info = panels.get(panel);
  if (!info) return;
  const key = consentKey(state);
  panel.dataset.consent = key;
  const text = panel.querySelector(".sysinfo-consent-text");
  if (text instanceof HTMLElement) {
    const name = key === "notOffered"
      ? "textNotOffered"
      : `text${key[0].toUpperCase()}${key.slice(1)}`;
    text.textContent = text.dataset[name] ?? "";
  }
  const ask = panel.querySelector(".sysinfo-ask");
  if (ask instanceof HTMLElement) ask.hidden = !["off", "denied", "revoked"].includes(key);
  // "Ask the customer" until they were asked (back to "off" after the app reconnects, say),
  // "Ask again" after a refusal or a withdrawal.
  const button = ask?.querySelector("button");
  if (button instanceof HTMLElement) {
    const label = key === "off" ? button.dataset.labelAsk : button.dataset.labelAgain;
    if (label) button.textContent = label;
  }
  const stop = panel.querySelector(".sysinfo-stop");
  if (stop instanceof HTMLElement) stop.hidden = !["granted", "asked"].includes(key);
  const bar = panel.querySelector(".sysinfo-bar");
  if (bar instanceof HTMLElement) bar.hidden = key !== "granted";
  const body = panel.querySelector(".sysinfo-body");
  if (key === "granted" && info.key !== "granted") load(panel, info.view);
  if (key !== "granted" && body) body.replaceChildren();
  info.key = key;
}

/** @param {HTMLElement} panel */
function start(panel) {
  if (panels.has(panel)) return;
  const id = panel.dataset.sysinfo ?? "";
  const info = { close: () => {}, view: "dashboard", key: "" };
  panels.set(panel, info);
  // The panel says where its consent lives (a guest's is under /x).
  const agent = panel.dataset.agentUrl || `/console/sessions/${id}/agent`;
  /** @type {{ close(): void } | null} */
  let stream = null;
  const shut = () => (stream?.close(), stream = null);
  const open = () => {
    const live = stream = liveSource(`${agent}/events`, {
      on: {
        state: (event) => {
          if (!panel.isConnected) return live.close();
          showConsent(panel, JSON.parse(event.data));
        },
      },
      retryMs: 3_000,
    });
  };
  // The stream only while the tab is in sight: over plain http the browser has six
  // connections to the server for all its windows, and a hidden tab's stream would hold one
  // for nothing. A new stream says the consent first, so the tab is right again when shown.
  const seen = new IntersectionObserver((entries) => {
    if (!panel.isConnected) return (shut(), seen.disconnect());
    if (entries[entries.length - 1].isIntersecting) stream ?? open();
    else shut();
  });
  seen.observe(panel);
  info.close = () => (shut(), seen.disconnect());
}

/** @param {ParentNode} root */
function startAll(root) {
  for (const panel of root.querySelectorAll("[data-sysinfo]")) {
    if (panel instanceof HTMLElement) start(panel);
  }
}

document.addEventListener("htmx:load", (event) => {
  const target = event.target;
  if (target instanceof HTMLElement) {
    if (target.matches("[data-sysinfo]")) start(target);
    startAll(target);
  }
});
startAll(document);

document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const panel = target?.closest("[data-sysinfo]");
  if (!(panel instanceof HTMLElement)) return;
  const tab = target?.closest(".sysinfo-view");
  if (tab instanceof HTMLElement && tab.dataset.view) return load(panel, tab.dataset.view);
  if (target?.closest("[data-sysinfo-refresh]")) {
    const filter = panel.querySelector(".sysinfo-filter");
    const query = filter instanceof HTMLFormElement
      // @ts-ignore FormData entries are strings here (no file inputs)
      ? `?${new URLSearchParams(new FormData(filter))}`
      : "";
    return load(panel, panels.get(panel)?.view ?? "dashboard", query);
  }
  const sort = target?.closest(".sysinfo-sort");
  if (sort instanceof HTMLElement) sortBy(sort);
});

// Arrow keys move along the views, Home and End to the ends (WAI-ARIA tabs).
document.addEventListener("keydown", (event) => {
  const tab = event.target;
  if (!(tab instanceof HTMLElement) || !tab.matches(".sysinfo-view")) return;
  const tabs = /** @type {HTMLElement[]} */ ([...(tab.parentElement?.children ?? [])]);
  const at = tabs.indexOf(tab);
  const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  const target = tabs[(next + tabs.length) % tabs.length];
  target.focus();
  target.click();
});

/**
 * Sorts the heading's table by its column: ascending first, a second click descending.
 * @param {HTMLElement} button
 */
function sortBy(button) {
  const th = button.closest("th");
  const table = button.closest("table");
  const tbody = table?.tBodies[0];
  if (!th || !table || !tbody) return;
  const column = Number(button.dataset.sortCol);
  const numeric = th.hasAttribute("data-numeric");
  const ascending = th.getAttribute("aria-sort") !== "ascending";
  for (const other of table.querySelectorAll("th")) other.setAttribute("aria-sort", "none");
  th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  const collator = new Intl.Collator(document.documentElement.lang, { numeric: true });
  /** @param {HTMLTableRowElement} row */
  const value = (row) => row.cells[column]?.dataset.sort ?? "";
  const rows = [...tbody.rows].sort((a, b) => {
    const order = numeric
      ? Number(value(a)) - Number(value(b))
      : collator.compare(value(a), value(b));
    return ascending ? order : -order;
  });
  tbody.append(...rows);
}
