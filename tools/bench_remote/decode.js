// The in-page decoder, injected into the viewer page after code.js (the harness evaluates
// the text of both). It reads the two stamps the workload paints (code.js) from the element
// that shows the remote screen at 1:1 — a <canvas> (e.g. noVNC) or a <video> — and records,
// per distinct frame the viewer presented: counter, painted timestamp, presentation time,
// latency and whether the presented image was torn.
//
//   globalThis.__benchDecoder.start({ source, top: {x, y}, bottom: {x, y}, screen: {width, height} })
//   globalThis.__benchDecoder.stop() → { samples, presentations, torn, undecodable, polls, … }
//
// When is a frame "presented"? At the same point for both kinds of element: Date.now() in
// the page's rendering step that first sees the new pixels.
//   canvas: polled once per requestAnimationFrame; the rAF callback that first sees the new
//           pixels (the canvas may have changed at any point since the previous rAF).
//   video:  requestVideoFrameCallback, which runs in the same rendering step as rAF for
//           the frame just handed to the compositor. Its metadata.expectedDisplayTime
//           (Chromium's guess of when that frame reaches the glass) is recorded too, as
//           `expectedDisplayAt`; a canvas drawn in a rAF reaches the glass a frame later
//           as well, but has no such figure, so it is not the headline.
// Both use the same wall clock as the workload's Date.now(): same machine.
(() => {
  const C = globalThis.BenchCode;
  const W = C.WIDTH;
  const H = C.HEIGHT;
  let state = null;

  function hex(bytes) {
    let s = "";
    for (const b of bytes) s += b.toString(16).padStart(2, "0");
    return s;
  }

  /**
   * The raw bytes of both stamps. The element should hold the screen at 1:1; if its
   * intrinsic size differs from the screen's (`screen`: { width, height }), stamp positions
   * are scaled and each stamp is resampled back to 128×128 before reading. A 2D canvas at
   * 1:1 is read in place (getImageData of the two regions: no copy of the whole canvas); a
   * <video>, a scaled or a WebGL canvas is drawn, region by region, into a small scratch
   * canvas.
   */
  function readStamps(el, scratch, top, bottom, screen) {
    const isVideo = el instanceof HTMLVideoElement;
    const ew = isVideo ? el.videoWidth : el.width;
    const eh = isVideo ? el.videoHeight : el.height;
    const sx = screen ? ew / screen.width : 1;
    const sy = screen ? eh / screen.height : 1;
    const own = !isVideo && sx === 1 && sy === 1 ? el.getContext("2d") : null;
    if (own) {
      return {
        topBytes: C.readBytes(own.getImageData(top.x, top.y, W, H).data, W, 0, 0),
        bottomBytes: C.readBytes(own.getImageData(bottom.x, bottom.y, W, H).data, W, 0, 0),
      };
    }
    // A <video> may switch to its next frame between two drawImage calls (its frames
    // arrive on another thread), which would pair one frame's top stamp with the next
    // one's bottom stamp: both are read from one VideoFrame snapshot instead.
    const source = isVideo && typeof VideoFrame === "function" ? new VideoFrame(el) : el;
    try {
      scratch.drawImage(source, top.x * sx, top.y * sy, W * sx, H * sy, 0, 0, W, H);
      scratch.drawImage(source, bottom.x * sx, bottom.y * sy, W * sx, H * sy, 0, H, W, H);
    } finally {
      if (source !== el) source.close();
    }
    const data = scratch.getImageData(0, 0, W, 2 * H).data;
    return { topBytes: C.readBytes(data, W, 0, 0), bottomBytes: C.readBytes(data, W, 0, H) };
  }

  function poll(presentedAt, extra) {
    const s = state;
    if (!s) return;
    s.polls++;
    const el = s.el;
    if (el instanceof HTMLVideoElement && el.videoWidth === 0) return;
    const { topBytes, bottomBytes } = readStamps(el, s.ctx, s.top, s.bottom, s.screen);
    decide(s, presentedAt, topBytes, bottomBytes, extra);
  }

  /** Stamp reads of a <video> running at once (pollLuma). */
  const MAX_COPIES = 4;

  /** Planar YUV formats whose first plane is luma (VideoFrame.format). */
  const YUV = new Set(["I420", "I420A", "I422", "I444", "NV12"]);

  /**
   * A <video> at 1:1 whose frames are YUV in memory (a software-decoding viewer): the stamps'
   * luma is copied out of one VideoFrame by two small `copyTo` rects. Drawing the frame into a
   * canvas instead converts the whole 1080p frame to RGB on every callback — on a viewer that
   * renders in software that costs more than decoding it, and the harness then takes from the
   * page the CPU that would have presented the contender's frames. False when this way is not
   * possible (the caller reads as for any element).
   */
  function pollLuma(presentedAt, extra) {
    const s = state;
    const el = s.el;
    if (s.noLuma || el.videoWidth === 0 || typeof VideoFrame !== "function") return false;
    if (s.screen && (el.videoWidth !== s.screen.width || el.videoHeight !== s.screen.height)) {
      return false;
    }
    s.polls++;
    // Copies of earlier frames may still run (each reads its own VideoFrame snapshot): a 60 Hz
    // stream's next callback comes before the last copy resolves, and skipping it undercounted
    // what the <video> showed (49.6 shown, 45.2 read). Up to MAX_COPIES at once, beyond that
    // skipped like a busy page's; results are decided in the order the frames were shown.
    if (s.copying >= MAX_COPIES) return true;
    let frame;
    try {
      frame = new VideoFrame(el);
    } catch {
      s.noLuma = true;
      return false;
    }
    if (!YUV.has(frame.format)) {
      frame.close();
      s.noLuma = true;
      s.polls--;
      return false;
    }
    s.copying++;
    const rect = (p) => ({ x: p.x, y: p.y, width: W, height: H });
    const top = new Uint8Array(frame.allocationSize({ rect: rect(s.top) }));
    const bottom = new Uint8Array(frame.allocationSize({ rect: rect(s.bottom) }));
    const copies = Promise.all([
      frame.copyTo(top, { rect: rect(s.top) }),
      frame.copyTo(bottom, { rect: rect(s.bottom) }),
    ]);
    s.order = s.order.then(() => copies).then(([topLayout, bottomLayout]) => {
      s.lumaReads++;
      const topBytes = C.readLumaBytes(top, topLayout[0].stride, topLayout[0].offset, 0, 0);
      const bottomBytes = C.readLumaBytes(
        bottom,
        bottomLayout[0].stride,
        bottomLayout[0].offset,
        0,
        0,
      );
      if (state === s) decide(s, presentedAt, topBytes, bottomBytes, extra);
    }, () => {
      s.noLuma = true;
    }).finally(() => {
      s.copying--;
      frame.close();
    });
    return true;
  }

  function decide(s, presentedAt, topBytes, bottomBytes, extra) {
    const key = hex(topBytes) + hex(bottomBytes);
    if (key === s.lastKey) return; // same image as last time: nothing new presented
    s.lastKey = key;
    const top = C.parse(topBytes);
    const bottom = C.parse(bottomBytes);
    const consistent = top !== null && bottom !== null && top.counter === bottom.counter &&
      top.ts32 === bottom.ts32;
    if (s.baseline) {
      // The first read only establishes what is on screen already.
      s.baseline = false;
      if (top) s.lastCounter = top.counter;
      return;
    }
    s.presentations++;
    if (!consistent) s.torn++;
    if (!top) {
      s.undecodable++;
      return;
    }
    if (top.counter === s.lastCounter) return; // only the bottom stamp changed
    const paintedAt = C.unwrapTs(top.ts32, presentedAt);
    const gap = s.lastCounter === null ? 0 : (top.counter - s.lastCounter + C.COUNTER_MOD) %
      C.COUNTER_MOD;
    s.samples.push({
      counter: top.counter,
      paintedAt,
      presentedAt,
      latency: presentedAt - paintedAt,
      torn: !consistent,
      skipped: Math.max(0, gap - 1),
      ...extra,
    });
    s.lastCounter = top.counter;
  }

  function rafLoop() {
    if (!state || state.mode !== "raf") return;
    poll(Date.now());
    requestAnimationFrame(rafLoop);
  }

  function videoLoop(_now, metadata) {
    if (!state || state.mode !== "video") return;
    state.firstPresentedFrames ??= metadata.presentedFrames;
    state.lastPresentedFrames = metadata.presentedFrames;
    const presentedAt = Date.now();
    const extra = {
      presentedFrames: metadata.presentedFrames,
      expectedDisplayAt: performance.timeOrigin + metadata.expectedDisplayTime,
      captureAt: metadata.captureTime === undefined
        ? undefined
        : performance.timeOrigin + metadata.captureTime,
      // WebRTC only: when the frame's last packet arrived
      receiveAt: metadata.receiveTime === undefined
        ? undefined
        : performance.timeOrigin + metadata.receiveTime,
    };
    if (!pollLuma(presentedAt, extra)) poll(presentedAt, extra);
    state.el.requestVideoFrameCallback(videoLoop);
  }

  globalThis.__benchDecoder = {
    start({ source, top, bottom, screen }) {
      const el = document.querySelector(source);
      if (!el) throw new Error(`bench decoder: no element matches ${source}`);
      const canvas = new OffscreenCanvas(W, 2 * H);
      const ctx = canvas.getContext("2d", { willReadFrequently: true, alpha: false });
      const isVideo = el instanceof HTMLVideoElement;
      state = {
        el,
        screen,
        ctx,
        top,
        bottom,
        mode: isVideo ? "video" : "raf",
        samples: [],
        presentations: 0,
        torn: 0,
        undecodable: 0,
        polls: 0,
        lastKey: "",
        copying: 0,
        order: Promise.resolve(),
        noLuma: false,
        lumaReads: 0,
        lastCounter: null,
        baseline: true,
        startedAt: Date.now(),
        firstPresentedFrames: undefined,
        lastPresentedFrames: undefined,
      };
      // Establish the baseline synchronously, then follow presentations.
      poll(Date.now());
      if (isVideo) el.requestVideoFrameCallback(videoLoop);
      else requestAnimationFrame(rafLoop);
      return {
        mode: state.mode,
        width: el.width || el.videoWidth,
        height: el.height || el.videoHeight,
      };
    },
    /**
     * The picture shown right now at the screen's size (fidelity.ts): drawn from the element
     * (a <video> through one VideoFrame snapshot), its top stamp read, and its RGBA pixels
     * POSTed to the harness at `url`. Returns { counter } (null: the stamp did not read).
     */
    async grab({ source, top, screen, url }) {
      const el = document.querySelector(source);
      const isVideo = el instanceof HTMLVideoElement;
      const ew = isVideo ? el.videoWidth : el.width;
      const canvas = new OffscreenCanvas(screen.width, screen.height);
      const ctx = canvas.getContext("2d", { willReadFrequently: true, alpha: false });
      const frame = isVideo && typeof VideoFrame === "function" ? new VideoFrame(el) : el;
      try {
        ctx.drawImage(frame, 0, 0, screen.width, screen.height);
      } finally {
        if (frame !== el) frame.close();
      }
      const data = ctx.getImageData(0, 0, screen.width, screen.height).data;
      const parsed = C.parse(C.readBytes(data, screen.width, top.x, top.y));
      if (!parsed) return { counter: null, why: `stamp unreadable (element ${ew} px wide)` };
      const reduced = ew < screen.width ? 1 : 0;
      await fetch(`${url}&counter=${parsed.counter}&reduced=${reduced}`, {
        method: "POST",
        body: data,
      });
      return { counter: parsed.counter };
    },
    /** Decodes the stamps on screen right now: { top, bottom } (each null when unreadable). */
    peek({ source, top, bottom, screen }) {
      const el = document.querySelector(source);
      const scratch = new OffscreenCanvas(W, 2 * H).getContext("2d", { willReadFrequently: true });
      const { topBytes, bottomBytes } = readStamps(el, scratch, top, bottom, screen);
      return { top: C.parse(topBytes), bottom: C.parse(bottomBytes) };
    },
    stop() {
      const s = state;
      state = null;
      if (!s) return null;
      return {
        mode: s.mode,
        samples: s.samples,
        presentations: s.presentations,
        torn: s.torn,
        undecodable: s.undecodable,
        polls: s.polls,
        // <video> only: stamps read from the frame's luma (pollLuma) rather than drawn
        lumaReads: s.lumaReads,
        // <video> only: frames the element presented in the window, seen by a callback or
        // not (callbacks are skipped when the page is busy; such frames are not decoded)
        elementPresentedFrames: s.lastPresentedFrames === undefined
          ? null
          : s.lastPresentedFrames - s.firstPresentedFrames,
        startedAt: s.startedAt,
        stoppedAt: Date.now(),
      };
    },
  };
})();
