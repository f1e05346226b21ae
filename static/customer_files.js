// @ts-check
// The customer's page: what the technician's file manager is doing on this computer, from
// /s/:token/file-manager/events (modules/filemgr) — whether it is open and each file being copied
// to or from here, with how far it is (modules/support/customer_files_view.tsx). It only
// shows; taking the access back is done in the support app's window.
import { liveSource } from "./live_source.js";

/**
 * @typedef {object} Transfer  as modules/filemgr sends it (docs/files_api.md)
 * @property {string} id
 * @property {"download"|"upload"} direction  download: from the customer's computer
 * @property {string} path
 * @property {number} size
 * @property {number} bytes
 * @property {string} state
 */

const root = document.getElementById("files-activity");
if (root?.dataset.events) {
  const section = root;
  /** @type {Record<string, string>} */
  const labels = JSON.parse(root.dataset.labels || "{}");
  const open = /** @type {HTMLElement} */ (document.getElementById("files-open"));
  const list = /** @type {HTMLElement} */ (document.getElementById("files-transfers"));

  /** @param {Transfer} transfer */
  const line = (transfer) => {
    const item = document.createElement("li");
    item.dataset.state = transfer.state;
    const way = transfer.direction === "download" ? labels.fromYou : labels.toYou;
    const share = transfer.size > 0 ? Math.floor((100 * transfer.bytes) / transfer.size) : 100;
    const how = transfer.state === "done"
      ? labels.done
      : transfer.state === "failed" || transfer.state === "cancelled"
      ? labels.failed
      : transfer.state === "waiting"
      ? labels.waiting
      : `${share} %`;
    item.textContent = `${way} ${transfer.path} — ${how}`;
    return item;
  };

  /** @param {{ open: boolean, transfers: Transfer[] }} activity */
  const render = (activity) => {
    // The running ones and the last few that ended.
    const running = activity.transfers.filter((t) =>
      !["done", "failed", "cancelled"].includes(t.state)
    );
    const ended = activity.transfers.filter((t) => !running.includes(t)).slice(-5);
    // Shown while the file manager is open or something is still being copied.
    section.hidden = !activity.open && running.length === 0;
    section.dataset.open = String(activity.open);
    open.hidden = !activity.open;
    list.replaceChildren(...[...running, ...ended].map(line));
  };

  liveSource(root.dataset.events, {
    retryMs: 3000,
    on: { files: (event) => render(JSON.parse(event.data)) },
  });
}
