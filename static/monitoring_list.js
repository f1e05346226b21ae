// @ts-check
// "Monitor technician" (modules/monitoring views.tsx): the filter box narrows the list of
// technicians by name or group as one types, like the manual's dialog for a large organisation.
const box =
  /** @type {HTMLInputElement | null} */ (document.querySelector("[data-monitor-filter]"));
const rows = [...document.querySelectorAll("#monitor-team tbody tr")];
box?.addEventListener("input", () => {
  const words = box.value.trim().toLowerCase();
  for (const row of rows) {
    if (row instanceof HTMLElement) {
      row.hidden = words !== "" && !(row.textContent ?? "").toLowerCase().includes(words);
    }
  }
});
