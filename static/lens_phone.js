// @ts-check
// The customer's phone page of a Lens session (modules/lens views.tsx LensPhonePage): after
// Start — nothing is shared before — the rear camera (`facingMode: environment`) and the
// microphone go over WebRTC to the server (modules/lens routes.tsx `…/offer`, one complete offer
// and answer, no trickle), which relays them to the technician untranscoded. The customer can
// pause (nothing is sent: the senders hold no track), mute (the microphone sends silence), turn
// the flashlight on where the camera says it can (`torch`), and disconnect; each switch is told
// to the server, which shows it to the technician. The technician's drawing, freeze and the end
// come over the page's live stream (`…/events`) and are drawn over the camera's own picture.
// A peer that has not connected after 20 s is replaced once by a new offer (the camera kept).
// When the connection fails the page asks the server whether the session still runs: one that
// runs nowhere (its server stopped, the technician's side gone) is said as ended, and the page
// stops; no answer at all is the phone's own network, said as a connection problem.
import { liveSource } from "./live_source.js";
import { drawStrokes, fitPicture, holdFrame } from "./lens_ink.js";
import { CONNECT_TRIES, gathered, watchPeer } from "./peer_link.js";

const root = document.getElementById("lens-phone");
if (root) start(root);

/** @param {HTMLElement} root */
function start(root) {
  /** @type {Record<string, string>} */
  const labels = JSON.parse(root.dataset.labels || "{}");
  /** @param {string} name */
  const $ = (name) => /** @type {HTMLElement} */ (root.querySelector(`[data-lens-${name}]`));
  const video = /** @type {HTMLVideoElement} */ ($("video"));
  const frozen = /** @type {HTMLCanvasElement} */ ($("frozen"));
  const ink = /** @type {HTMLCanvasElement} */ ($("ink"));
  const picture = $("picture");
  const status = $("status");
  const intro = $("intro");
  const controls = $("controls");
  const startButton = /** @type {HTMLButtonElement} */ ($("start"));
  const pauseButton = $("pause");
  const muteButton = $("mute");
  const torchButton = $("torch");
  const csrf = /** @type {HTMLInputElement | null} */ (root.querySelector("input[name=_csrf]"))
    ?.value ?? "";

  /** @type {{ colour: string, points: [number, number][] }[]} */
  const strokes = [];
  /** @type {{ pc: RTCPeerConnection, stream: MediaStream, video: RTCRtpSender, audio: RTCRtpSender | null } | null} */
  let live = null;
  const switches = { paused: false, muted: false, torch: false };
  let ended = false;
  /** @type {{ close(): void } | null} */
  let events = null;

  /** @param {string} url @param {unknown} [body] */
  const post = (url, body) =>
    fetch(url, {
      method: "POST",
      headers: { "X-CSRF-Token": csrf, "HX-Request": "true", "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  /** @param {string} text */
  const say = (text) => status.textContent = text;

  const layout = () => {
    fitPicture(picture, root, video.videoWidth, video.videoHeight);
    drawStrokes(ink, strokes);
  };
  video.addEventListener("loadedmetadata", layout);
  addEventListener("resize", layout);

  const supported = typeof navigator.mediaDevices?.getUserMedia === "function" &&
    typeof globalThis.RTCPeerConnection === "function";
  if (!supported) {
    startButton.hidden = true;
    say(labels.unsupported);
    return;
  }

  const stopMedia = () => {
    if (!live) return;
    for (const track of live.stream.getTracks()) track.stop();
    live.pc.close();
    live = null;
    video.srcObject = null;
  };

  /** @param {string} text */
  const finish = (text) => {
    ended = true;
    events?.close();
    stopMedia();
    controls.hidden = true;
    intro.hidden = true;
    picture.hidden = true;
    say(text);
  };

  /**
   * After a failure: whether the session still runs. "ended" (its page is gone: 404) stops the
   * page; anything else — no answer, a balancer's 502 — is a connection problem to retry.
   * @returns {Promise<"ended" | "unknown">}
   */
  const stillRunning = async () => {
    try {
      const response = await fetch(location.pathname, { cache: "no-store" });
      return response.status === 404 ? "ended" : "unknown";
    } catch {
      return "unknown";
    }
  };

  /** The connection failed: ended (the session runs nowhere) or a problem to retry. */
  const failed = async () => {
    stopMedia();
    const running = await stillRunning();
    if (ended) return;
    if (running === "ended") return finish(labels.endedGone);
    startButton.disabled = false;
    intro.hidden = false;
    say(labels.failed);
  };

  /** @returns {Promise<MediaStream>} */
  const camera = async () => {
    const video = { facingMode: { ideal: "environment" }, width: { ideal: 1280 } };
    try {
      return await navigator.mediaDevices.getUserMedia({ video, audio: true });
    } catch (error) {
      // No microphone (or only it refused): the camera alone, the technician is told.
      if (/** @type {Error} */ (error).name === "NotAllowedError") throw error;
      return await navigator.mediaDevices.getUserMedia({ video, audio: false });
    }
  };

  const connect = async () => {
    startButton.disabled = true;
    say(labels.asking);
    /** @type {MediaStream} */
    let stream;
    try {
      stream = await camera();
    } catch {
      startButton.disabled = false;
      say(labels.denied);
      return;
    }
    video.srcObject = stream;
    intro.hidden = true;
    say(labels.connecting);
    // The flashlight only where the camera says it has one.
    const [videoTrack] = stream.getVideoTracks();
    const capabilities = /** @type {{ torch?: boolean }} */ (videoTrack.getCapabilities?.() ?? {});
    torchButton.hidden = !capabilities.torch;
    await link(stream, 1);
  };

  /**
   * One peer for the camera's `stream`: our complete offer, the server's answer. One that never
   * connected (peer_link.js) is replaced by a new one, the camera kept, up to CONNECT_TRIES;
   * after that, or when a connected peer fails, the connection counts as failed (Start again).
   * @param {MediaStream} stream @param {number} attempt
   */
  const link = async (stream, attempt) => {
    const pc = new RTCPeerConnection();
    const [videoTrack] = stream.getVideoTracks();
    // Detail over smoothness: the technician reads labels and serial numbers, so the encoder
    // keeps the resolution and gives way on the frame rate first.
    videoTrack.contentHint = "detail";
    const [audioTrack] = stream.getAudioTracks();
    const videoSender = pc.addTransceiver(videoTrack, { direction: "sendonly", streams: [stream] })
      .sender;
    const audioSender = audioTrack
      ? pc.addTransceiver(audioTrack, { direction: "sendonly", streams: [stream] }).sender
      : null;
    live = { pc, stream, video: videoSender, audio: audioSender };
    const unwatch = watchPeer(pc, {
      connected: () => {
        if (live?.pc !== pc) return;
        controls.hidden = false;
        say(switches.paused ? labels.paused : labels.live);
      },
      lost: (never) => {
        if (live?.pc !== pc) return;
        if (!never || attempt >= CONNECT_TRIES) return void failed();
        pc.close();
        void link(stream, attempt + 1);
      },
    });
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      const response = await post(root.dataset.offer ?? "", { sdp: pc.localDescription?.sdp });
      if (!response.ok) throw new Error(await response.text());
      const answer = await response.json();
      if (live?.pc !== pc) return;
      await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
    } catch {
      unwatch();
      if (live?.pc === pc) await failed();
    }
  };

  /** Sends what the switches say: paused sends nothing, muted sends silence. */
  const apply = async () => {
    if (!live) return;
    const [videoTrack] = live.stream.getVideoTracks();
    const [audioTrack] = live.stream.getAudioTracks();
    await live.video.replaceTrack(switches.paused ? null : videoTrack);
    await live.audio?.replaceTrack(switches.paused ? null : audioTrack);
    if (audioTrack) audioTrack.enabled = !switches.muted;
    pauseButton.textContent = switches.paused ? labels.resume : labels.pause;
    pauseButton.setAttribute("aria-pressed", String(switches.paused));
    muteButton.textContent = switches.muted ? labels.unmute : labels.mute;
    muteButton.setAttribute("aria-pressed", String(switches.muted));
    torchButton.textContent = switches.torch ? labels.torchOff : labels.torchOn;
    torchButton.setAttribute("aria-pressed", String(switches.torch));
    say(switches.paused ? labels.paused : labels.live);
  };

  /** @param {Partial<typeof switches>} change */
  const flip = async (change) => {
    Object.assign(switches, change);
    await apply();
    await post(root.dataset.state ?? "", change).catch(() => {});
  };

  startButton.addEventListener("click", () => void connect());
  pauseButton.addEventListener("click", () => void flip({ paused: !switches.paused }));
  muteButton.addEventListener("click", () => void flip({ muted: !switches.muted }));
  muteButton.hidden = false;
  torchButton.addEventListener("click", async () => {
    const [track] = live?.stream.getVideoTracks() ?? [];
    if (!track) return;
    const on = !switches.torch;
    try {
      // `torch` is a constraint of the Image Capture spec, not in the DOM's types yet.
      const torch = /** @type {unknown} */ ({ advanced: [{ torch: on }] });
      await track.applyConstraints(/** @type {MediaTrackConstraints} */ (torch));
      await flip({ torch: on });
    } catch {
      torchButton.hidden = true;
    }
  });
  $("disconnect").addEventListener("click", async () => {
    finish(labels.ended);
    await post(root.dataset.end ?? "").catch(() => {});
  });

  events = liveSource(root.dataset.events ?? "", {
    on: {
      state: (event) => {
        const state = JSON.parse(event.data);
        if (state.phase === "ended") {
          // "gone": the session runs nowhere any more (its server stopped): the technician's
          // side is gone, which is no problem of this phone's connection.
          const words = state.ended === "customer"
            ? labels.ended
            : state.ended === "gone"
            ? labels.endedGone
            : labels.endedByTechnician;
          if (!ended) finish(words);
          return;
        }
        $("recorded").hidden = !state.recording;
        // The technician froze the picture: the phone holds the same moment, so the drawing
        // stays on what both see.
        if (state.frozen && frozen.hidden && video.videoWidth) {
          holdFrame(video, frozen);
          frozen.hidden = false;
          if (live && !switches.paused) say(labels.frozen);
        } else if (!state.frozen && !frozen.hidden) {
          frozen.hidden = true;
          if (live) say(switches.paused ? labels.paused : labels.live);
        }
      },
      stroke: (event) => {
        strokes.push(JSON.parse(event.data));
        drawStrokes(ink, strokes);
      },
      clear: () => {
        strokes.length = 0;
        drawStrokes(ink, strokes);
      },
    },
  });
}
