// @ts-check
// The technician's own screen on the customer's page (modules/support/customer_views.tsx,
// TechnicianScreen; served by modules/remote present_routes.tsx). What the technician offers
// comes in the page's remote stream (static/customer_remote.js's "remote-state" event,
// `presenting`); nothing is received until the customer chooses View, which asks the server
// for its offer and answers it (non-trickle: one POST each way). Not now declines it; End
// stops it for both sides. The viewer fits the picture to the page or shows it at its actual
// size, zooms in steps, shows a magnifier (the picture at 100 % under the pointer) while
// scaled below 100 %, and goes full screen.

const root = document.getElementById("tech-screen");
if (root?.dataset.base) {
  const section = root;
  const base = root.dataset.base;
  /** @type {Record<string, string>} */
  const labels = JSON.parse(root.dataset.labels || "{}");
  /** @param {string} id */
  const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const ask = $("tech-screen-ask");
  const viewer = $("tech-screen-viewer");
  const stage = $("tech-screen-stage");
  const video = /** @type {HTMLVideoElement} */ ($("tech-screen-video"));
  const lens = /** @type {HTMLCanvasElement} */ ($("tech-screen-lens"));
  const magnifier = $("tech-screen-magnifier");
  const status = $("tech-screen-status");
  const ended = $("tech-screen-ended");
  const STEPS = [0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1, 1.25, 1.5, 2, 3];

  /** The presentation shown here (its id), one said Not now to, and the peer. */
  let showing = 0;
  let declined = 0;
  /** The server said the one shown here is watched: its "offered" after that is a lost peer. */
  let watched = false;
  /** @type {RTCPeerConnection | null} */
  let pc = null;
  /** "fit" or a fixed scale (1 = actual size). @type {"fit" | number} */
  let mode = "fit";
  let magnify = false;

  const csrf = () =>
    /** @type {HTMLInputElement | null} */ (document.querySelector("input[name=_csrf]"))
      ?.value ?? "";
  /** @param {string} path @param {string | undefined} body */
  const post = (path, body) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { "X-CSRF-Token": csrf(), "HX-Request": "true", "Content-Type": "application/json" },
      body,
    });

  /** The scale the picture is shown at now. */
  const scale = () => {
    if (mode !== "fit") return mode;
    const width = video.videoWidth || 1;
    const height = video.videoHeight || 1;
    const room = stage.clientWidth / width;
    const tall = document.fullscreenElement ? stage.clientHeight / height : Infinity;
    return Math.min(1, room, tall);
  };

  const layout = () => {
    const s = scale();
    if (video.videoWidth) {
      video.style.width = `${Math.round(video.videoWidth * s)}px`;
      video.style.height = `${Math.round(video.videoHeight * s)}px`;
    }
    $("tech-screen-scale").textContent = (labels.scale ?? "").replace(
      "{{percent}}",
      String(Math.round(s * 100)),
    );
    for (const button of viewer.querySelectorAll("[data-scale]")) {
      const which = /** @type {HTMLElement} */ (button).dataset.scale;
      button.setAttribute("aria-pressed", String(which === "fit" ? mode === "fit" : mode === 1));
    }
    // The magnifier only where the picture is smaller than it is.
    magnifier.hidden = s >= 1;
    if (s >= 1) magnify = false;
    magnifier.setAttribute("aria-pressed", String(magnify));
    if (!magnify) lens.hidden = true;
    section.dataset.scale = String(Math.round(s * 100));
  };

  /** @param {number} direction */
  const zoom = (direction) => {
    const now = scale();
    const next = direction > 0
      ? STEPS.find((step) => step > now + 0.001)
      : [...STEPS].reverse().find((step) => step < now - 0.001);
    mode = next ?? now;
    layout();
  };

  /** The picture at 100 % around the pointer, in a round lens beside it. @param {PointerEvent} e */
  const moveLens = (e) => {
    if (!magnify || !video.videoWidth) return;
    const box = video.getBoundingClientRect();
    const x = (e.clientX - box.left) / box.width * video.videoWidth;
    const y = (e.clientY - box.top) / box.height * video.videoHeight;
    if (x < 0 || y < 0 || x > video.videoWidth || y > video.videoHeight) {
      lens.hidden = true;
      return;
    }
    const size = lens.width;
    const context = lens.getContext("2d");
    if (!context) return;
    context.clearRect(0, 0, size, size);
    context.drawImage(video, x - size / 2, y - size / 2, size, size, 0, 0, size, size);
    // Centred on the pointer, kept inside the visible part of the stage (never cut off).
    const stageBox = stage.getBoundingClientRect();
    /** @param {number} at @param {number} scroll @param {number} room */
    const place = (at, scroll, room) =>
      Math.max(scroll, Math.min(scroll + room - size, at + scroll - size / 2));
    lens.style.left = `${place(e.clientX - stageBox.left, stage.scrollLeft, stage.clientWidth)}px`;
    lens.style.top = `${place(e.clientY - stageBox.top, stage.scrollTop, stage.clientHeight)}px`;
    lens.hidden = false;
  };

  /** Closes the viewer here; `text` says why. @param {string} text */
  const close = (text) => {
    pc?.close();
    pc = null;
    showing = 0;
    video.srcObject = null;
    viewer.hidden = true;
    ended.textContent = text;
    ended.hidden = !text;
    if (document.fullscreenElement === viewer) document.exitFullscreen().catch(() => {});
  };

  /** @param {{ id: number, technician: string }} offered */
  const view = async (offered) => {
    ask.hidden = true;
    pc?.close();
    showing = offered.id;
    ended.hidden = true;
    viewer.hidden = false;
    mode = "fit";
    $("tech-screen-title").textContent = (labels.title ?? "").replace(
      "{{name}}",
      offered.technician,
    );
    status.textContent = labels.connecting;
    try {
      const res = await post("/view", undefined);
      if (!res.ok) throw new Error(await res.text());
      const offer = await res.json();
      const peer = new RTCPeerConnection();
      pc = peer;
      peer.addEventListener("track", (event) => {
        video.srcObject = event.streams[0] ?? new MediaStream([event.track]);
        video.play().catch(() => {});
      });
      await peer.setRemoteDescription({ type: "offer", sdp: offer.sdp });
      await peer.setLocalDescription(await peer.createAnswer());
      await new Promise((resolve) => {
        if (peer.iceGatheringState === "complete") return resolve(undefined);
        const timer = setTimeout(resolve, 3000);
        peer.addEventListener("icegatheringstatechange", () => {
          if (peer.iceGatheringState === "complete") (clearTimeout(timer), resolve(undefined));
        });
      });
      const answered = await post(
        "/answer",
        JSON.stringify({ sdp: peer.localDescription?.sdp ?? "", id: offer.id }),
      );
      if (!answered.ok) throw new Error(await answered.text());
    } catch (error) {
      const reason = String(error instanceof Error ? error.message : error);
      const text = new DOMParser().parseFromString(reason, "text/html").body.textContent ?? "";
      close((labels.failed ?? "").replace("{{reason}}", text.trim().slice(0, 200)));
    }
  };

  video.addEventListener("resize", layout);
  video.addEventListener("loadedmetadata", () => {
    status.textContent = "";
    layout();
  });
  addEventListener("resize", layout);
  document.addEventListener("fullscreenchange", layout);
  for (const button of viewer.querySelectorAll("[data-scale]")) {
    button.addEventListener("click", () => {
      mode = /** @type {HTMLElement} */ (button).dataset.scale === "fit" ? "fit" : 1;
      layout();
    });
  }
  for (const button of viewer.querySelectorAll("[data-zoom]")) {
    button.addEventListener(
      "click",
      () => zoom(Number(/** @type {HTMLElement} */ (button).dataset.zoom)),
    );
  }
  magnifier.addEventListener("click", () => {
    magnify = !magnify;
    layout();
  });
  stage.addEventListener("pointermove", moveLens);
  stage.addEventListener("pointerleave", () => lens.hidden = true);
  $("tech-screen-fullscreen").addEventListener("click", () => {
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else viewer.requestFullscreen().catch(() => {});
  });
  $("tech-screen-end").addEventListener("click", () => {
    post("/end", undefined).catch(() => {});
    close(labels.endedByYou);
  });
  $("tech-screen-decline").addEventListener("click", () => {
    declined = Number(ask.dataset.id);
    ask.hidden = true;
    post("/decline", undefined).catch(() => {});
  });
  $("tech-screen-view").addEventListener("click", () => {
    const id = Number(ask.dataset.id);
    void view({ id, technician: ask.dataset.technician ?? "" });
  });

  document.addEventListener("remote-state", (event) => {
    /** @type {{ id: number, technician: string, phase: string } | null} */
    const offered = /** @type {CustomEvent} */ (event).detail.presenting ?? null;
    section.hidden = !offered && viewer.hidden && ended.hidden;
    if (!offered) {
      ask.hidden = true;
      if (showing) close(labels.ended);
      return;
    }
    if (offered.id === showing) {
      // The server lost this page's peer (a network change): viewed again, not asked again —
      // the customer chose View for this one already.
      if (offered.phase === "watching") watched = true;
      else if (offered.phase === "offered" && watched) {
        watched = false;
        void view(offered);
      }
      return;
    }
    if (offered.id === declined) return;
    if (showing) close("");
    if (typeof globalThis.RTCPeerConnection !== "function") {
      ended.textContent = labels.unsupported;
      ended.hidden = false;
      return;
    }
    ask.dataset.id = String(offered.id);
    ask.dataset.technician = offered.technician;
    $("tech-screen-ask-text").textContent = (labels.ask ?? "").replace(
      "{{name}}",
      offered.technician,
    );
    ask.hidden = false;
    ended.hidden = true;
  });
}
