// @ts-check
// The customer's Instant Chat page (modules/support/customer_views.tsx): live log over
// server-sent events with catch-up after a drop, font size, Enter to send, a typed message kept
// across a change of language, uploads and downloads with progress, and the end-session
// confirmation. A module (deferred); the page
// works without it (plain forms, reload to see new lines).
import { closest } from "./app.js";
import { liveSource } from "./live_source.js";
import { uploadFile } from "./upload.js";

const page = document.getElementById("customer-page");
const log = document.getElementById("customer-log");
/** @param {string} id */
const show = (id, visible = true) => {
  const element = document.getElementById(id);
  if (element) element.hidden = !visible;
};

// --- Font size: five steps as classes on the page, remembered in this browser. ---
const FONT_KEY = "rescue.customerFont";
const FONT_STEPS = 5;
const readFont = () => {
  const stored = Number(localStorage.getItem(FONT_KEY) ?? "1");
  return Number.isInteger(stored) && stored >= 0 && stored < FONT_STEPS ? stored : 1;
};
/** @param {number} step */
const applyFont = (step) => {
  for (let i = 0; i < FONT_STEPS; i++) page?.classList.toggle(`font-s${i}`, i === step);
};
applyFont(readFont());
document.addEventListener("click", (event) => {
  const button = closest(event, "[data-font-step]");
  if (!button) return;
  const wanted = readFont() + Number(button.dataset.fontStep);
  const step = Math.min(FONT_STEPS - 1, Math.max(0, wanted));
  localStorage.setItem(FONT_KEY, String(step));
  applyFont(step);
});

// --- Log lines: local times, no duplicates, newest in view. ---
const timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
  hour: "2-digit",
  minute: "2-digit",
});
/** @param {ParentNode} root */
const localiseTimes = (root) => {
  for (const time of root.querySelectorAll("time[datetime]")) {
    const at = new Date(time.getAttribute("datetime") ?? "");
    if (!Number.isNaN(at.getTime())) time.textContent = timeFormat.format(at);
  }
};
const dedupe = () => {
  const seen = new Set();
  for (const line of log?.querySelectorAll(".log-line[id]") ?? []) {
    if (seen.has(line.id)) line.remove();
    else seen.add(line.id);
  }
};
const scrollDown = () => {
  if (log) log.scrollTop = log.scrollHeight;
};
/** @param {string} html @param {boolean} live a line just said (a pushed link opens) */
const appendLine = (html, live) => {
  if (!log || !html) return;
  const template = document.createElement("template");
  template.innerHTML = html;
  for (const line of template.content.querySelectorAll(".log-line")) {
    if (line.id && document.getElementById(line.id)) continue;
    localiseTimes(line);
    log.append(line);
    const link = line.querySelector("a.pushed-url");
    if (live && link instanceof HTMLAnchorElement) {
      globalThis.open(link.href, "_blank", "noopener,noreferrer");
    }
  }
  scrollDown();
};
if (log) {
  localiseTimes(log);
  scrollDown();
}

// --- Session state: chat switched off, session ended. ---
/** @param {string} selector @param {boolean} enabled */
const enable = (selector, enabled) => {
  for (const el of document.querySelectorAll(selector)) {
    if ("disabled" in el) el.disabled = !enabled;
  }
};
/** @param {boolean} enabled */
const setChatEnabled = (enabled) => {
  show("chat-disabled-notice", !enabled);
  enable("#customer-chat-form textarea, #customer-chat-form button", enabled);
};
let ended = false;
let chatEnabled = true;
const showEnded = () => {
  ended = true;
  show("ended-notice");
  // The end offered the survey (its line came just before): the notice carries its button.
  const notice = document.getElementById("ended-notice");
  const survey = [...document.querySelectorAll("#customer-log a.survey-link")].at(-1);
  if (notice && survey && !notice.querySelector("a.survey-link")) {
    notice.append(" ", survey.cloneNode(true));
  }
  show("reconnect-banner", false);
  enable("#customer-chat-form *, #customer-file-form *", false);
  show("end-session-form", false);
};

// --- Live stream, resumed after the last line seen; the banner says when it is down. ---
if (page?.dataset.events) {
  const live = liveSource(page.dataset.events, {
    after: page.dataset.after || "0",
    retryMs: 5000,
    quietMs: 40_000, // the server's heartbeat comes every 15 s
    followNetwork: true,
    onState: (up) => show("reconnect-banner", !up && !ended),
    on: {
      log: (event) => appendLine(event.data, true),
      ping: () => {},
      state: (event) => {
        const state = JSON.parse(event.data);
        chatEnabled = Boolean(state.chatEnabled);
        setChatEnabled(chatEnabled);
        if (state.ended) {
          live.close();
          showEnded();
        }
      },
    },
  });
}

// --- Chat: Enter sends (Shift+Enter for a new line); refused messages come back in the form. ---
document.addEventListener("keydown", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLTextAreaElement) || box.id !== "customer-chat-input") return;
  if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
  event.preventDefault();
  box.form?.requestSubmit();
});
document.addEventListener("htmx:afterSettle", () => {
  dedupe();
  if (log) localiseTimes(log);
  scrollDown();
  if (ended) showEnded();
  else if (!chatEnabled) setChatEnabled(false);
  const input = document.getElementById("customer-chat-input");
  if (input instanceof HTMLTextAreaElement && !input.disabled && !input.value) input.focus();
});

// A message half typed survives the reload a change of language makes (this tab only).
const DRAFT_KEY = `rescue.customerDraft:${location.pathname}`;
{
  const draft = sessionStorage.getItem(DRAFT_KEY);
  const box = document.getElementById("customer-chat-input");
  sessionStorage.removeItem(DRAFT_KEY);
  if (draft && box instanceof HTMLTextAreaElement && !box.value) box.value = draft;
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (form.classList.contains("customer-lang")) {
    const box = document.getElementById("customer-chat-input");
    if (box instanceof HTMLTextAreaElement && box.value) {
      sessionStorage.setItem(DRAFT_KEY, box.value);
    }
  }
  // End session: ask first.
  if (form.dataset.confirm && !confirm(form.dataset.confirm)) event.preventDefault();
  if (form.id === "customer-file-form") {
    event.preventDefault();
    sendFile(form);
  }
});

/** @param {HTMLFormElement} form */
async function sendFile(form) {
  /** @type {HTMLInputElement | null} */
  const input = form.querySelector("#customer-file");
  const status = form.querySelector("#file-status");
  const file = input?.files?.[0];
  if (!status) return;
  status.textContent = file ? "" : form.dataset.choose ?? "";
  if (!file) return;
  const { status: code, text } = await uploadFile(form, file, {
    "X-Requested-With": "XMLHttpRequest",
  });
  if (code >= 200 && code < 300) {
    appendLine(text, false);
    form.reset();
  } else {
    // A refusal is one short sentence of plain text; anything else is not shown.
    const plain = text && text.length < 500 && !/<html/i.test(text);
    status.textContent = plain ? text : form.dataset.failed ?? "";
  }
}

// --- Download with progress, then save the bytes under the file's own name. ---
document.addEventListener("click", async (event) => {
  const link = closest(event, "a[data-file-id]");
  if (!(link instanceof HTMLAnchorElement) || !globalThis.ReadableStream) return;
  event.preventDefault();
  /** @type {HTMLProgressElement | null | undefined} */
  const progress = link.parentElement?.querySelector("progress.download-progress");
  try {
    const response = await fetch(link.href, { credentials: "same-origin" });
    if (!response.ok || !response.body) throw new Error(String(response.status));
    const total = Number(response.headers.get("content-length")) || 0;
    const reader = response.body.getReader();
    const chunks = [];
    let received = 0;
    if (progress) {
      progress.hidden = false;
      progress.value = 0;
    }
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      if (progress && total) progress.value = Math.round((received / total) * 100);
    }
    const url = URL.createObjectURL(new Blob(chunks, { type: "application/octet-stream" }));
    const save = document.createElement("a");
    save.href = url;
    save.download = link.dataset.fileName || "file";
    document.body.append(save);
    save.click();
    save.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch {
    location.href = link.href; // let the browser download it the plain way
  } finally {
    if (progress) progress.hidden = true;
  }
});
