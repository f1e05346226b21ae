// @ts-check
// The browser's side of a peer that sends to the server (the customer's screen share, the
// Lens phone's camera, the technician's presentation): one complete offer after ICE gathering
// (no trickle), and a watch on the connection that tells a peer which never connected — its
// handshake lost for good, a loaded server — from one that failed after it did. Pages replace
// a peer that never connected once (CONNECT_TRIES) with a new offer, keeping what they send.

/** How long a new peer may take to connect before it counts as lost. */
export const CONNECT_DEADLINE_MS = 20_000;
/** Peers a page tries before the connection counts as failed. */
export const CONNECT_TRIES = 2;

/**
 * Waits for `pc`'s ICE gathering to complete, at most `ms` (what was gathered goes then).
 * @param {RTCPeerConnection} pc @param {number} [ms]
 * @returns {Promise<void>}
 */
export function gathered(pc, ms = 3000) {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === "complete") return resolve();
    const timer = setTimeout(resolve, ms);
    pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState !== "complete") return;
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Watches `pc`: `connected()` each time it connects; `lost(never)` once, when it fails or has
 * not connected within `deadlineMs` (`never`: it had not connected before). Returns the
 * function that stops watching (a peer the page gave up or replaced itself).
 * @param {EventTarget & { connectionState: string }} pc
 * @param {{ connected(): void, lost(never: boolean): void, deadlineMs?: number }} on
 * @returns {() => void}
 */
export function watchPeer(pc, on) {
  let was = false;
  let done = false;
  const stop = () => {
    done = true;
    clearTimeout(deadline);
    pc.removeEventListener("connectionstatechange", change);
  };
  const lose = () => {
    if (done) return;
    stop();
    on.lost(!was);
  };
  const deadline = setTimeout(() => {
    if (pc.connectionState !== "connected") lose();
  }, on.deadlineMs ?? CONNECT_DEADLINE_MS);
  const change = () => {
    if (pc.connectionState === "connected") {
      was = true;
      clearTimeout(deadline);
      on.connected();
    } else if (pc.connectionState === "failed") lose();
  };
  pc.addEventListener("connectionstatechange", change);
  return stop;
}
