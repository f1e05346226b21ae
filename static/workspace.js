// @ts-check
// The session workspace (modules/console/workspace_panel.tsx): the side panel's tool tabs
// (static/tool_tabs.js), Enter sends the chat, forms that worked are emptied, refusals show
// in #flash, files go up with a progress bar, the remote view's "invite" button fills the
// chat box, and times show in the technician's own clock. A module (deferred); no inline
// script (CSP).
import { flash } from "./app.js";
import { uploadFile } from "./upload.js";
import "./workspace_follow.js";
import "./script_runs.js";
import "./system_info.js";
import "./device_info.js";
import "./present.js";
import { selectTab } from "./tool_tabs.js";

/** @param {Element | null} element */
const inWorkspace = (element) => element?.closest("[data-active-session]") ?? null;

// The remote view without the support app: "Invite in the chat" puts the invitation in the
// chat box (on the Chat tab) for the technician to send or change.
document.addEventListener("remote:invite", (event) => {
  const panel = inWorkspace(event.target instanceof Element ? event.target : null);
  if (!(panel instanceof HTMLElement)) return;
  /** @type {HTMLTextAreaElement | null} */
  const box = panel.querySelector("[data-chat-input]");
  const text = panel.dataset.invite ?? "";
  // With the customer's chat off the box writes to the technicians only: no invitation there.
  const off = panel.querySelector(".chat-form input[data-tech-only-forced]:not([disabled])");
  if (!box || box.disabled || off || !text) return;
  const tab = box.closest("[role=tabpanel]")?.id;
  const owner = tab ? panel.querySelector(`[aria-controls="${tab}"]`) : null;
  if (owner instanceof HTMLElement) selectTab(owner);
  if (!box.value.includes(text)) box.value = box.value ? `${box.value}\n${text}` : text;
  box.focus();
});

// Enter sends, Shift+Enter (or an input method composing text) makes a new line.
document.addEventListener("keydown", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLTextAreaElement) || !box.matches("[data-chat-input]")) return;
  if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
  event.preventDefault();
  if (box.value.trim() !== "" && !box.disabled) box.form?.requestSubmit();
});

// A chat message or pushed URL that went through leaves an empty box behind.
document.addEventListener("htmx:afterRequest", (event) => {
  const { elt, successful } = /** @type {CustomEvent<{ elt: Element, successful: boolean }>} */ (
    event
  ).detail;
  if (!successful || !(elt instanceof HTMLFormElement)) return;
  if (!elt.matches("form[data-reset-on-success]")) return;
  elt.reset();
  // The next message gets its own key (a resent request with the old one is stored once).
  for (const key of elt.querySelectorAll("input[data-send-key]")) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    /** @type {HTMLInputElement} */ (key).value = Array.from(
      bytes,
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
  }
  /** @type {HTMLElement | null} */ (elt.querySelector("[data-chat-input]"))?.focus();
});

/** @param {Element | null} panel @param {boolean} enabled */
function setChat(panel, enabled) {
  if (!panel) return;
  // The customer's chat off leaves the technicians' private chat: "Only to technicians" is
  // ticked and fixed (a hidden field sends it, a disabled box does not), the note says why.
  /** @type {HTMLInputElement | null} */
  const only = panel.querySelector(".chat-form input[data-tech-only]");
  if (only) {
    only.checked = only.defaultChecked = !enabled;
    only.disabled = !enabled;
  }
  /** @type {HTMLInputElement | null} */
  const forced = panel.querySelector(".chat-form input[data-tech-only-forced]");
  if (forced) forced.disabled = enabled;
  /** @type {HTMLTextAreaElement | null} */
  const box = panel.querySelector(".chat-form textarea[data-chat-input]");
  if (box) {
    box.placeholder = (enabled ? box.dataset.placeholderOn : box.dataset.placeholderOff) ?? "";
  }
  /** @type {HTMLLabelElement | null} */
  const label = panel.querySelector(".chat-form label[data-label-on]");
  if (label) label.textContent = (enabled ? label.dataset.labelOn : label.dataset.labelOff) ?? "";
  /** @type {HTMLElement | null} */
  const note = panel.querySelector(".chat-off-note");
  if (note) note.hidden = enabled;
  /** @type {HTMLInputElement | null} */
  const next = panel.querySelector(".chat-toggle input[name=enabled]");
  /** @type {HTMLButtonElement | null} */
  const button = panel.querySelector(".chat-toggle button");
  if (next) next.value = enabled ? "0" : "1";
  if (button) {
    button.textContent = (enabled ? button.dataset.labelOff : button.dataset.labelOn) ?? "";
  }
}

// The sender hears it from its own response…
document.addEventListener("workspace:chat", (event) => {
  const { sessionId, enabled } =
    /** @type {CustomEvent<{ sessionId: string, enabled: boolean }>} */ (event).detail;
  setChat(document.getElementById(`session-${sessionId}`), enabled);
});

/** @param {ParentNode} root */
function localTimes(root) {
  for (const time of root.querySelectorAll(".workspace time[datetime]")) {
    const at = new Date(time.getAttribute("datetime") ?? "");
    if (!(time instanceof HTMLElement) || Number.isNaN(at.getTime()) || time.dataset.local) {
      continue;
    }
    // The page's language, not the browser's: a Dutch page in an English browser says 00:28.
    const clock = at.toLocaleTimeString(document.documentElement.lang || [], {
      hour: "2-digit",
      minute: "2-digit",
    });
    time.textContent = (time.textContent ?? "").replace(/\d{1,2}[:.]\d\d(\s?[AP]M)?/i, clock);
    time.dataset.local = "1";
  }
}

// …everyone else from the log line the live stream appends (and times get localised).
new MutationObserver((mutations) => {
  for (const mutation of mutations) {
    for (const node of mutation.addedNodes) {
      if (!(node instanceof HTMLElement)) continue;
      localTimes(node.parentElement ?? node);
      const event = node.matches(".log-line[data-event]") ? node.dataset.event : "";
      if (event === "log.chatOn" || event === "log.chatOff") {
        setChat(inWorkspace(node), event === "log.chatOn");
      }
    }
  }
}).observe(document.body, { childList: true, subtree: true });
localTimes(document);

// A log opens on its newest line (a session taken over or reopened has a long one), once: from
// then on the technician's own scrolling stands, and new lines bring themselves into view. A log
// not shown yet (another tool's tab, a hidden workspace) is done when it first shows. The
// workspace settles after that (the remote view and the tool tabs take their room) and the log
// gets shorter: while nobody scrolled it up, it stays on its newest line.
// A scroll that comes with a new size is the browser's (scroll anchoring), not the technician's.
const atNewest = new WeakSet();
/** @type {WeakMap<Element, string>} */
const sizeSeen = new WeakMap();
/** @param {Element} log */
const sizeOf = (log) => `${log.clientWidth}×${log.clientHeight}`;
const keepNewest = new ResizeObserver((entries) => {
  for (const { target } of entries) {
    sizeSeen.set(target, sizeOf(target));
    if (atNewest.has(target)) target.scrollTop = target.scrollHeight;
  }
});
function toNewest() {
  for (const log of document.querySelectorAll(".workspace .session-log:not([data-opened])")) {
    if (!(log instanceof HTMLElement) || log.clientHeight === 0) continue;
    log.scrollTop = log.scrollHeight;
    log.dataset.opened = "1";
    atNewest.add(log);
    sizeSeen.set(log, sizeOf(log));
    keepNewest.observe(log);
    log.addEventListener("scroll", () => {
      if (sizeSeen.get(log) !== sizeOf(log)) return;
      if (log.scrollTop + log.clientHeight >= log.scrollHeight - 4) atNewest.add(log);
      else atNewest.delete(log);
    });
  }
}
document.addEventListener("htmx:afterSettle", toNewest);
document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest("[role=tab]")) {
    requestAnimationFrame(toNewest);
  }
});
toNewest();

// Send file with progress; the plain multipart post remains without JS.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches("form.send-file-form")) return;
  event.preventDefault();
  /** @type {HTMLInputElement | null} */
  const input = form.querySelector("input[type=file]");
  const file = input?.files?.[0];
  if (!file) return;
  if (file.size > Number(form.dataset.maxBytes)) return flash(form.dataset.tooLarge ?? "", "error");
  /** @type {HTMLButtonElement | null} */
  const button = form.querySelector("button[type=submit]");
  if (button) button.disabled = true;
  const { status, text } = await uploadFile(form, file, { "HX-Request": "true" });
  if (button) button.disabled = false;
  if (status >= 200 && status < 300) return form.reset();
  // Our error fragment is one <p>: take its text, never its markup.
  const said = new DOMParser().parseFromString(text, "text/html").body.textContent?.trim();
  flash(said || form.dataset.failed || "", "error");
});

// "Open remote views in a separate window" (console options): the remote desktop tab opens the
// view in its own window (the same window name and size as the view's own "Open in a new
// window"), or shows it here this once from its inert <template>
// (modules/console/workspace_main.tsx); the island mounts itself when it appears.
document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const box = target?.closest("[data-remote-elsewhere]");
  if (!(box instanceof HTMLElement)) return;
  const open = target?.closest("[data-open-remote]");
  if (open instanceof HTMLElement) {
    const name = `remote-${box.dataset.remoteElsewhere}`;
    globalThis.open(open.dataset.openRemote, name, "popup=yes,width=1280,height=860,noopener");
    return;
  }
  if (!target?.closest("[data-remote-here]")) return;
  const template = box.querySelector("template");
  if (template) box.replaceWith(template.content.cloneNode(true));
});
