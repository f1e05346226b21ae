// @ts-check
// ARIA tabs (WAI-ARIA Authoring Practices "tabs", automatic activation) for every
// `[data-workspace-tabs]` list: the session workspace's tools and views
// (modules/console), and the external technician's tools (modules/external). A click or the
// arrow keys (wrapping), Home and End select a tab and show its panel.

const TAB = "[data-workspace-tabs] [role=tab]";

/**
 * Selects a tab and shows its panel, hiding its siblings'.
 * @param {HTMLElement} tab
 */
export function selectTab(tab) {
  const list = tab.closest("[data-workspace-tabs]");
  if (!list) return;
  for (const other of list.querySelectorAll("[role=tab]")) {
    if (!(other instanceof HTMLElement)) continue;
    const on = other === tab;
    other.setAttribute("aria-selected", String(on));
    other.tabIndex = on ? 0 : -1;
    const panel = document.getElementById(other.getAttribute("aria-controls") ?? "");
    if (panel) panel.hidden = !on;
  }
}

document.addEventListener("click", (event) => {
  const tab = event.target instanceof Element ? event.target.closest(TAB) : null;
  if (tab instanceof HTMLElement) selectTab(tab);
});

document.addEventListener("keydown", (event) => {
  const tab = event.target;
  if (!(tab instanceof HTMLElement) || !tab.matches(TAB)) return;
  const tabs = /** @type {HTMLElement[]} */ ([
    ...(tab.closest("[data-workspace-tabs]")?.querySelectorAll("[role=tab]") ?? []),
  ]);
  const at = tabs.indexOf(tab);
  const next = {
    ArrowRight: at + 1,
    ArrowLeft: at - 1,
    Home: 0,
    End: tabs.length - 1,
  }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  const target = tabs[(next + tabs.length) % tabs.length];
  selectTab(target);
  target.focus();
});
