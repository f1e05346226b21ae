// The technician console (SPEC Q2–Q5), loaded with `defer` on /console only; no inline
// script anywhere (CSP). The server renders every row; this file keeps them live:
//
//   /console/events  `queue` = the whole <tbody> (on every (re)connect), `rows` = one
//                    session's <tr>s in a <template data-session>, `log` = a new log line
//   queue tabs, column chooser (localStorage), row selection + toolbar, copy row,
//   inline edit, ticking timers, urgent rows, session tabs, and the alerts of alerts.js.
(() => {
  "use strict";
  const root = document.getElementById("console-root");
  if (!root) return;
  const table = document.getElementById("queue");
  const tabs = document.getElementById("session-tabs");
  const panel = document.getElementById("session-panel");
  const panelHint = panel.innerHTML;
  const ARRIVING = new Set(["waiting", "incoming"]);
  const GONE = new Set(["closed", "closed_by_waiting_customer"]);
  const UUID = /^[0-9a-f-]{36}$/;
  const COLUMNS_KEY = "rescue.console.hiddenColumns";

  // The server's clock decides when a row is urgent; keep the browser's offset from it.
  const skew = Date.parse(root.dataset.serverNow) - Date.now() || 0;
  const now = () => Date.now() + skew;
  const rows = () => [...table.tBodies[0].rows];
  const nameOf = (row) =>
    (row.querySelector(".c-name .value") ?? row.querySelector(".c-name"))?.textContent.trim() ??
      "";
  const message = (key, name) => (root.dataset[key] ?? "").replace("{name}", name);
  const alert = (id, title) => globalThis.rescueAlerts?.alert(id, { title });
  const process = (node) => globalThis.htmx?.process(node);

  // ---- timers and urgent rows ------------------------------------------------------------
  const pad = (n) => String(n).padStart(2, "0");
  function duration(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
  }
  const urgentAlerted = new Set();
  function tick() {
    for (const el of document.querySelectorAll("time.ticker[data-since]")) {
      el.textContent = duration(now() - Date.parse(el.dataset.since));
    }
    for (const row of rows()) {
      const at = row.dataset.urgentAt;
      const urgent = Boolean(at) && now() >= Date.parse(at);
      row.classList.toggle("urgent", urgent);
      const key = `${row.dataset.entry}@${at}`;
      if (urgent && row.dataset.visibility !== "monitored" && !urgentAlerted.has(key)) {
        urgentAlerted.add(key);
        alert("sessionUrgent", message("msgUrgent", nameOf(row)));
      }
    }
  }
  setInterval(tick, 1000);

  // ---- queue tabs --------------------------------------------------------------------------
  let filter = "all";
  function shown(row) {
    const { visibility, kind, working } = row.dataset;
    if (filter === "monitored") return visibility === "monitored";
    if (visibility === "monitored") return false;
    if (filter === "private" || filter === "channel") return kind === filter;
    if (filter === "active") return visibility === "own" && working === "1";
    return true;
  }
  function applyFilter() {
    let any = false;
    for (const row of rows()) any = !(row.hidden = !shown(row)) || any;
    document.getElementById("queue-empty").hidden = any;
  }
  root.addEventListener("click", (event) => {
    const tab = event.target.closest("[data-tab]");
    if (!tab) return;
    filter = tab.dataset.tab;
    for (const t of root.querySelectorAll("[data-tab]")) {
      t.setAttribute("aria-selected", String(t === tab));
    }
    applyFilter();
  });

  // ---- column chooser --------------------------------------------------------------------
  let hiddenColumns = new Set();
  try {
    hiddenColumns = new Set(JSON.parse(localStorage.getItem(COLUMNS_KEY) ?? "[]"));
  } catch { /* a damaged entry just shows every column */ }
  function applyColumns(scope) {
    for (const cell of scope.querySelectorAll("[data-col]")) {
      cell.hidden = hiddenColumns.has(cell.dataset.col);
    }
  }
  for (const box of root.querySelectorAll("[data-column-toggle]")) {
    box.checked = !hiddenColumns.has(box.dataset.columnToggle);
    box.addEventListener("change", () => {
      if (box.checked) hiddenColumns.delete(box.dataset.columnToggle);
      else hiddenColumns.add(box.dataset.columnToggle);
      localStorage.setItem(COLUMNS_KEY, JSON.stringify([...hiddenColumns]));
      applyColumns(table);
    });
  }

  // ---- selection and toolbar ---------------------------------------------------------------
  let selected = null; // the selected row's data-entry
  const selectedRow = () => rows().find((row) => row.dataset.entry === selected) ?? null;
  function updateToolbar() {
    const row = selectedRow();
    for (const row2 of rows()) {
      row2.classList.toggle("selected", row2 === row);
      row2.setAttribute("aria-selected", String(row2 === row));
    }
    for (const button of root.querySelectorAll("[data-toolbar-action]")) {
      const target = row?.querySelector(`button[data-action="${button.dataset.toolbarAction}"]`);
      button.disabled = !button.dataset.granted || !target;
    }
  }
  table.addEventListener("click", (event) => {
    const row = event.target.closest("tr[data-session]");
    if (!row) return;
    selected = row.dataset.entry;
    updateToolbar();
  });
  table.addEventListener("keydown", (event) => {
    const row = event.target.closest?.("tr[data-session]");
    if (row && event.target === row && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      selected = row.dataset.entry;
      updateToolbar();
    }
  });
  root.addEventListener("click", (event) => {
    const button = event.target.closest("[data-toolbar-action]");
    const action = button?.dataset.toolbarAction;
    if (action) selectedRow()?.querySelector(`button[data-action="${action}"]`)?.click();
  });

  // ---- copy row, inline edit, dialogs ------------------------------------------------------
  root.addEventListener("click", (event) => {
    const copy = event.target.closest("[data-copy-row]");
    if (copy) {
      const cells = [...copy.closest("tr").querySelectorAll("td[data-col]")].filter((c) =>
        !c.hidden
      );
      const text = cells.map((c) => (c.querySelector(".value") ?? c).textContent.trim());
      navigator.clipboard?.writeText(text.join("\t")).then(() => {
        document.getElementById("flash").innerHTML = "";
        const note = document.createElement("p");
        note.className = "flash info";
        note.setAttribute("role", "status");
        note.textContent = root.dataset.msgCopied;
        document.getElementById("flash").append(note);
      }).catch(() => {});
    }
    const edit = event.target.closest("[data-edit-cell]");
    if (edit) {
      const cell = edit.closest("td");
      cell.classList.add("editing");
      cell.querySelector("form.edit-cell").hidden = false;
      cell.querySelector("input")?.focus();
    }
    const close = event.target.closest("[data-close-dialog]");
    if (close) document.getElementById(close.dataset.closeDialog)?.replaceChildren();
  });
  root.addEventListener("keydown", (event) => {
    const form = event.target.closest?.("form.edit-cell");
    if (form && event.key === "Escape") {
      form.hidden = true;
      form.closest("td").classList.remove("editing");
    }
  });

  // ---- session tabs (SPEC Q5) --------------------------------------------------------------
  function updateTabs() {
    const wanted = new Map();
    for (const row of rows()) {
      if (row.dataset.hasTab) wanted.set(row.dataset.session, row);
    }
    for (const tab of [...tabs.querySelectorAll("[data-tab-session]")]) {
      if (!wanted.has(tab.dataset.tabSession)) tab.remove();
    }
    for (const [id, row] of wanted) {
      let tab = tabs.querySelector(`[data-tab-session="${id}"]`);
      if (!tab) {
        tab = document.createElement("button");
        tab.type = "button";
        tab.className = "session-tab";
        tab.dataset.tabSession = id;
        tab.setAttribute("hx-get", `/console/sessions/${id}`);
        tab.setAttribute("hx-target", "#session-panel");
        const name = document.createElement("span");
        name.className = "tab-name";
        const time = document.createElement("time");
        time.className = "ticker";
        time.dataset.since = row.dataset.createdAt;
        tab.append(name, " ", time);
        tabs.append(tab);
        process(tab);
      }
      tab.querySelector(".tab-name").textContent = nameOf(row);
      const held = row.dataset.status === "on_hold";
      tab.classList.toggle("held", held);
      if (held) delete tab.dataset.activeSession;
      else tab.dataset.activeSession = id;
    }
    const open = panel.querySelector("[data-active-session]")?.dataset.activeSession;
    if (open && !wanted.has(open) && !rows().some((r) => r.dataset.session === open)) {
      panel.innerHTML = panelHint;
    }
  }
  tabs.addEventListener("click", (event) => {
    const tab = event.target.closest("[data-tab-session]");
    if (!tab) return;
    for (const t of tabs.querySelectorAll("[data-tab-session]")) {
      t.classList.toggle("current", t === tab);
    }
  });

  // ---- live updates ------------------------------------------------------------------------
  /** Marks new rows, and alerts on arrivals, disconnects and lost connections. */
  function announce(before, row) {
    const old = before.get(row.dataset.entry);
    const status = row.dataset.status;
    if (!old) row.classList.add("new");
    if (row.dataset.visibility === "monitored" || old === status) return;
    const name = nameOf(row);
    if (ARRIVING.has(status)) {
      alert(
        document.hidden ? "newSessionMinimised" : "newSessionOpen",
        message("msgNewSession", name),
      );
    } else if (GONE.has(status)) {
      alert("customerDisconnected", message("msgDisconnected", name));
    } else if (status === "reconnecting") {
      alert("networkLost", message("msgNetworkLost", name));
    }
  }
  const statuses = () => new Map(rows().map((row) => [row.dataset.entry, row.dataset.status]));
  function settle(...scopes) {
    for (const scope of scopes) {
      process(scope);
      applyColumns(scope);
    }
    applyFilter();
    updateToolbar();
    updateTabs();
    tick();
  }
  function parse(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  function onQueue(event) {
    const before = statuses();
    const body = parse(event.data).querySelector("tbody");
    if (!body) return;
    for (const row of body.rows) announce(before, row);
    table.tBodies[0].replaceWith(body);
    settle(body);
  }

  function onRows(event) {
    const inner = parse(event.data).querySelector("template[data-session]");
    const id = inner?.dataset.session;
    if (!id || !UUID.test(id)) return;
    const before = statuses();
    const body = table.tBodies[0];
    const old = [...body.querySelectorAll(`tr[data-session="${id}"]`)];
    const fresh = [...inner.content.querySelectorAll("tr[data-session]")];
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
  }

  function onLog(event) {
    let line;
    try {
      line = JSON.parse(event.data);
    } catch {
      return;
    }
    const log = document.getElementById(`log-${line.sessionId}`);
    if (log) {
      const item = parse(line.html).firstElementChild;
      if (item && !(item.id && document.getElementById(item.id))) {
        log.append(item);
        process(item);
        item.scrollIntoView?.({ block: "nearest" });
      }
    }
    if (line.author !== "customer") return;
    const title = message("msgChat", line.name ?? "");
    if (line.kind === "file") alert("customerSentFile", title);
    if (line.kind !== "chat") return;
    const input = document.querySelector(`#session-${line.sessionId} [data-chat-input]`);
    if (document.hidden) alert("chatMinimised", title);
    else if (!input || document.activeElement !== input) alert("chatUnfocused", title);
  }

  const source = new EventSource("/console/events");
  source.addEventListener("queue", onQueue);
  source.addEventListener("rows", onRows);
  source.addEventListener("log", onLog);
  source.addEventListener("open", () => root.classList.remove("disconnected"));
  source.addEventListener("error", () => root.classList.add("disconnected"));
  globalThis.addEventListener("pagehide", () => source.close());

  applyColumns(table);
  settle(table.tBodies[0]);
})();
