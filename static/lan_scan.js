// @ts-check
// "Computers on this network" (modules/unattended/lan_views.tsx): while a scan runs, its hosts
// arrive as server-sent `host` events, each the table row the server rendered, appended as
// they come; `end` carries how the scan ended, which replaces the state line, and Stop goes
// away. A new scan (htmx swaps the panel) is followed the same way. No inline script (CSP).
import { liveSource } from "./live_source.js";

/** @param {Element} panel */
function follow(panel) {
  if (!(panel instanceof HTMLElement) || panel.dataset.following) return;
  const url = panel.dataset.lanEvents;
  if (!url) return;
  panel.dataset.following = "1";
  const rows = panel.querySelector("[data-lan-hosts]");
  const state = panel.querySelector("[data-lan-state]");
  const source = liveSource(url, {
    after: "0",
    on: {
      host: (event) => {
        if (!panel.isConnected) return source.close();
        rows?.insertAdjacentHTML("beforeend", event.data);
        const row = rows?.lastElementChild;
        // @ts-ignore htmx is the page's global (vendor/htmx.min.js)
        if (row && globalThis.htmx) globalThis.htmx.process(row);
      },
      end: (event) => {
        source.close();
        if (state) state.innerHTML = event.data;
        panel.querySelector("[data-lan-stop]")?.remove();
        const scan = panel.querySelector("[data-lan-scan]");
        if (scan instanceof HTMLButtonElement) scan.disabled = false;
        panel.dataset.ended = "1";
      },
    },
  });
}

const look = () => document.querySelectorAll("[data-lan-events]").forEach(follow);
look();
document.addEventListener("htmx:afterSwap", look);
