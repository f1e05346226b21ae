// @ts-check
// The Device tab of a session's workspace (modules/device_info): while the board is in sight
// and the page is visible, it is read again every two seconds (`?after=<version>`: the server
// answers 204 when nothing changed, so htmx keeps what is there). A held stream per tab would
// take one of the six connections a browser has to this server over plain http; a short
// question every two seconds takes none for long. A module (deferred); no inline script (CSP).

const EVERY_MS = 2_000;

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
  const timer = setInterval(() => {
    if (!frame.isConnected) return (clearInterval(timer), seen.disconnect());
    const board = frame.querySelector(".device-board");
    if (!inSight || busy || document.hidden || !(board instanceof HTMLElement)) return;
    busy = true;
    const url = `${board.dataset.boardUrl}?after=${board.dataset.version ?? ""}`;
    // @ts-ignore htmx is the page's global (vendor script)
    htmx.ajax("GET", url, { target: board, swap: "outerHTML" })
      .catch(() => {})
      .finally(() => (busy = false));
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
