// @ts-check
// The workspace's "Show screen" tab (modules/remote present_views.tsx): the technician's own
// screen to the customer. Show my screen → `getDisplayMedia`, one send-only track over WebRTC
// to the server (present_routes.tsx; non-trickle, the complete offer in one POST), which passes
// it on to the customer's browser once the customer chooses View. Show something else picks
// another screen or window and swaps the track in the same connection (`replaceTrack`: no new
// offer, the customer's viewer carries on). Stop, the browser's own stop bar or a failed
// connection stop it (a peer that never connected is replaced once: peer_link.js). What the
// line says about the customer comes only from the server's `…/present/events` (asked,
// connecting, watching, how it ended), never from this page's guess.
// Imported by workspace.js; no inline script (CSP).
import { liveSource } from "./live_source.js";
import { CONNECT_TRIES, gathered, watchPeer } from "./peer_link.js";

/** @param {HTMLElement} panel */
function present(panel) {
  if (panel.dataset.presentReady) return;
  panel.dataset.presentReady = "1";
  const base = panel.dataset.present ?? "";
  /** @type {Record<string, string>} */
  const labels = JSON.parse(panel.dataset.labels || "{}");
  /** @param {string} selector */
  const $ = (selector) => /** @type {HTMLElement} */ (panel.querySelector(selector));
  const startButton = /** @type {HTMLButtonElement} */ ($("[data-present-start]"));
  const changeButton = /** @type {HTMLButtonElement} */ ($("[data-present-change]"));
  const stopButton = /** @type {HTMLButtonElement} */ ($("[data-present-stop]"));
  const status = $("[data-present-status]");
  const preview = /** @type {HTMLVideoElement} */ ($("[data-present-preview]"));
  const figure = /** @type {HTMLElement} */ (preview.closest("figure"));

  if (typeof navigator.mediaDevices?.getDisplayMedia !== "function") {
    startButton.hidden = true;
    status.textContent = labels.unsupported;
    return;
  }

  /**
   * The capture under way; `seen`: the server has shown it (so its "none" after is an end).
   * @type {{ pc: RTCPeerConnection, sender: RTCRtpSender, track: MediaStreamTrack, seen: boolean } | null}
   */
  let share = null;
  /** The server's last word (`PresenterState`), shown as it is. */
  let state = {
    phase: "none",
    ended: /** @type {string | null} */ (null),
    size: null,
    customer: true,
  };

  const csrf = () =>
    /** @type {HTMLInputElement | null} */ (panel.querySelector("input[name=_csrf]"))?.value ?? "";
  /** @param {string} path @param {string | undefined} body */
  const post = (path, body) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { "X-CSRF-Token": csrf(), "HX-Request": "true", "Content-Type": "application/json" },
      body,
    });
  /** A refusal's own words (a short fragment: modules/app/errors.tsx). @param {Response} res */
  const refusal = async (res) => {
    const html = await res.text();
    return html.length < 2000 && !/<html/i.test(html)
      ? new DOMParser().parseFromString(html, "text/html").body.textContent?.trim() ?? ""
      : "";
  };

  const render = () => {
    const on = state.phase !== "none";
    startButton.hidden = on || share !== null;
    changeButton.hidden = !(on && share);
    stopButton.hidden = !on && !share;
    figure.hidden = !share;
    panel.dataset.phase = state.phase;
    const why = state.ended ?? "";
    const ended = why ? labels[`ended${why[0].toUpperCase()}${why.slice(1)}`] ?? "" : "";
    // Shown only to a customer whose page is open (the server refuses it otherwise).
    startButton.disabled = !state.customer;
    const away = !on && !share && !state.customer ? labels.customerAway : "";
    status.textContent = on
      ? labels[state.phase] ?? ""
      : share
      ? labels.connecting
      : [ended, away].filter(Boolean).join(" ");
  };

  /** Stops the capture here (the server is told when `tell`). @param {boolean} tell */
  const stopHere = (tell) => {
    const current = share;
    share = null;
    if (current) {
      current.track.stop();
      current.pc.close();
    }
    preview.srcObject = null;
    if (tell) post("/stop", undefined).catch(() => {});
    render();
  };

  /** @returns {Promise<MediaStreamTrack | null>} */
  const pick = async () => {
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({
        video: { frameRate: 30, width: { max: 3840 }, height: { max: 2160 } },
        audio: false,
      });
      return stream.getVideoTracks()[0] ?? null;
    } catch {
      return null;
    }
  };

  /** @param {MediaStreamTrack} track */
  const watchTrack = (track) => {
    // The browser's own "Stop sharing" bar ends the track: it ends the presentation.
    track.addEventListener("ended", () => {
      if (share?.track === track) stopHere(true);
    });
    preview.srcObject = new MediaStream([track]);
    preview.play().catch(() => {});
  };

  const start = async () => {
    startButton.disabled = true;
    const track = await pick();
    startButton.disabled = !state.customer;
    if (!track) return;
    watchTrack(track);
    status.textContent = labels.connecting;
    await link(track, 1);
  };

  /**
   * One peer for `track`: our complete offer, the server's answer. One that never connected
   * (peer_link.js) is replaced by a new one, the capture kept, up to CONNECT_TRIES; after
   * that, or when a connected peer fails, the presentation stops.
   * @param {MediaStreamTrack} track @param {number} attempt
   */
  const link = async (track, attempt) => {
    const pc = new RTCPeerConnection();
    const sender = pc.addTransceiver(track, { direction: "sendonly" }).sender;
    // A replacement peer is a capture of its own: seen again when the server shows it.
    share = { pc, sender, track, seen: false };
    render();
    const unwatch = watchPeer(pc, {
      connected: () => {},
      lost: (never) => {
        if (share?.pc !== pc) return;
        if (!never || attempt >= CONNECT_TRIES) return stopHere(true);
        pc.close();
        void link(share.track, attempt + 1);
      },
    });
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      const res = await post("/offer", JSON.stringify({ sdp: pc.localDescription?.sdp ?? "" }));
      if (share?.pc !== pc) return;
      if (!res.ok) {
        unwatch();
        const reason = await refusal(res);
        stopHere(false);
        status.textContent = (labels.failed ?? "").replace("{{reason}}", reason || res.statusText);
        return;
      }
      await pc.setRemoteDescription({ type: "answer", sdp: (await res.json()).sdp });
    } catch (error) {
      unwatch();
      if (share?.pc !== pc) return;
      stopHere(true);
      status.textContent = (labels.failed ?? "").replace("{{reason}}", String(error));
    }
  };

  // Another screen or window in the same connection: the customer's viewer carries on.
  const change = async () => {
    const current = share;
    if (!current) return;
    const track = await pick();
    if (!track || share !== current) return track?.stop();
    await current.sender.replaceTrack(track);
    const old = current.track;
    current.track = track;
    old.stop();
    watchTrack(track);
  };

  startButton.addEventListener("click", () => void start());
  changeButton.addEventListener("click", () => void change());
  stopButton.addEventListener("click", () => stopHere(true));

  const source = liveSource(`${base}/events`, {
    retryMs: 3000,
    on: {
      present: (event) => {
        if (!panel.isConnected) {
          stopHere(true);
          return source.close();
        }
        state = JSON.parse(event.data);
        // Ended on the server (the customer, the session, a lost connection): stop here too.
        if (share && state.phase !== "none") share.seen = true;
        else if (share?.seen) stopHere(false);
        render();
      },
    },
  });
  render();
}

/** @param {Element} root */
function scan(root) {
  for (const panel of root.querySelectorAll("[data-present]")) {
    if (panel instanceof HTMLElement) present(panel);
  }
  if (root instanceof HTMLElement && root.matches("[data-present]")) present(root);
}

document.addEventListener("htmx:load", (event) => {
  if (event.target instanceof Element) scan(event.target);
});
scan(document.documentElement);
