// @ts-check
// The Device tab of a session's workspace (modules/device_info): while the board is in sight
// and the page is visible, it is read again every two seconds (`?after=<version>`: the server
// answers 204 when nothing changed). A held stream per tab would take one of the six
// connections a browser has to this server over plain http; a short question every two seconds
// takes none for long. Read with fetch, not htmx: a refusal here (the session ended, the
// permission went) stops the reading instead of flashing an error every two seconds; the panel
// itself is fetched again by workspace_follow.js when the session changes. A module (deferred);
// no inline script (CSP).

const EVERY_MS = 2_000;

/**
 * Puts the new board in the old one's place, keeping the keyboard focus on the same control.
 * @param {HTMLElement} board @param {string} html
 */
function replace(board, html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  const fresh = template.content.firstElementChild;
  if (!(fresh instanceof HTMLElement) || !board.isConnected) return;
  const focused = board.contains(document.activeElement) ? document.activeElement?.id : "";
  board.replaceWith(fresh);
  // @ts-ignore htmx is the page's global (vendor script)
  htmx.process(fresh);
  if (focused) document.getElementById(focused)?.focus();
}

/** @param {HTMLElement} frame */
function start(frame) {
  if (frame.dataset.deviceStarted) return;
  frame.dataset.deviceStarted = "1";
  let inSight = false;
  let busy = false;
  const seen = new IntersectionObserver((entries) => {
    inSight = entries[entries.length - 1].isIntersecting;
  });
  seen.observe(frame);
  const stop = () => (clearInterval(timer), seen.disconnect());
  const timer = setInterval(async () => {
    if (!frame.isConnected) return stop();
    const board = frame.querySelector(".device-board");
    if (!inSight || busy || document.hidden || !(board instanceof HTMLElement)) return;
    busy = true;
    try {
      const url = `${board.dataset.boardUrl}?after=${board.dataset.version ?? ""}`;
      const res = await fetch(url, { headers: { "HX-Request": "true" }, cache: "no-store" });
      if (res.status === 200) replace(board, await res.text());
      else if (res.status >= 400 && res.status < 500) stop();
    } catch {
      // The network dropped: the next tick asks again.
    } finally {
      busy = false;
    }
  }, EVERY_MS);
}

/** @param {ParentNode} root */
function startAll(root) {
  for (const frame of root.querySelectorAll("[data-device-info]")) {
    if (frame instanceof HTMLElement) start(frame);
  }
}

document.addEventListener("htmx:load", (event) => {
  const target = event.target;
  if (!(target instanceof HTMLElement)) return;
  if (target.matches("[data-device-info]")) start(target);
  startAll(target);
});
startAll(document);
