// @ts-check
// The technician's Lens page (modules/lens views.tsx LensRunning): the customer's phone camera
// as the server relays it (a WebRTC peer the server offers once the phone sends a picture:
// modules/lens routes.tsx `/console/lens/peer`), what the customer switched (paused, muted,
// flashlight) from the session's live stream, and the tools: freeze (the phone holds the same
// moment), screenshot (PNG of the picture and the drawing, at the picture's own size), zoom
// (fit, actual size, 2×), mute (what this page plays), record (on the server: Record / Stop ask
// `/console/lens/record`, which the group's recording policy and `recordSessions` allow or
// refuse; the part files and their list are modules/recording's — nothing is downloaded here,
// so no copy escapes the organisation's retention and audit; a group that records always has
// no button, only the red "Recording" sign) and drawing, in the picture's coordinates,
// which the customer's phone shows too. Drawing stays where it is put on the picture: nothing
// follows an object when the phone moves (freeze first to keep it on the object).
import { liveSource } from "./live_source.js";
import { drawStrokes, fitPicture, holdFrame, paintStrokes } from "./lens_ink.js";
import { gathered, watchPeer } from "./peer_link.js";

const root = document.getElementById("lens-view");
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
  const stage = $("stage");
  const status = $("status");
  /** Record / Stop: only where the policy lets this technician (views.tsx). */
  const recordButton = /** @type {HTMLButtonElement | null} */ ($("record"));
  /** The red sign while the server records (the button's own colour, or this alone). */
  const recordingSign = $("recording");
  const buttons = {
    freeze: /** @type {HTMLButtonElement} */ ($("freeze")),
    screenshot: /** @type {HTMLButtonElement} */ ($("screenshot")),
    mute: /** @type {HTMLButtonElement} */ ($("mute")),
    clear: /** @type {HTMLButtonElement} */ ($("clear")),
  };
  const csrf = document.body.getAttribute("hx-headers")
    ? JSON.parse(document.body.getAttribute("hx-headers") ?? "{}")["X-CSRF-Token"] ?? ""
    : "";

  /** @type {{ colour: string, points: [number, number][] }[]} */
  const strokes = [];
  /** @type {{ colour: string, points: [number, number][] } | null} */
  let drawing = null;
  let colour = /** @type {HTMLElement} */ (root.querySelector("[data-lens-colour]")).dataset
    .lensColour ?? "#e8202a";
  /** @type {Record<string, any>} */
  let state = { phase: "waiting" };
  /** @type {RTCPeerConnection | null} */
  let pc = null;
  let connecting = false;
  /** A refusal of Record / Stop, in words, until the next change. */
  let recordProblem = "";
  let zoom = "fit";

  /** @param {string} url @param {unknown} [body] */
  const post = (url, body) =>
    fetch(url, {
      method: "POST",
      headers: { "X-CSRF-Token": csrf, "HX-Request": "true", "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const width = () => video.videoWidth || state.width || 0;
  const height = () => video.videoHeight || state.height || 0;
  const layout = () => {
    fitPicture(picture, stage, width(), height(), zoom);
    drawStrokes(ink, drawing ? [...strokes, drawing] : strokes);
  };
  video.addEventListener("loadedmetadata", layout);
  video.addEventListener("resize", layout);
  new ResizeObserver(layout).observe(stage);

  /** Says what is true now: live or waiting, and each switch the customer made. */
  const render = () => {
    const lines = [];
    if (state.phase === "ended") {
      const reason = String(state.ended ?? "technician");
      lines.push(labels[`ended${reason[0].toUpperCase()}${reason.slice(1)}`]);
    } else if (state.phase === "waiting") {
      // Interrupted: the phone's connection went and may come back (a reloaded page's Start).
      lines.push(
        state.interrupted ? labels.interrupted : state.codec ? labels.connecting : labels.waiting,
      );
    } else {
      // Frozen is said instead of "Live": both pages hold one picture (the sound goes on).
      if (state.paused) lines.push(labels.paused);
      if (state.frozen) lines.push(labels.frozen);
      else if (!state.paused) lines.push(labels.live);
      if (state.muted) lines.push(labels.muted);
      else if (!state.audio) lines.push(labels.noAudio);
      else if (video.muted) lines.push(labels.soundOff);
      if (state.torch) lines.push(labels.torch);
    }
    if (state.recordingFailed && !state.recording) lines.push(labels.recordingFailed);
    if (recordProblem) lines.push(recordProblem);
    status.textContent = lines.join(" ");
    root.dataset.phase = state.phase;
    root.dataset.paused = state.paused ? "1" : "";
    $("invite").hidden = state.phase !== "waiting";
    const live = state.phase === "live";
    for (const button of Object.values(buttons)) button.disabled = !live;
    buttons.mute.disabled = !live || !state.audio;
    buttons.freeze.textContent = state.frozen ? labels.unfreeze : labels.freeze;
    buttons.freeze.setAttribute("aria-pressed", String(Boolean(state.frozen)));
    buttons.mute.textContent = video.muted ? labels.unmute : labels.mute;
    buttons.mute.setAttribute("aria-pressed", String(video.muted));
    const recording = Boolean(state.recording);
    if (recordButton) {
      recordButton.disabled = !live;
      recordButton.textContent = recording ? labels.stopRecording : labels.record;
      recordButton.classList.toggle("recording", recording);
      recordButton.setAttribute("aria-pressed", String(recording));
    }
    recordingSign.hidden = !recording;
    if (state.phase === "ended") {
      pc?.close();
      pc = null;
      video.srcObject = null;
      events.close();
      document.querySelector("[data-lens-end]")?.closest("form")?.setAttribute("hidden", "");
      $("restart").hidden = false;
    }
  };

  /** A peer for the picture: the server offers, this page answers (complete, no trickle). */
  const connect = async () => {
    if (connecting || pc) return;
    connecting = true;
    try {
      const response = await post(root.dataset.peer ?? "");
      if (!response.ok) return;
      const offer = await response.json();
      const peer = pc = new RTCPeerConnection();
      peer.addEventListener("track", (event) => {
        const [stream] = event.streams;
        video.srcObject = stream ?? new MediaStream([event.track]);
        play();
      });
      // Failed, or not connected in time (peer_link.js): a new peer while the phone sends.
      watchPeer(peer, {
        connected: () => {},
        lost: () => {
          if (peer !== pc) return;
          peer.close();
          pc = null;
          if (state.phase === "live") setTimeout(() => void connect(), 1000);
        },
      });
      await peer.setRemoteDescription({ type: "offer", sdp: offer.sdp });
      await peer.setLocalDescription(await peer.createAnswer());
      await gathered(peer);
      await post(`${root.dataset.peer}/${offer.id}/answer`, { sdp: peer.localDescription?.sdp });
    } finally {
      connecting = false;
    }
  };

  /** Plays with sound where the browser lets the page; else muted, and Unmute says so. */
  const play = () => {
    video.play().catch(() => {
      video.muted = true;
      video.play().catch(() => {});
      render();
    });
  };

  // The tools.
  buttons.freeze.addEventListener("click", () => {
    const on = !state.frozen;
    freezeHere(on);
    post(root.dataset.freeze ?? "", { frozen: on }).catch(() => {});
  });
  /** @param {boolean} on */
  const freezeHere = (on) => {
    if (on && frozen.hidden && video.videoWidth) {
      holdFrame(video, frozen);
      frozen.hidden = false;
    } else if (!on) frozen.hidden = true;
  };

  buttons.screenshot.addEventListener("click", () => {
    const shot = document.createElement("canvas");
    shot.width = width();
    shot.height = height();
    const context = shot.getContext("2d");
    if (!context) return;
    context.drawImage(frozen.hidden ? video : frozen, 0, 0, shot.width, shot.height);
    paintStrokes(context, strokes, shot.width, shot.height);
    shot.toBlob((blob) => blob && download(blob, "png"), "image/png");
  });

  for (const button of root.querySelectorAll("[data-lens-zoom]")) {
    button.addEventListener("click", () => {
      zoom = /** @type {HTMLElement} */ (button).dataset.lensZoom ?? "fit";
      stage.dataset.zoom = zoom;
      for (const other of root.querySelectorAll("[data-lens-zoom]")) {
        other.setAttribute("aria-pressed", String(other === button));
      }
      layout();
    });
  }

  buttons.mute.addEventListener("click", () => {
    video.muted = !video.muted;
    if (!video.muted) play();
    render();
  });

  // Record / Stop on the server: the state's `recording` (sent to both pages) says what is true;
  // a refusal (policy, permission, folder) is said in words.
  recordButton?.addEventListener("click", async () => {
    recordButton.disabled = true;
    recordProblem = "";
    try {
      const response = await post(root.dataset.record ?? "", { recording: !state.recording });
      if (!response.ok) {
        // The refusal comes as the flash paragraph htmx would show (modules/app errors.tsx).
        const html = new DOMParser().parseFromString(await response.text(), "text/html");
        recordProblem = (html.body.textContent ?? "").trim().slice(0, 300) || labels.recordFailed;
      }
    } catch {
      recordProblem = labels.recordFailed;
    }
    render();
  });

  /** @param {Blob} blob @param {string} extension */
  const download = (blob, extension) => {
    const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `lens-${stamp}.${extension}`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  };

  for (const button of root.querySelectorAll("[data-lens-colour]")) {
    button.addEventListener("click", () => {
      colour = /** @type {HTMLElement} */ (button).dataset.lensColour ?? colour;
      for (const other of root.querySelectorAll("[data-lens-colour]")) {
        other.setAttribute("aria-pressed", String(other === button));
      }
    });
  }
  buttons.clear.addEventListener("click", () => void post(root.dataset.clear ?? ""));

  // Drawing: a stroke from pointer down to up, in the picture's coordinates.
  /** @param {PointerEvent} event @returns {[number, number]} */
  const at = (event) => {
    const box = ink.getBoundingClientRect();
    const x = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
    const y = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
    return [x, y];
  };
  ink.addEventListener("pointerdown", (event) => {
    if (state.phase !== "live") return;
    ink.setPointerCapture(event.pointerId);
    drawing = { colour, points: [at(event)] };
    layout();
  });
  ink.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    const [x, y] = at(event);
    const [lx, ly] = drawing.points[drawing.points.length - 1];
    if (Math.hypot(x - lx, y - ly) < 0.003 || drawing.points.length >= 2000) return;
    drawing.points.push([x, y]);
    layout();
  });
  const finishStroke = async () => {
    const stroke = drawing;
    if (!stroke) return;
    try {
      const response = await post(root.dataset.draw ?? "", { stroke });
      if (!response.ok) status.textContent = labels.drawFailed;
    } finally {
      // The server's echo (`stroke` on the live stream) puts it in the drawing for good.
      if (drawing === stroke) drawing = null;
      layout();
    }
  };
  ink.addEventListener("pointerup", () => void finishStroke());
  ink.addEventListener("pointercancel", () => void finishStroke());

  $("copy")?.addEventListener("click", async () => {
    const input = /** @type {HTMLInputElement} */ (root.querySelector("#lens-link"));
    try {
      await navigator.clipboard.writeText(input.value);
      $("copy").textContent = labels.copied;
    } catch {
      input.select();
    }
  });

  const events = liveSource(root.dataset.events ?? "", {
    retryMs: 3000,
    on: {
      state: (event) => {
        const epoch = state.epoch;
        state = JSON.parse(event.data);
        // The phone connected again (its page reloaded): a new peer, in its codec.
        if (epoch !== undefined && state.epoch !== epoch && pc) {
          pc.close();
          pc = null;
        }
        freezeHere(Boolean(state.frozen));
        render();
        layout();
        if (state.phase === "live") void connect();
      },
      stroke: (event) => {
        strokes.push(JSON.parse(event.data));
        layout();
      },
      clear: () => {
        strokes.length = 0;
        layout();
      },
    },
  });
  render();
}
