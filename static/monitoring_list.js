// @ts-check
// "Monitor technician" (modules/monitoring views.tsx): the filter box narrows the list of
// technicians by name or group as one types, like the manual's dialog for a large organisation.
const box =
  /** @type {HTMLInputElement | null} */ (document.querySelector("[data-monitor-filter]"));
const rows = [...document.querySelectorAll("#monitor-team tbody tr")];
// Only the name and the group: the row's other words (status, "Monitor", the count of open
// sessions) would keep every row a word like "mon" or "1" matches.
box?.addEventListener("input", () => {
  const words = box.value.trim().toLowerCase();
  for (const row of rows) {
    if (row instanceof HTMLElement) {
      const { name = "", group = "" } = row.dataset;
      row.hidden = words !== "" && !name.includes(words) && !group.includes(words);
    }
  }
});
