// @ts-check
// An open workspace follows what happened to its session (issue 13, "state that is true"):
// when the log says the session was transferred, the transfer returned or the session ended,
// the panel is fetched again, so it shows the technician's row as it is now — read-only, with
// no remote view (its island unmounts and stops reconnecting) — instead of "Active".

/** Log events after which the panel's status, tools and remote view may all be stale. */
const MOVES = new Set(["log.transferred", "log.transferReturned", "log.endedByTechnician"]);

/** @param {HTMLElement} panel */
function refetch(panel) {
  const id = panel.dataset.activeSession;
  const htmx =
    /** @type {{ htmx?: { ajax(verb: string, url: string, o: object): Promise<void> } }} */ (
      globalThis
    ).htmx;
  if (!id || !htmx || !panel.isConnected) return;
  htmx.ajax("GET", `/console/sessions/${id}`, { target: panel, swap: "outerHTML" })
    .catch(() => {});
}

new MutationObserver((mutations) => {
  /** @type {Set<HTMLElement>} */
  const stale = new Set();
  for (const mutation of mutations) {
    for (const node of mutation.addedNodes) {
      if (!(node instanceof HTMLElement) || !node.matches(".log-line[data-event]")) continue;
      if (!MOVES.has(node.dataset.event ?? "")) continue;
      const panel = node.closest("[data-active-session]");
      if (panel instanceof HTMLElement) stale.add(panel);
    }
  }
  for (const panel of stale) refetch(panel);
}).observe(document.body, { childList: true, subtree: true });
