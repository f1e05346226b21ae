// @ts-check
// Every page: small progressive enhancements, htmx's refusals, and what the page scripts
// share (the #flash region, delegated events). A module (deferred); no inline script (CSP).

/**
 * Shows one message in the page's #flash region (views/layout.tsx), replacing the last.
 * @param {string} message
 * @param {"error" | "info"} kind
 */
export function flash(message, kind) {
  const p = document.createElement("p");
  p.className = `flash ${kind}`;
  p.setAttribute("role", kind === "error" ? "alert" : "status");
  p.textContent = message;
  document.getElementById("flash")?.replaceChildren(p);
}

/**
 * For a listener on the document: the element matching `selector` the event happened in.
 * @param {Event} event
 * @param {string} selector
 */
export const closest = (event, selector) =>
  event.target instanceof Element
    ? /** @type {HTMLElement | null} */ (event.target.closest(selector))
    : null;

// A <time data-moment> (views/moment.tsx) again in the browser's time zone, in the page's
// language and the same style: the server wrote UTC.
const momentOptions = /** @type {Record<string, Intl.DateTimeFormatOptions>} */ ({
  clock: { hour: "2-digit", minute: "2-digit" },
  dateTime: { dateStyle: "medium", timeStyle: "short" },
  date: { dateStyle: "medium" },
});
/** @param {ParentNode} root */
function localMoments(root) {
  const lang = document.documentElement.lang || undefined;
  for (const time of root.querySelectorAll("time[data-moment][datetime]")) {
    const at = new Date(time.getAttribute("datetime") ?? "");
    const options = momentOptions[/** @type {HTMLElement} */ (time).dataset.moment ?? ""];
    if (options && !Number.isNaN(at.getTime())) {
      time.textContent = new Intl.DateTimeFormat(lang, options).format(at);
    }
  }
  // The browser's own time zone where a form asks for it (the unattended-access request).
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (const field of root.querySelectorAll("[data-browser-zone]")) {
    if (field instanceof HTMLInputElement) field.value = zone;
    else if (field instanceof HTMLSelectElement) {
      // A zone select (history search) not asked for a zone: the browser's, if offered.
      if ([...field.options].some((o) => o.value === zone)) field.value = zone;
    } else field.textContent = zone;
  }
}
localMoments(document);
document.addEventListener("htmx:load", (event) => {
  if (event.target instanceof Element) localMoments(event.target);
});

// A <textarea maxlength data-counter> (the chat boxes) says how much room is left once it
// nears its limit, so a long message is not cut off at the limit without a word.
/** @param {HTMLTextAreaElement} box */
function showCount(box) {
  const max = box.maxLength;
  const next = box.nextElementSibling;
  /** @type {HTMLOutputElement} */
  let counter;
  if (next instanceof HTMLOutputElement && next.matches(".char-count")) counter = next;
  else {
    counter = document.createElement("output");
    counter.className = "char-count muted";
    counter.setAttribute("aria-live", "polite");
    box.after(counter);
  }
  const used = box.value.length;
  const number = new Intl.NumberFormat(document.documentElement.lang || undefined);
  counter.textContent = `${number.format(used)} / ${number.format(max)}`;
  counter.hidden = max <= 0 || used < max * 0.8;
  counter.classList.toggle("at-limit", used >= max);
}
document.addEventListener("input", (event) => {
  const box = event.target;
  if (box instanceof HTMLTextAreaElement && box.matches("[maxlength][data-counter]")) {
    showCount(box);
  }
});
// A sent message empties the box (form.reset(), which fires no input): the count goes too.
document.addEventListener("reset", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  setTimeout(() => {
    for (const box of form.querySelectorAll("textarea[maxlength][data-counter]")) {
      showCount(/** @type {HTMLTextAreaElement} */ (box));
    }
  });
});

// Copy buttons: the text of the element `data-copy` names; once it is on the clipboard, the
// button's `data-copied` words appear beside it for a few seconds (announced: role=status).
document.addEventListener("click", (event) => {
  const button = closest(event, "[data-copy]");
  const source = button && document.getElementById(button.dataset.copy ?? "");
  if (!button || !source) return;
  navigator.clipboard?.writeText((source.textContent ?? "").trim()).then(() => {
    if (!button.dataset.copied) return;
    const next = button.nextElementSibling;
    /** @type {HTMLElement} */
    let said;
    if (next instanceof HTMLElement && next.matches(".copied")) {
      said = next;
    } else {
      said = document.createElement("span");
      said.className = "copied muted";
      said.setAttribute("role", "status");
      button.after(said);
    }
    said.textContent = button.dataset.copied;
    clearTimeout(Number(said.dataset.timer));
    said.dataset.timer = String(setTimeout(() => said.remove(), 4000));
  }).catch(() => {});
});

// A menu (<details data-menu>: the console's Settings, a workspace's More actions) closes after
// a choice and on a click elsewhere; Escape closes it and gives the focus back to its summary.
document.addEventListener("click", (event) => {
  const inside = closest(event, "details[data-menu]");
  const chosen = closest(event, "details[data-menu] > :not(summary) :is(a, button)");
  for (const menu of document.querySelectorAll("details[data-menu][open]")) {
    if (menu !== inside || chosen) menu.removeAttribute("open");
  }
});
document.addEventListener("keydown", (event) => {
  const menu = event.key === "Escape" && closest(event, "details[data-menu][open]");
  if (!menu) return;
  menu.removeAttribute("open");
  menu.querySelector("summary")?.focus();
});

// The language picker on the sign-in page submits on change.
document.addEventListener("change", (event) => {
  const field = closest(event, "[data-autosubmit]");
  if (field instanceof HTMLSelectElement) field.form?.requestSubmit();
});

/** @typedef {{ elt: Element, xhr: XMLHttpRequest, shouldSwap: boolean, isError: boolean }} Swap */

// Refusals (4xx) from htmx requests carry what to show — the flash (HX-Retarget #flash) or the
// form again with its messages — so they are swapped like successes, app-wide.
document.addEventListener("htmx:beforeSwap", (event) => {
  const detail = /** @type {CustomEvent<Swap>} */ (event).detail;
  const status = detail.xhr.status;
  if (status >= 400 && status < 500) {
    detail.shouldSwap = true;
    detail.isError = false;
  }
});

// An answer can come back after the live stream replaced the element that asked (a second
// click on a row's Start). htmx finds a retarget from that element, so it cannot place it
// ("Invalid re-target #flash"): such an answer's text goes to #flash here, unless htmx is
// leaving the page anyway (a redirect is followed before any target is looked for).
const LEAVING = ["HX-Redirect", "HX-Location", "HX-Refresh"];
document.addEventListener("htmx:beforeRequest", (event) => {
  const { elt, xhr } = /** @type {CustomEvent<Swap>} */ (event).detail;
  /** @param {Event} loaded */
  const onLoad = (loaded) => {
    if (/** @type {CustomEvent<Swap>} */ (loaded).detail.xhr !== xhr) return;
    elt.removeEventListener("htmx:beforeOnLoad", onLoad);
    const retarget = xhr.getResponseHeader("HX-Retarget");
    if (elt.isConnected || !retarget || LEAVING.some((h) => xhr.getResponseHeader(h))) return;
    loaded.preventDefault();
    const said = new DOMParser().parseFromString(xhr.responseText, "text/html").body.textContent;
    if (retarget === "#flash" && said?.trim()) {
      flash(said.trim(), xhr.status < 400 ? "info" : "error");
    }
  };
  elt.addEventListener("htmx:beforeOnLoad", onLoad);
});

// A search box over a list (the Invite technician dialog, data-filter-list="<list id>"):
// items whose data-filter-text does not contain what was typed are hidden.
document.addEventListener("input", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.dataset.filterList) return;
  const list = document.getElementById(box.dataset.filterList);
  const wanted = box.value.trim().toLowerCase();
  for (const item of list?.querySelectorAll("[data-filter-text]") ?? []) {
    if (!(item instanceof HTMLElement)) continue;
    item.hidden = wanted !== "" && !(item.dataset.filterText ?? "").includes(wanted);
  }
});
