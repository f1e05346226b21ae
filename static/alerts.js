// @ts-check
// The technician's console options in the browser (SPEC Q7); a module (deferred), no inline
// script anywhere (CSP). The options come from <script type="application/json"
// id="console-options"> (modules/console/options_views.tsx); pages without it only get
// `play` and the test buttons.
//
//   play(id)                  plays static/sounds/<id>.wav
//   alert(id, {title, body})  the sound if that alert is on; when the tab is hidden or
//                             unfocused, a flashing title and a browser notification, as
//                             the options say
// Also `globalThis.rescueAlerts` = { play, alert }, for the browser tests.

import { closest } from "./app.js";

/** @typedef {import("../modules/console/options.ts").ConsoleOptions} ConsoleOptions */
/** @typedef {{ title?: string, body?: string }} AlertMessage */

/**
 * Read each time, so options re-rendered by htmx apply without a reload.
 * @returns {ConsoleOptions | null}
 */
function options() {
  const element = document.getElementById("console-options");
  if (!element) return null;
  try {
    return JSON.parse(element.textContent ?? "");
  } catch {
    return null;
  }
}

/** @type {Map<string, HTMLAudioElement>} */
const audio = new Map();
/** @param {string} id */
export function play(id) {
  if (!/^[A-Za-z]+$/.test(id)) return Promise.resolve();
  let sound = audio.get(id);
  if (!sound) {
    sound = new Audio(`/static/sounds/${id}.wav`);
    sound.preload = "auto";
    audio.set(id, sound);
  }
  sound.currentTime = 0;
  // Autoplay rules may refuse until the first click on the page; an alert is never worth an error.
  return sound.play().catch(() => {});
}

/** Away = the technician cannot see the console: another tab, minimised, or another window. */
const away = () => document.hidden || !document.hasFocus();

/** @type {ReturnType<typeof setInterval> | null} */
let flashTimer = null;
let restingTitle = "";
/** @param {string} message */
function flashTitle(message) {
  stopFlash();
  restingTitle = document.title;
  let showingMessage = false;
  const toggle = () => {
    showingMessage = !showingMessage;
    document.title = showingMessage ? message : restingTitle;
  };
  toggle();
  flashTimer = setInterval(toggle, 1000);
}
function stopFlash() {
  if (flashTimer === null) return;
  clearInterval(flashTimer);
  flashTimer = null;
  document.title = restingTitle;
}
const stopFlashIfBack = () => {
  if (!away()) stopFlash();
};
document.addEventListener("visibilitychange", stopFlashIfBack);
globalThis.addEventListener("focus", stopFlashIfBack);

/** @param {string} id @param {AlertMessage} message */
function notify(id, message) {
  if (!("Notification" in globalThis) || Notification.permission !== "granted") return;
  const notification = new Notification(message.title ?? "", { body: message.body ?? "", tag: id });
  notification.addEventListener("click", () => {
    globalThis.focus();
    notification.close();
  });
}

/** @param {string} id @param {AlertMessage} message */
export function alert(id, message = {}) {
  const current = options();
  if (!current) return;
  if (current.sounds?.[/** @type {keyof ConsoleOptions["sounds"]} */ (id)] === true) play(id);
  if (!away() || !message.title) return;
  if (current.titleFlash) flashTitle(message.title);
  if (current.notifyWhenHidden) notify(id, message);
}

Object.assign(globalThis, { rescueAlerts: { play, alert } });

// Browsers only ask for notification permission after a user gesture: the first click.
document.addEventListener("click", function askOnce() {
  document.removeEventListener("click", askOnce);
  const current = options();
  if (
    current?.notifyWhenHidden && "Notification" in globalThis &&
    Notification.permission === "default"
  ) {
    Notification.requestPermission().catch(() => {});
  }
});

// "Test sound" buttons on the options page.
document.addEventListener("click", (event) => {
  const button = closest(event, "[data-sound]");
  if (button) play(button.dataset.sound ?? "");
});

// Ending a session asks first when confirmEnd is on. Capture phase: runs before htmx.
document.addEventListener("click", (event) => {
  const button = closest(event, "[data-confirm-end]");
  if (!button || !options()?.confirmEnd) return;
  if (!globalThis.confirm(button.dataset.confirmEnd)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// Closing or leaving the console with a session open asks first (the browser's own words).
globalThis.addEventListener("beforeunload", (event) => {
  if (!options()?.confirmClose || !document.querySelector("[data-active-session]")) return;
  event.preventDefault();
  event.returnValue = "";
});

/** @param {string | undefined} scheme */
function applyScheme(scheme) {
  if (scheme) document.documentElement.dataset.scheme = scheme;
}
/** @param {EventTarget | null} root */
function applySpellCheck(root) {
  const current = options();
  if (!current || !(root instanceof Element || root instanceof Document)) return;
  const inputs = [...root.querySelectorAll("[data-chat-input]")];
  if (root instanceof Element && root.matches("[data-chat-input]")) inputs.push(root);
  for (const input of inputs) {
    if (input instanceof HTMLElement) input.spellcheck = current.spellCheck === true;
  }
}

applyScheme(options()?.colourScheme);
applySpellCheck(document);
// Content htmx swaps in (a new session tab, a re-rendered options block) gets the same.
document.addEventListener("htmx:load", (event) => {
  applyScheme(options()?.colourScheme);
  applySpellCheck(event.target);
});
// The options page previews a scheme as soon as it is picked.
document.addEventListener("change", (event) => {
  const field = closest(event, "[data-scheme-preview]");
  if (field instanceof HTMLSelectElement || field instanceof HTMLInputElement) {
    applyScheme(field.value);
  }
});
