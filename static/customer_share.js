// @ts-check
// "Share my screen" on the customer's page (modules/support/customer_views.tsx,
// BrowserShareForm): `getDisplayMedia`, one send-only video track over WebRTC to the server
// (modules/remote share_routes.ts, browser_share.ts) in whatever codec the browser prefers
// (VP8, VP9 or H.264: the server passes it on as it is), shown to the technician as the
// support app's picture — view only. Non-trickle: the complete offer goes in one POST.
// In Chromium a still screen is held back (quietWhenStill): one frame a second instead of 30.
// While sharing, this section is the one place that says so — what is shared (the screen, a
// window or a tab, as picked in the browser's window) and who sees it (from
// static/customer_remote.js's "remote-state" event, which then leaves its own "Connected to your
// screen" line out) — and has the one stop button; afterwards it says sharing stopped, whoever
// stopped it (our button, the browser's own bar, the server).
// Stops on our button, the browser's own stop, or when the server ends view (the customer's
// "Stop sharing", a technician, hold, transfer, end: the remote state static/customer_remote.js
// passes on no longer says view is granted to this share, by its id), or when the connection
// fails. A peer that has not connected after 20 s is replaced once by a new offer (the screen
// kept).

import { CONNECT_TRIES, gathered, watchPeer } from "./peer_link.js";

const root = document.getElementById("browser-share");
// Older browsers and plain-http pages have no getDisplayMedia (the types say it is always there).
const supported = typeof navigator.mediaDevices?.getDisplayMedia === "function" &&
  typeof globalThis.RTCPeerConnection === "function";
if (root && supported) {
  const section = root;
  section.hidden = false;
  /** @type {Record<string, string>} */
  const labels = JSON.parse(section.dataset.labels || "{}");
  /** @param {string} id */
  const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const status = $("browser-share-status");
  const startButton = /** @type {HTMLButtonElement} */ ($("browser-share-start"));
  const stopButton = $("browser-share-stop");
  /**
   * The share under way; `surface` is what the customer picked in the browser's window:
   * "monitor" (a whole screen), "window" or "browser" (a tab), "" when the browser does not say;
   * `id` the server's for it (its answer's); `seen`: the server showed it granted view.
   * @type {{ pc: RTCPeerConnection, stream: MediaStream, seen: boolean, surface: string, id: string } | null}
   */
  let share = null;
  /** The server's ids of every share this tab made (`CustomerView.shareId`). */
  const mine = new Set();

  const csrf = () =>
    /** @type {HTMLInputElement | null} */ (document.querySelector("input[name=_csrf]"))
      ?.value ?? "";
  /** @param {string} url @param {BodyInit | undefined} body */
  const post = (url, body) =>
    fetch(url, {
      method: "POST",
      headers: {
        "X-CSRF-Token": csrf(),
        // A refusal then comes back as one short paragraph (modules/app/errors.tsx).
        "HX-Request": "true",
        "Content-Type": "application/json",
      },
      body,
    });

  /** Who watches, as the server last said (customer_remote.js). */
  let watchers = "";

  /** @param {boolean} sharing @param {string} text */
  const render = (sharing, text) => {
    startButton.hidden = sharing;
    startButton.disabled = false;
    stopButton.hidden = !sharing;
    $("browser-share-intro").hidden = sharing;
    status.textContent = text;
    section.dataset.sharing = sharing ? "1" : "";
  };
  /**
   * What is shared, in words true to what the customer picked, and with whom. A browser that
   * does not say what was picked (Firefox has no `displaySurface`) gets the words for either.
   */
  const sharingText = () => {
    const surface = share?.surface;
    const what = surface === "window"
      ? "Window"
      : surface === "browser"
      ? "Tab"
      : surface === "monitor"
      ? ""
      : "Chosen";
    return watchers
      ? (labels[`sharing${what}With`] ?? "").replace("{{names}}", watchers)
      : labels[`sharing${what}`];
  };

  /** @param {boolean} tellServer @param {string} [words] what the page says then */
  const stop = (tellServer, words = labels.stopped) => {
    const current = share;
    if (!current) return;
    share = null;
    for (const track of current.stream.getTracks()) track.stop();
    current.pc.close();
    if (tellServer) post(section.dataset.stop ?? "", undefined).catch(() => {});
    render(false, words);
  };

  /**
   * Chromium's screen capturer hands over every tick of a still screen (measured on X11: 29
   * frames a second of an unchanged screen, with `contentHint`, `frameRate: { min: 0 }` or
   * `maxFramerate` alike) and its encoder codes them all. Where the page can see the frames
   * (Chromium's MediaStreamTrackProcessor and MediaStreamTrackGenerator), frames equal to the
   * one before are held back once the picture has been still for SETTLE_MS (the encoder
   * refines a still picture over those frames: text turns sharp), and one goes on every
   * REFRESH_MS. Other browsers (Firefox) send the capture as it is.
   * @param {MediaStreamTrack} track
   * @returns {MediaStreamTrack}
   */
  const quietWhenStill = (track) => {
    const g = /** @type {any} */ (globalThis);
    if (
      typeof g.MediaStreamTrackProcessor !== "function" ||
      typeof g.MediaStreamTrackGenerator !== "function"
    ) return track;
    const SETTLE_MS = 1000;
    const REFRESH_MS = 1000;
    const processor = new g.MediaStreamTrackProcessor({ track });
    const generator = new g.MediaStreamTrackGenerator({ kind: "video" });
    // Screen content for the encoder (sharp text, the frame rate gives way first).
    generator.contentHint = "detail";
    let current = new Uint32Array(0);
    let previous = current;
    let changedAt = 0;
    let sentAt = 0;
    const hold = new TransformStream({
      /** @param {VideoFrame} frame @param {TransformStreamDefaultController} out */
      async transform(frame, out) {
        const now = performance.now();
        const words = Math.ceil(frame.allocationSize() / 4);
        if (current.length !== words) current = new Uint32Array(words);
        await frame.copyTo(current);
        let same = previous.length === words;
        for (let i = 0; same && i < words; i++) same = current[i] === previous[i];
        [previous, current] = [current, previous];
        if (!same) changedAt = now;
        if (now - changedAt < SETTLE_MS || now - sentAt >= REFRESH_MS) {
          sentAt = now;
          out.enqueue(frame);
        } else frame.close();
      },
    });
    processor.readable.pipeThrough(hold).pipeTo(generator.writable).catch(() => {});
    return generator;
  };

  const start = async () => {
    startButton.disabled = true;
    status.textContent = labels.starting;
    /** @type {MediaStream} */
    let stream;
    try {
      // The screen at its own size (up to 4K): asked for a frame rate alone, Chromium sends a
      // 1920×1080 screen as 1280×720, and the technician reads small text blurred.
      stream = await navigator.mediaDevices.getDisplayMedia({
        video: { frameRate: 30, width: { max: 3840 }, height: { max: 2160 } },
        audio: false,
      });
    } catch {
      render(false, labels.failed);
      return;
    }
    const track = stream.getVideoTracks()[0];
    status.textContent = labels.connecting;
    track.addEventListener("ended", () => stop(true));
    await link(stream, quietWhenStill(track), 1);
  };

  /**
   * One peer for the shared `stream` (`sent`: its track as sent): our complete offer, the
   * server's answer. One that never connected (peer_link.js) is replaced by a new one — the
   * screen kept, nothing asked again — up to CONNECT_TRIES; after that, or when a connected
   * peer fails, sharing stops.
   * @param {MediaStream} stream @param {MediaStreamTrack} sent @param {number} attempt
   */
  const link = async (stream, sent, attempt) => {
    const pc = new RTCPeerConnection();
    const surface = stream.getVideoTracks()[0].getSettings().displaySurface ?? "";
    // A replacement peer is a share of its own, known by the id its answer gives.
    share = { pc, stream, seen: false, surface, id: "" };
    pc.addTransceiver(sent, { direction: "sendonly", streams: [stream] });
    const unwatch = watchPeer(pc, {
      // Shared from the moment the technician's side can receive it, not before.
      connected: () => {
        if (share?.pc === pc) status.textContent = sharingText();
      },
      lost: (never) => {
        if (share?.pc !== pc) return;
        if (!never || attempt >= CONNECT_TRIES) return stop(true);
        pc.close();
        void link(stream, sent, attempt + 1);
      },
    });
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      const response = await post(
        section.dataset.offer ?? "",
        JSON.stringify({ sdp: pc.localDescription?.sdp ?? "" }),
      );
      if (share?.pc !== pc) return;
      if (!response.ok) {
        unwatch();
        const html = await response.text();
        const text = html.length < 2000 && !/<html/i.test(html)
          ? new DOMParser().parseFromString(html, "text/html").body.textContent?.trim()
          : "";
        stop(false);
        render(false, text || labels.failed);
        return;
      }
      const answer = await response.json();
      if (share?.pc !== pc) return;
      share.id = answer.id ?? "";
      mine.add(share.id);
      await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
      // Stoppable at once; said to be shared once connected (watchPeer above).
      render(true, pc.connectionState === "connected" ? sharingText() : labels.connecting);
    } catch {
      unwatch();
      if (share?.pc !== pc) return;
      stop(true);
      render(false, labels.failed);
    }
  };

  // Who sees the screen, and the technician's request to switch to the support app.
  document.addEventListener("remote-state", (event) => {
    const state = /** @type {CustomEvent} */ (event).detail;
    /** @type {{ name: string }[]} */
    const people = state.technicians ?? [];
    watchers = people.map((p) => p.name).join(", ");
    if (share?.pc.connectionState === "connected") status.textContent = sharingText();
    $("browser-share-switch").hidden = !(share && state.switchAsked);
  });

  startButton.addEventListener("click", () => void start());
  stopButton.addEventListener("click", () => stop(true));

  // The server ended view (see the top): stop here too once it had been granted to this
  // share — by its id, not by what the consent line said: after a reload the server still
  // holds the page's previous share for a moment, granted, and ends it when this one's offer
  // comes; that end is not this share's. Another share taking its place (another tab of this
  // page) ends it here too, and the page says where sharing went.
  document.addEventListener("remote-state", (event) => {
    const state = /** @type {CustomEvent} */ (event).detail;
    // Shared from another tab or window of this page (not one of this tab's own shares) — from
    // its offer on, before the server has its view granted: this tab would say "stopped" for
    // that moment, then "continues in another tab".
    const elsewhere = Boolean(state.shareId) && !mine.has(state.shareId);
    if (!share) {
      // Stopped here: whether the screen is shared from another tab or window of this page now
      // ("nothing is shared from this browser" would be untrue then), or from nowhere again.
      if (status.textContent === labels.stopped && elsewhere) status.textContent = labels.moved;
      else if (status.textContent === labels.moved && !elsewhere) {
        status.textContent = labels.stopped;
      }
      return;
    }
    if (!share.id) return;
    const ours = state.shareId === share.id;
    if (ours && state.view === "granted") share.seen = true;
    else if (share.seen) stop(ours, elsewhere ? labels.moved : labels.stopped);
  });
} else if (root) {
  root.hidden = false;
  const status = document.getElementById("browser-share-status");
  const labels = JSON.parse(root.dataset.labels || "{}");
  if (status) status.textContent = labels.unsupported ?? "";
  for (const id of ["browser-share-start", "browser-share-intro"]) {
    const element = document.getElementById(id);
    if (element) element.hidden = true;
  }
}
