/**
 * The agent's own window, as the agent ships it: the page, its script and its style, all
 * inside the agent (nothing comes from the server). consent_page.ts serves them; the script
 * long-polls `state` and posts the customer's answers straight back to the agent.
 */
import type { AgentStrings } from "./strings.ts";
import { textDirection } from "../protocol/language.ts";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function pageHtml(
  options: { strings: AgentStrings; lang: string; server: string; chatUrl: string; title?: string },
): string {
  const page = { ...options.strings.page, title: options.title ?? options.strings.page.title };
  const own = options.strings.unattendedWindow;
  const labels = escapeHtml(JSON.stringify({ ...page, ...own }));
  const server = escapeHtml(page.server.replace("{{server}}", options.server));
  return `<!doctype html>
<html lang="${escapeHtml(options.lang)}" dir="${textDirection(options.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(page.title)}</title>
<link rel="stylesheet" href="page.css">
<script type="module" src="page.js"></script>
</head>
<body>
<main id="consent" data-labels="${labels}">
<section id="connected" class="banner" role="alert" hidden>
<p id="connected-text"></p>
<p class="buttons">
<button type="button" id="disconnect" class="danger" hidden>${escapeHtml(own.disconnect)}</button>
<button type="button" id="revoke-access" class="secondary" hidden>${escapeHtml(own.revoke)}</button>
</p>
</section>
<h1>${escapeHtml(page.title)}</h1>
<p class="server">${server}</p>
<p class="trust">${escapeHtml(page.trust)}</p>
<p id="status" class="status" role="status">${escapeHtml(page.connecting)}</p>
<p id="no-desktop" class="status ended" hidden></p>
<p id="idle" class="status" hidden></p>
<p id="idle-buttons" class="buttons" hidden><button type="button" id="revoke-idle" class="secondary">${
    escapeHtml(own.revoke)
  }</button></p>
<form id="credentials" class="question" role="alertdialog" hidden>
<p>${escapeHtml(own.credentialsTitle)}</p>
<p id="credentials-detail" class="detail"></p>
<p class="note">${escapeHtml(own.credentialsIntro)}</p>
<p class="fields"><label>${
    escapeHtml(own.user)
  } <input id="os-user" name="user" autocomplete="username"></label>
<label>${
    escapeHtml(own.password)
  } <input id="os-password" name="password" type="password" autocomplete="current-password"></label></p>
<p id="credentials-error" class="error" role="alert" hidden></p>
<p class="buttons">
<button type="submit" id="credentials-approve">${escapeHtml(own.approve)}</button>
<button type="button" id="credentials-decline" class="secondary">${escapeHtml(page.deny)}</button>
</p>
</form>
<section id="questions" aria-live="assertive"></section>
<section id="confirms" aria-live="assertive"></section>
<section id="shared" class="shared" aria-live="polite">
<p id="shared-text">${escapeHtml(page.nothingShared)}</p>
<p id="recorded" class="recorded" hidden>${escapeHtml(page.recorded)}</p>
<p id="drawing" class="drawing" hidden>${
    escapeHtml(page.drawing)
  } <button type="button" id="stop-drawing" class="secondary">${
    escapeHtml(page.stopDrawing)
  }</button></p>
<p id="shared-buttons" class="buttons" hidden>
<button type="button" id="stop-control" class="danger" hidden>${
    escapeHtml(page.stopControl)
  }</button>
<button type="button" id="stop-view" class="secondary" hidden>${
    escapeHtml(page.stopSharing)
  }</button>
</p>
</section>
<p id="presenting" class="presenting" role="status" hidden><span id="presenting-text"></span>${
    options.chatUrl
      ? ` <a id="presenting-link" href="${
        escapeHtml(options.chatUrl)
      }" target="_blank" rel="noreferrer noopener">${escapeHtml(page.presentingLink)}</a>`
      : ""
  }</p>
<section id="tools" aria-live="polite"></section>
<p id="failed" class="error" role="alert" hidden>${escapeHtml(page.failed)}</p>
<p class="chat"${options.chatUrl ? "" : " hidden"}><a id="chat" href="${
    escapeHtml(options.chatUrl)
  }" target="_blank" rel="noreferrer noopener">${escapeHtml(page.chat)}</a></p>
</main>
</body>
</html>
`;
}

export const PAGE_CSS = `
:root { color-scheme: light dark; font: 16px/1.5 system-ui, sans-serif; }
body { margin: 0; background: Canvas; color: CanvasText; }
main { max-width: 40rem; margin: 2rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
.server, .trust { color: GrayText; margin: .25rem 0; }
.status { margin: 1rem 0; padding: .5rem .75rem; border-radius: .4rem; background: #8882; }
.status.ended, .status.reconnecting { background: #e6a23c33; }
.question { border: 2px solid #2f6fdf; border-radius: .6rem; padding: 1rem; margin: 1rem 0; }
.question p { margin: 0 0 .75rem; font-weight: 600; }
.question p.detail { font-weight: 400; font-family: ui-monospace, monospace; overflow-wrap: anywhere; white-space: pre-line; }
.tool { display: flex; align-items: center; justify-content: space-between; gap: .5rem; border: 1px solid #d336; border-radius: .6rem; padding: .5rem 1rem; margin: .5rem 0; }
.shared { border: 1px solid #8886; border-radius: .6rem; padding: 1rem; margin: 1rem 0; }
.shared.on { border-color: #d33; background: #d331; }
.shared p { margin: 0 0 .5rem; }
.recorded { display: flex; align-items: center; gap: .5rem; font-weight: 600; color: #c62828; }
.recorded[hidden] { display: none; }
.drawing { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; font-weight: 600; }
.drawing[hidden] { display: none; }
.presenting { padding: .5rem .75rem; border-radius: .4rem; background: #1f6feb22; font-weight: 600; }
.recorded::before { content: ""; flex: none; width: 12px; height: 12px; border-radius: 50%; background: #c62828; }
.buttons { display: flex; gap: .5rem; flex-wrap: wrap; }
button { font: inherit; padding: .5rem 1.1rem; border-radius: .4rem; border: 1px solid #2f6fdf; background: #2f6fdf; color: #fff; cursor: pointer; }
button.secondary { background: transparent; color: inherit; border-color: #888; }
button.danger { background: #c62828; border-color: #c62828; }
button:disabled { opacity: .5; cursor: default; }
.error { color: #c62828; }
.banner { background: #c62828; color: #fff; border-radius: .6rem; padding: 1rem; margin: 0 0 1rem; }
.banner p { margin: 0 0 .5rem; font-weight: 600; }
.banner button.secondary { color: #fff; border-color: #fff; }
.banner button.danger { background: #fff; color: #c62828; border-color: #fff; }
#credentials .fields { display: flex; gap: 1rem; flex-wrap: wrap; font-weight: 400; }
#credentials label { display: block; flex: 1 1 12rem; }
#credentials input { font: inherit; display: block; box-sizing: border-box; width: 100%; padding: .35rem .5rem; }
#credentials .note { font-weight: 400; color: GrayText; }
#credentials p.detail { white-space: pre-line; font-family: inherit; }
[hidden] { display: none !important; }
`;

/** The page's script: no framework, no server code, only this agent's `state`/`answer`/`revoke`. */
export const PAGE_JS = `
const root = document.getElementById("consent");
const labels = JSON.parse(root.dataset.labels);
const $ = (id) => document.getElementById(id);
let version = -1;
let state = null;
let gone = false;

async function post(path, body) {
  $("failed").hidden = true;
  try {
    const response = await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) $("failed").hidden = false;
  } catch {
    $("failed").hidden = false;
  }
}

function question(ask) {
  const box = document.createElement("div");
  box.className = "question";
  box.dataset.capability = ask.capability;
  box.setAttribute("role", "alertdialog");
  const text = document.createElement("p");
  text.textContent = labels[ASKS[ask.capability]] ?? labels.askView;
  const buttons = document.createElement("p");
  buttons.className = "buttons";
  for (const [allow, label] of [[true, labels.allow], [false, labels.deny]]) {
    const button = document.createElement("button");
    button.type = "button";
    button.id = (allow ? "allow-" : "deny-") + ask.capability;
    button.textContent = label;
    if (!allow) button.className = "secondary";
    button.addEventListener("click", () => {
      for (const b of box.querySelectorAll("button")) b.disabled = true;
      post("answer", { capability: ask.capability, id: ask.id, allow });
    });
    buttons.append(button);
  }
  box.append(text);
  // Said before the answer: the view will be recorded, or the technician may record it.
  if (ask.recording) {
    const notice = document.createElement("p");
    // The red dot of a recording only where it will record; "may" is a plain line.
    notice.className = ask.recording === "always" ? "recorded will-record" : "will-record";
    notice.textContent = labels[ask.recording === "always" ? "willRecord" : "mayRecord"];
    box.append(notice);
  }
  box.append(buttons);
  return box;
}

const ASKS = {
  view: "askView",
  control: "askControl",
  files: "askFiles",
  systemInfo: "askSystemInfo",
  scripts: "askScripts",
  reboot: "askReboot",
};
const GRANTED = {
  files: "grantedFiles",
  systemInfo: "grantedSystemInfo",
  scripts: "grantedScripts",
  reboot: "grantedReboot",
};

function confirmation(open) {
  const box = document.createElement("div");
  box.className = "question";
  box.dataset.confirm = open.id;
  box.setAttribute("role", "alertdialog");
  const title = document.createElement("p");
  title.textContent = labels.confirmTitle;
  const detail = document.createElement("p");
  detail.className = "detail";
  detail.textContent = open.detail;
  const buttons = document.createElement("p");
  buttons.className = "buttons";
  for (const [allow, label] of [[true, labels.allow], [false, labels.deny]]) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = allow ? "confirm-allow" : "confirm-deny secondary";
    button.textContent = label;
    button.addEventListener("click", () => {
      for (const b of box.querySelectorAll("button")) b.disabled = true;
      post("confirm", { id: open.id, allow });
    });
    buttons.append(button);
  }
  box.append(title, detail, buttons);
  return box;
}

function tool(capability) {
  const line = document.createElement("p");
  line.className = "tool";
  line.dataset.tool = capability;
  const text = document.createElement("span");
  text.textContent = labels[GRANTED[capability]] + " ";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "secondary";
  button.id = "stop-" + capability;
  button.textContent = labels.takeBack;
  button.addEventListener("click", () => post("revoke", { capability }));
  line.append(text, button);
  return line;
}

let credentialsId = null;
function credentialsForm() {
  const ask = !gone && state.credentials;
  const form = $("credentials");
  form.hidden = !ask;
  if (!ask) {
    credentialsId = null;
    return;
  }
  if (credentialsId !== ask.id) {
    credentialsId = ask.id;
    $("os-user").value = "";
    $("os-password").value = "";
    for (const b of form.querySelectorAll("button")) b.disabled = false;
  }
  $("credentials-detail").textContent = ask.detail;
  $("credentials-error").hidden = !ask.error;
  $("credentials-error").textContent = ask.error ? labels["credentialsError_" + ask.error] : "";
}

$("credentials").addEventListener("submit", async (event) => {
  event.preventDefault();
  const buttons = $("credentials").querySelectorAll("button");
  for (const b of buttons) b.disabled = true;
  const response = await fetch("credentials", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ id: credentialsId, user: $("os-user").value, password: $("os-password").value }),
  }).catch(() => null);
  $("os-password").value = "";
  for (const b of buttons) b.disabled = false;
  $("failed").hidden = response !== null && (response.ok || response.status === 422);
});
$("credentials-decline").addEventListener("click", () => post("credentials", { id: credentialsId, decline: true }));

function banner() {
  const on = !gone && state.connected;
  $("connected").hidden = !on;
  if (on) {
    const mode = on.mode === "service" ? labels.connectedService : labels.connectedUnattended;
    $("connected-text").textContent = mode.replace("{{technician}}", on.technician ?? labels.someone);
  }
  $("disconnect").hidden = !state.canDisconnect;
  $("revoke-access").hidden = !state.canRevoke;
  $("idle").hidden = gone || !state.persistent || Boolean(on);
  $("idle").textContent = state.revoked ? labels.revoked : labels.idle;
  $("idle-buttons").hidden = $("idle").hidden || !state.canRevoke;
  root.dataset.connected = String(Boolean(on));
}
$("disconnect").addEventListener("click", () => post("disconnect", {}));
$("revoke-access").addEventListener("click", () => post("revoke-access", {}));
$("revoke-idle").addEventListener("click", () => post("revoke-access", {}));

function render() {
  banner();
  credentialsForm();
  const ended = gone || state.ended !== null;
  const status = $("status");
  status.className = "status " + (ended ? "ended" : state.status);
  status.textContent = gone ? labels.closed : ended ? labels.ended : labels[state.status];
  const asks = ended ? [] : state.questions;
  $("questions").replaceChildren(...asks.map(question));
  $("confirms").replaceChildren(...(ended ? [] : state.confirms).map(confirmation));
  $("tools").replaceChildren(...(ended ? [] : state.tools).map(tool));
  $("no-desktop").hidden = !state.noDesktop;
  $("no-desktop").textContent = state.noDesktop ? labels.noDesktop.replace("{{why}}", state.noDesktop) : "";
  const view = !ended && state.view;
  const control = !ended && state.control;
  $("shared").classList.toggle("on", view);
  $("shared-text").textContent = control ? labels.sharing + " " + labels.controlling
    : view ? labels.sharing : labels.nothingShared;
  $("stop-control").hidden = !control;
  $("stop-view").hidden = !view;
  $("recorded").hidden = !(view && state.recorded);
  $("drawing").hidden = !(view && state.drawing);
  // A technician's own screen is shown on the support page in the browser, not here: said, linked.
  $("presenting").hidden = ended || !state.presenting;
  $("presenting-text").textContent = state.presenting
    ? labels.presenting.replace("{{name}}", state.presenting) : "";
  $("shared-buttons").hidden = !view;
  root.dataset.view = String(view);
  root.dataset.control = String(control);
  root.dataset.ended = String(ended);
  const waiting = asks.length + (ended ? 0 : state.confirms.length) + (state.credentials ? 1 : 0);
  document.title = waiting ? "(!) " + labels.title : labels.title;
}

$("stop-control").addEventListener("click", () => post("revoke", { capability: "control" }));
$("stop-view").addEventListener("click", () => post("revoke", { capability: "view" }));
$("stop-drawing").addEventListener("click", () => post("stop-drawing", {}));

async function poll() {
  let failures = 0;
  while (!gone) {
    try {
      const response = await fetch("state?after=" + version, { cache: "no-store" });
      if (!response.ok) throw new Error(String(response.status));
      state = await response.json();
      version = state.version;
      failures = 0;
      render();
      if (state.ended !== null) return;
    } catch {
      if (++failures >= 3) {
        gone = true;
        if (state) render();
        else $("status").textContent = labels.closed;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
poll();
`;
