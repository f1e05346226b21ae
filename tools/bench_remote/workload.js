// The remote-view benchmark's workloads. Everything is drawn in one requestAnimationFrame
// callback per painted frame — content and both stamps — so they reach the screen together.
//
//   idle       nothing changes after the first frame (bytes/s should fall to ~0)
//   typing     one character typed every 100 ms into a line of a static document (10 Hz)
//   scrolling  full-width, full-height code listing scrolled up 8 px per frame (30 Hz)
//   scrolling60  the same listing, 4 px per frame at 60 Hz (the 60 Hz source of issue 14)
//   video      a procedurally generated photo-like landscape with fine grain, panned and
//              zoomed every frame (30 Hz): every pixel changes, nothing compresses trivially
//   pointer    the idle document with the arrow pointer shown (every other workload hides
//              it); the harness moves the pointer (pointer.ts)
//
// `globalThis.bench` is the harness's handle: setWorkload(name) → layout, status(), freeze().
(() => {
  const W = 1920;
  const H = 1080;
  const C = globalThis.BenchCode;
  const main = /** @type {HTMLCanvasElement} */ (document.getElementById("main"));
  const ctx = main.getContext("2d", { alpha: false });
  const editor = /** @type {HTMLDivElement} */ (document.getElementById("editor"));
  const stampTop = /** @type {HTMLCanvasElement} */ (document.getElementById("stampTop"));
  const stampBottom = /** @type {HTMLCanvasElement} */ (document.getElementById("stampBottom"));
  for (const s of [stampTop, stampBottom]) [s.width, s.height] = [C.WIDTH, C.HEIGHT];
  const topCtx = stampTop.getContext("2d", { alpha: false });
  const bottomCtx = stampBottom.getContext("2d", { alpha: false });

  // Stamps sit on a 32 px grid (VNC servers' tiles, codecs' macroblocks). For full-screen
  // workloads they span the screen corner to corner; for typing they bracket the line being
  // typed, just above and just below it (the changing region).
  const CORNERS = {
    top: { x: 32, y: 32 },
    bottom: { x: W - 32 - C.WIDTH, y: H - 56 - C.HEIGHT },
  };
  const TYPING_LINE = { x: 192, y: 512, height: 48 };
  const WORKLOADS = {
    idle: { hz: 0, layout: CORNERS },
    typing: {
      hz: 10,
      layout: {
        top: { x: 32, y: TYPING_LINE.y - C.HEIGHT },
        bottom: { x: 32, y: TYPING_LINE.y + TYPING_LINE.height + 16 },
      },
    },
    scrolling: { hz: 30, layout: CORNERS },
    scrolling60: { hz: 60, layout: CORNERS },
    video: { hz: 30, layout: CORNERS },
    pointer: { hz: 0, layout: CORNERS },
  };

  function mulberry32(seed) {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  // ---- static text for idle/typing, and the scrolling listing -----------------------------
  const WORDS = ("const let return function if else for while await async import export from " +
    "session viewer frame encoder packet buffer width height stride timestamp latency " +
    "connection socket channel stream render decode pixel region update queue worker " +
    "technician customer ticket remote screen keyboard pointer clipboard monitor").split(" ");
  const COLORS = ["#1b1f23", "#005cc5", "#d73a49", "#22863a", "#6f42c1", "#e36209", "#6a737d"];

  function makeLines(n, seed) {
    const rnd = mulberry32(seed);
    const lines = [];
    let indent = 0;
    for (let i = 0; i < n; i++) {
      const tokens = [];
      const count = 3 + Math.floor(rnd() * 14);
      for (let t = 0; t < count; t++) {
        const word = WORDS[Math.floor(rnd() * WORDS.length)];
        const text = rnd() < 0.15
          ? `"${word}"`
          : rnd() < 0.1
          ? String(Math.floor(rnd() * 1e4))
          : word;
        tokens.push({
          text: text + (rnd() < 0.2 ? "(" : rnd() < 0.2 ? ", " : " "),
          color: COLORS[Math.floor(rnd() * COLORS.length)],
        });
      }
      lines.push({ indent, tokens });
      indent = Math.max(0, Math.min(6, indent + (rnd() < 0.3 ? 1 : rnd() < 0.3 ? -1 : 0)));
    }
    return lines;
  }
  const LINE_H = 22;
  const LISTING = makeLines(600, 7);
  const CHAR_W = (() => {
    ctx.font = "16px 'DejaVu Sans Mono', monospace";
    return ctx.measureText("m").width;
  })();

  function drawLines(top, x0, lines) {
    ctx.font = "16px 'DejaVu Sans Mono', monospace";
    ctx.textBaseline = "top";
    const first = Math.max(0, Math.floor(-top / LINE_H));
    for (let i = first; i < lines.length; i++) {
      const y = top + i * LINE_H;
      if (y > H) break;
      const line = lines[i % lines.length];
      let x = x0 + line.indent * 4 * CHAR_W;
      ctx.fillStyle = "#959da5";
      ctx.fillText(String(i + 1).padStart(5), 8, y + 3);
      for (const token of line.tokens) {
        ctx.fillStyle = token.color;
        ctx.fillText(token.text, x, y + 3);
        x += token.text.length * CHAR_W;
      }
    }
  }

  function drawDocument() {
    ctx.fillStyle = "#eef1f4";
    ctx.fillRect(0, 0, W, H);
    ctx.fillStyle = "#24292e";
    ctx.fillRect(0, 0, W, 24);
    ctx.fillStyle = "#fff";
    ctx.fillRect(180, 60, 1620, 1000);
    drawLines(80, 220, LISTING.slice(0, 10));
    drawLines(740, 220, LISTING.slice(40, 53));
  }

  // ---- the photo-like image ---------------------------------------------------------------
  // Value-noise fBm landscape: sky with clouds, a mountain ridge with rock and snow, a
  // meadow with trees, plus per-pixel grain. 2560×1440, so the 1920×1080 view is always a
  // down-scaled crop: the grain survives and every frame resamples every pixel.
  const PW = 2560;
  const PH = 1440;
  function makePhoto() {
    const rnd = mulberry32(42);
    const N = 256;
    const lattice = new Float32Array(N * N);
    for (let i = 0; i < lattice.length; i++) lattice[i] = rnd();
    const noise = (x, y) => {
      const xi = Math.floor(x);
      const yi = Math.floor(y);
      let fx = x - xi;
      let fy = y - yi;
      fx = fx * fx * (3 - 2 * fx);
      fy = fy * fy * (3 - 2 * fy);
      const x0 = xi & (N - 1), y0 = yi & (N - 1);
      const x1 = (x0 + 1) & (N - 1), y1 = (y0 + 1) & (N - 1);
      const a = lattice[y0 * N + x0], b = lattice[y0 * N + x1];
      const c = lattice[y1 * N + x0], d = lattice[y1 * N + x1];
      return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
    };
    const fbm = (x, y, octaves) => {
      let v = 0, amp = 0.5, f = 1;
      for (let o = 0; o < octaves; o++) {
        v += amp * noise(x * f + o * 17.3, y * f + o * 31.7);
        amp *= 0.5;
        f *= 2.03;
      }
      return v;
    };
    const ridge = new Float32Array(PW);
    for (let x = 0; x < PW; x++) ridge[x] = PH * (0.3 + 0.22 * fbm(x / 420, 3.5, 7));
    const img = new ImageData(PW, PH);
    const px = img.data;
    const meadow = PH * 0.66;
    for (let y = 0; y < PH; y++) {
      for (let x = 0; x < PW; x++) {
        let r, g, b;
        const n = fbm(x / 160, y / 160, 6);
        if (y < ridge[x]) {
          const t = y / ridge[x];
          r = 60 + 120 * t;
          g = 110 + 95 * t;
          b = 190 + 50 * t;
          const cloud = Math.max(0, fbm(x / 300, y / 90, 6) - 0.45) * 3;
          r += (245 - r) * Math.min(1, cloud);
          g += (245 - g) * Math.min(1, cloud);
          b += (250 - b) * Math.min(1, cloud);
        } else if (y < meadow) {
          const depth = (y - ridge[x]) / (meadow - ridge[x]);
          const detail = fbm(x / 18, y / 12, 4);
          r = 95 + 90 * n + 60 * detail - 40 * depth;
          g = 88 + 80 * n + 50 * detail - 30 * depth;
          b = 80 + 70 * n + 40 * detail - 30 * depth;
          if (depth < 0.25 && n + detail * 0.5 > 0.75 - depth) {
            r = g = 235 + 15 * detail;
            b = 245;
          }
        } else {
          const detail = fbm(x / 6, y / 4, 3);
          const trees = fbm(x / 70, y / 40, 5);
          r = 50 + 70 * n + 50 * detail;
          g = 100 + 80 * n + 60 * detail;
          b = 30 + 30 * n + 20 * detail;
          if (trees > 0.62) {
            r *= 0.35;
            g *= 0.5;
            b *= 0.4;
          }
        }
        const grain = (rnd() - 0.5) * 28;
        const i = (y * PW + x) * 4;
        px[i] = r + grain;
        px[i + 1] = g + grain;
        px[i + 2] = b + grain;
        px[i + 3] = 255;
      }
    }
    const canvas = document.createElement("canvas");
    canvas.width = PW;
    canvas.height = PH;
    canvas.getContext("2d").putImageData(img, 0, 0);
    return canvas;
  }
  const started = performance.now();
  const photo = makePhoto();
  const photoMs = Math.round(performance.now() - started);

  // ---- the frame loop ---------------------------------------------------------------------
  let workload = "idle";
  let hz = 0;
  let due = 0;
  let counter = 0; // global frame counter, painted in every stamp
  let painted = 0; // frames painted since the last setWorkload
  let frameInWorkload = 0;
  let typed = "";
  const SENTENCE = "The quick brown fox jumps over the lazy dog while the technician watches. " +
    "Remote support sessions should feel local: every keystroke must show up at once. ";

  function paintStamps(layout) {
    const now = Date.now();
    counter = (counter + 1) % C.COUNTER_MOD;
    C.paint(topCtx, 0, 0, now, counter);
    C.paint(bottomCtx, 0, 0, now, counter);
    stampTop.style.left = layout.top.x + "px";
    stampTop.style.top = layout.top.y + "px";
    stampBottom.style.left = layout.bottom.x + "px";
    stampBottom.style.top = layout.bottom.y + "px";
    painted++;
  }

  function drawFrame() {
    const i = frameInWorkload++;
    if (workload === "typing") {
      if (typed.length >= 78) typed = "";
      typed += SENTENCE[i % SENTENCE.length];
      editor.textContent = typed;
    } else if (workload === "scrolling" || workload === "scrolling60") {
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, W, H);
      const step = workload === "scrolling" ? 8 : 4; // the same 240 px/s at either rate
      const offset = (i * step) % (LISTING.length * LINE_H - H);
      drawLines(-offset, 64, LISTING);
    } else if (workload === "video") {
      const t = i / 30;
      const sw = W * (1.06 + 0.2 * (0.5 + 0.5 * Math.sin(t * 0.9)));
      const sh = sw * (H / W);
      const sx = (PW - sw) * (0.5 + 0.5 * Math.sin(t * 0.55));
      const sy = (PH - sh) * (0.5 + 0.5 * Math.cos(t * 0.7));
      ctx.imageSmoothingQuality = "low";
      ctx.drawImage(photo, sx, sy, sw, sh, 0, 0, W, H);
    }
    paintStamps(WORKLOADS[workload].layout);
  }

  function tick(now) {
    requestAnimationFrame(tick);
    if (!hz || now < due - 4) return; // 4 ms slack: rAF times jitter around the vsync grid
    const period = 1000 / hz;
    due = now - due > period ? now + period : due + period; // fell behind: don't burst
    drawFrame();
  }
  requestAnimationFrame(tick);

  function setWorkload(name) {
    if (!WORKLOADS[name]) throw new Error(`unknown workload ${name}`);
    workload = name;
    hz = WORKLOADS[name].hz;
    frameInWorkload = 0;
    painted = 0;
    typed = "";
    editor.textContent = "";
    editor.style.display = name === "typing" ? "block" : "none";
    editor.style.left = TYPING_LINE.x + "px";
    editor.style.top = TYPING_LINE.y + "px";
    if (name === "idle" || name === "typing" || name === "pointer") drawDocument();
    document.body.style.cursor = name === "pointer" ? "default" : "";
    drawFrame(); // the first frame of the new workload, now
    due = performance.now() + (hz ? 1000 / hz : 0);
    return WORKLOADS[name].layout;
  }

  /** Frame counter and paint count, for the harness to compute the source frame rate. */
  function status() {
    return { workload, hz, counter, painted, now: performance.now(), photoMs };
  }

  /** Stops painting, the screen left as it is (the harness then measures the still picture). */
  function freeze() {
    hz = 0;
  }

  globalThis.bench = { setWorkload, status, freeze, workloads: Object.keys(WORKLOADS) };
  const fromHash = location.hash.slice(1);
  setWorkload(WORKLOADS[fromHash] ? fromHash : "idle");
})();
