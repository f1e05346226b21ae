// @ts-check
// "Share my screen" on the customer's page (modules/support/customer_views.tsx,
// BrowserShareForm): `getDisplayMedia`, one send-only VP8 track over WebRTC to the server
// (modules/remote share_routes.ts, browser_share.ts), which shows it to the technician as the
// support app's picture — view only. Non-trickle: the complete offer goes in one POST.
// Stops on our button, the browser's own stop, or when the server ends view (the customer's
// "Stop sharing", a technician, hold, transfer, end: `#remote-consent` data-view leaves
// "granted", as static/customer_remote.js renders it), or when the connection fails.

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
  /** @type {{ pc: RTCPeerConnection, stream: MediaStream, seen: boolean } | null} */
  let share = null;

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

  /** @param {boolean} sharing @param {string} text */
  const render = (sharing, text) => {
    startButton.hidden = sharing;
    startButton.disabled = false;
    stopButton.hidden = !sharing;
    $("browser-share-intro").hidden = sharing;
    status.textContent = text;
    section.dataset.sharing = sharing ? "1" : "";
  };

  /** @param {boolean} tellServer */
  const stop = (tellServer) => {
    const current = share;
    if (!current) return;
    share = null;
    for (const track of current.stream.getTracks()) track.stop();
    current.pc.close();
    if (tellServer) post(section.dataset.stop ?? "", undefined).catch(() => {});
    render(false, "");
  };

  /** @param {RTCPeerConnection} pc */
  const gathered = (pc) =>
    new Promise((resolve) => {
      if (pc.iceGatheringState === "complete") return resolve(undefined);
      const timer = setTimeout(resolve, 3000);
      pc.addEventListener("icegatheringstatechange", () => {
        if (pc.iceGatheringState !== "complete") return;
        clearTimeout(timer);
        resolve(undefined);
      });
    });

  const start = async () => {
    startButton.disabled = true;
    status.textContent = labels.starting;
    /** @type {MediaStream} */
    let stream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({
        video: { frameRate: 30 },
        audio: false,
      });
    } catch {
      render(false, labels.failed);
      return;
    }
    const pc = new RTCPeerConnection();
    share = { pc, stream, seen: false };
    const track = stream.getVideoTracks()[0];
    track.addEventListener("ended", () => stop(true));
    const transceiver = pc.addTransceiver(track, { direction: "sendonly", streams: [stream] });
    // The server relays VP8 as it comes (no transcoding): offer only that.
    const vp8 = (RTCRtpSender.getCapabilities?.("video")?.codecs ?? []).filter((codec) =>
      /vp8|rtx/i.test(codec.mimeType)
    );
    if (vp8.length && transceiver.setCodecPreferences) transceiver.setCodecPreferences(vp8);
    pc.addEventListener("connectionstatechange", () => {
      if (pc.connectionState === "failed" || pc.connectionState === "closed") stop(true);
    });
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      const response = await post(
        section.dataset.offer ?? "",
        JSON.stringify({ sdp: pc.localDescription?.sdp ?? "" }),
      );
      if (!response.ok) {
        const html = await response.text();
        const text = html.length < 2000 && !/<html/i.test(html)
          ? new DOMParser().parseFromString(html, "text/html").body.textContent?.trim()
          : "";
        stop(false);
        render(false, text || labels.failed);
        return;
      }
      const answer = await response.json();
      await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
      render(true, labels.sharing);
    } catch {
      stop(true);
      render(false, labels.failed);
    }
  };

  startButton.addEventListener("click", () => void start());
  stopButton.addEventListener("click", () => stop(true));

  // The server ended view (see the top): stop here too once it had been granted.
  const consent = document.getElementById("remote-consent");
  if (consent) {
    new MutationObserver(() => {
      if (!share) return;
      if (consent.dataset.view === "granted") share.seen = true;
      else if (share.seen) stop(true);
    }).observe(consent, { attributes: true, attributeFilter: ["data-view"] });
  }
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
