// @ts-check
// The external technician's console (modules/external/guest_views.tsx): the session's log
// live over server-sent events (catch-up after a drop by the last line's id), and the page
// replaced by "access ended" when the server says so (removed, expired, session ended); the
// tools' tabs (static/tool_tabs.js) and the System tab's script (its routes under /x).
import { liveSource } from "./live_source.js";
import "./tool_tabs.js";
import "./system_info.js";

const page = document.getElementById("external-console");
const log = document.getElementById("guest-log");

/** @param {string} html */
const append = (html) => {
  if (!log) return;
  const holder = document.createElement("template");
  holder.innerHTML = html;
  const line = holder.content.firstElementChild;
  if (!line || (line.id && document.getElementById(line.id))) return;
  log.append(line);
  log.scrollTop = log.scrollHeight;
};

/**
 * The customer's chat switched: off leaves the technicians' chat only ("Technicians only"
 * ticked and fixed, sent by a hidden field; the note says the customer cannot be written to).
 * @param {boolean} on
 */
const setChat = (on) => {
  const form = document.getElementById("guest-chat");
  if (!form) return;
  /** @type {HTMLInputElement | null} */
  const only = form.querySelector("input[data-tech-only]");
  if (only) {
    only.checked = only.defaultChecked = !on;
    only.disabled = !on;
  }
  /** @type {HTMLInputElement | null} */
  const forced = form.querySelector("input[data-tech-only-forced]");
  if (forced) forced.disabled = on;
  /** @type {HTMLElement | null} */
  const note = form.querySelector(".chat-off-note");
  if (note) note.hidden = on;
};

if (page?.dataset.events) {
  const live = liveSource(page.dataset.events, {
    after: page.dataset.after || "0",
    retryMs: 5000,
    quietMs: 40_000,
    on: {
      line: (event) => {
        append(event.data);
        const said = /data-event="log\.chat(On|Off)"/.exec(event.data);
        if (said) setChat(said[1] === "On");
      },
      ping: () => {},
      ended: (event) => {
        live.close();
        const holder = document.createElement("template");
        holder.innerHTML = event.data;
        page.replaceWith(holder.content);
      },
    },
  });
  if (log) log.scrollTop = log.scrollHeight;
}
