// Longer than most files: one island with its toolbar, keyboard mapping and stats; split it
// when a second island shares parts.
// The technician's remote view: one Preact island per `.remote-view[data-session]` element
// (rendered by the server inside a session's workspace panel, which htmx swaps in and out, and
// on the detached /console/sessions/<id>/remote page). Loaded once per page as a module; no
// build step, no inline script or style attribute in any markup (CSP: styles are set from here
// through element.style only).
//
// The element's data attributes:
//   data-session   the session id          data-ws          the viewer WebSocket path
//   data-screenshot  POST target for PNGs  data-csrf        the X-CSRF-Token value
//   data-labels    JSON of UI strings (a missing key shows as the key itself)
//   data-can-control / data-can-clipboard / data-detached   "1" or "0"
//
// The viewer socket speaks JSON text frames (state, offer, clipboard, pong, error from the
// server; view, control, answer, keyframe, quality, ping and — only while control is granted —
// pointer, button, wheel, key, clipboard, ctrlAltDel from here). Video arrives over WebRTC:
// the server offers (ICE gathered, no trickle), we answer once our own gathering is done.
import { Component, createRef, Fragment, h, render } from "/vendor/preact.mjs";

const SELECTOR = ".remote-view[data-session]";
const C_ACTIVE = new Set(["asked", "granted"]);
const QUALITIES = ["auto", "high", "normal", "low", "greyscale"];
const CLIPBOARD_MAX = 60_000;
const PING_EVERY_MS = 2_000;
const STALL_MS = 2_000;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 5_000;
const LENS_PX = 200;
const LENS_ZOOM = 3;

// ---- keyboard: DOM keys → X11 keysyms ------------------------------------------------------

/** Named keys by `event.key` (both layouts). */
const NAMED_KEYS = {
  Enter: 0xff0d,
  Backspace: 0xff08,
  Tab: 0xff09,
  Escape: 0xff1b,
  Delete: 0xffff,
  Home: 0xff50,
  End: 0xff57,
  PageUp: 0xff55,
  PageDown: 0xff56,
  ArrowLeft: 0xff51,
  ArrowUp: 0xff52,
  ArrowRight: 0xff53,
  ArrowDown: 0xff54,
  Insert: 0xff63,
  Pause: 0xff13,
  ScrollLock: 0xff14,
  PrintScreen: 0xff61,
  ContextMenu: 0xff67,
  NumLock: 0xff7f,
};
for (let n = 1; n <= 24; n++) NAMED_KEYS[`F${n}`] = 0xffbe + n - 1;

/** Modifier keys by `event.code` (left and right kept apart). */
const MODIFIER_CODES = {
  ShiftLeft: 0xffe1,
  ShiftRight: 0xffe2,
  ControlLeft: 0xffe3,
  ControlRight: 0xffe4,
  AltLeft: 0xffe9,
  AltRight: 0xffea,
  MetaLeft: 0xffeb,
  MetaRight: 0xffec,
  OSLeft: 0xffeb,
  OSRight: 0xffec,
  CapsLock: 0xffe5,
};
const ISO_LEVEL3_SHIFT = 0xfe03;

/** Physical keys by `event.code` → the keysym a US layout gives them (the "remote" layout). */
const US_CODES = {
  Minus: 0x2d,
  Equal: 0x3d,
  BracketLeft: 0x5b,
  BracketRight: 0x5d,
  Backslash: 0x5c,
  IntlBackslash: 0x3c,
  Semicolon: 0x3b,
  Quote: 0x27,
  Backquote: 0x60,
  Comma: 0x2c,
  Period: 0x2e,
  Slash: 0x2f,
  Space: 0x20,
  NumpadDecimal: 0xffae,
  NumpadAdd: 0xffab,
  NumpadSubtract: 0xffad,
  NumpadMultiply: 0xffaa,
  NumpadDivide: 0xffaf,
  NumpadEnter: 0xff8d,
  NumpadEqual: 0xffbd,
  ...NAMED_KEYS,
};
for (let i = 0; i < 26; i++) US_CODES[`Key${String.fromCharCode(65 + i)}`] = 0x61 + i;
for (let d = 0; d <= 9; d++) {
  US_CODES[`Digit${d}`] = 0x30 + d;
  US_CODES[`Numpad${d}`] = 0xffb0 + d;
}

/** The keysym of one Unicode character (X11: Latin-1 as is, the rest at 0x1000000 + code). */
export function charKeysym(char) {
  const cp = char.codePointAt(0);
  if ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff)) return cp;
  return 0x1000000 + cp;
}

const singleChar = (key) => key.length > 0 && key.length <= 2 && [...key].length === 1;

/**
 * What a keydown means for the remote side: `{ keysym, kind }` or null (nothing to send).
 * kind: "shift" (deferred in the local layout), "mod" (other modifiers), "char" (a printed
 * character in the local layout) or "key" (everything else).
 */
export function keysymFor(event, layout) {
  const { key, code } = event;
  if (key === "AltGraph") return { keysym: ISO_LEVEL3_SHIFT, kind: "altgr" };
  if (MODIFIER_CODES[code] !== undefined && /^(Shift|Control|Alt|Meta|OS|CapsLock)$/.test(key)) {
    const kind = key === "Shift" ? "shift" : key === "CapsLock" ? "caps" : "mod";
    return { keysym: MODIFIER_CODES[code], kind };
  }
  if (layout === "remote") {
    const keysym = US_CODES[code];
    if (keysym !== undefined) return { keysym, kind: "key" };
    // A key a US layout does not have: fall back to what it printed here.
    if (singleChar(key)) return { keysym: charKeysym(key), kind: "key" };
    return NAMED_KEYS[key] !== undefined ? { keysym: NAMED_KEYS[key], kind: "key" } : null;
  }
  if (NAMED_KEYS[key] !== undefined) return { keysym: NAMED_KEYS[key], kind: "key" };
  if (!singleChar(key)) return null; // Dead, Process, Unidentified, …
  // A shortcut (Ctrl/Alt held, AltGr not): the physical letter or digit, as a US layout has it.
  const shortcut = (event.ctrlKey || event.altKey) && !event.getModifierState?.("AltGraph");
  if (shortcut && /^(Key[A-Z]|Digit\d)$/.test(code)) return { keysym: US_CODES[code], kind: "key" };
  return { keysym: charKeysym(key), kind: shortcut ? "key" : "char" };
}

// ---- small helpers -------------------------------------------------------------------------

/**
 * A wheel delta in notches. Lines: 3 a notch; pages: 3 notches a page; pixels: a mouse wheel
 * gives ~100–120 a notch (counted as at least one), a touchpad small steps that add up.
 */
export function notches(delta, mode) {
  if (!delta) return 0;
  if (mode === 1) return delta / 3;
  if (mode === 2) return delta * 3;
  if (Math.abs(delta) < 50) return delta / 100;
  return Math.sign(delta) * Math.max(1, Math.round(Math.abs(delta) / 100));
}

let instances = 0;
const clamp = (n, lo, hi) => Math.min(hi, Math.max(lo, n));
const cap = (word) => word.charAt(0).toUpperCase() + word.slice(1);
const BUTTONS = ["left", "middle", "right"];
const BUTTON_BITS = { left: 1, right: 2, middle: 4 };

function parseLabels(json) {
  try {
    const labels = JSON.parse(json || "{}");
    return labels && typeof labels === "object" ? labels : {};
  } catch {
    return {};
  }
}

function iceGathered(pc, ms) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener("icegatheringstatechange", check);
      resolve();
    };
    const check = () => pc.iceGatheringState === "complete" && done();
    const timer = setTimeout(done, ms);
    pc.addEventListener("icegatheringstatechange", check);
  });
}

async function responseText(response) {
  try {
    const text = await response.text();
    // Our error fragments are one short element: take its text, never its markup.
    return new DOMParser().parseFromString(text, "text/html").body.textContent.trim().slice(0, 300);
  } catch {
    return "";
  }
}

// ---- the island ----------------------------------------------------------------------------

class RemoteView extends Component {
  constructor(props) {
    super(props);
    const data = props.el.dataset;
    // Preact 11 passes `ref` on to components as a prop: the instance registers itself.
    props.registry?.set(props.el, this);
    this.sessionId = data.session;
    this.labels = parseLabels(data.labels);
    // Permissions (the server enforces them; these only grey buttons out). Absent = allowed,
    // except control; clipboard sync rides on control unless said otherwise.
    this.canControl = data.canControl === "1";
    this.canView = data.canView !== "0";
    this.canScreenshot = data.canScreenshot !== "0";
    this.canClipboard = data.canClipboard === undefined
      ? this.canControl
      : data.canClipboard === "1";
    this.detached = data.detached === "1";
    this.uid = `rv${++instances}`;
    this.number = new Intl.NumberFormat(document.documentElement.lang || undefined, {
      maximumFractionDigits: 1,
    });

    this.stageRef = createRef();
    this.videoRef = createRef();
    this.overlayRef = createRef();
    this.localClipRef = createRef();
    this.remoteClipRef = createRef();

    this.ws = null;
    this.pc = null;
    this.offerSeq = 0;
    this.backoff = BACKOFF_MIN_MS;
    this.rttMs = null;
    this.prevInbound = null;
    this.lastFrameAt = 0;
    /** When a frame first arrived without one decoding since (null: none). */
    this.undecodedSince = null;
    this.lastKeyframeAt = 0;
    this.held = new Map(); // code → keysym sent down
    this.shiftPending = new Map(); // local layout: Shift pressed here, not yet sent
    this.buttonsDown = new Set();
    this.pendingPointer = null;
    this.lastPointer = null;
    this.wheel = { x: 0, y: 0 };
    this.frame = 0;
    this.lensAt = null;
    this.lensFrame = 0;

    this.state = {
      connected: false,
      agent: null,
      view: "off",
      control: "off",
      clipboard: "off",
      screen: null,
      keyboard: null, // the customer's layout as the agent named it
      quality: "auto",
      status: null, // { text, error, connection? }
      watching: false, // this viewer asked for the picture (view or control on)
      mode: "fit",
      layout: "local",
      magnifier: false,
      fullscreen: false,
      hasVideo: false,
      displayScale: 1,
      remoteClip: "",
      stats: null,
    };
  }

  t = (key, vars) => {
    let text = typeof this.labels[key] === "string" ? this.labels[key] : key;
    for (const [name, value] of Object.entries(vars ?? {})) {
      text = text.replace(`{{${name}}}`, value).replace(`{${name}}`, value);
    }
    return text;
  };

  // ---- life cycle ----

  componentDidMount() {
    this.connect();
    this.pingTimer = setInterval(
      () => this.send({ type: "ping", at: Math.round(performance.now()) }),
      PING_EVERY_MS,
    );
    this.statsTimer = setInterval(() => this.collectStats(), 1000);
    this.onFullscreen = () => {
      const fullscreen = document.fullscreenElement === this.props.el;
      this.setState({ fullscreen });
      if (fullscreen) navigator.keyboard?.lock?.().catch(() => {});
      else navigator.keyboard?.unlock?.();
    };
    document.addEventListener("fullscreenchange", this.onFullscreen);
    this.resizeObserver = new ResizeObserver(() => this.measure());
    this.resizeObserver.observe(this.stageRef.current);
    const video = this.videoRef.current;
    video.muted = true;
    video.addEventListener("resize", this.onVideoResize);
    video.addEventListener("loadeddata", this.onVideoResize);
    this.syncRoot();
  }

  componentDidUpdate(_props, prev) {
    this.syncRoot();
    if (prev.mode !== this.state.mode || prev.screen !== this.state.screen) this.measure();
    if (prev.control === "granted" && this.state.control !== "granted") this.releaseAll(false);
    if (prev.layout !== this.state.layout) this.releaseAll(true);
    if (!this.lensOn() && this.lensAt) this.clearLens();
  }

  componentWillUnmount() {
    this.unmounted = true;
    clearInterval(this.pingTimer);
    clearInterval(this.statsTimer);
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.statusTimer);
    cancelAnimationFrame(this.frame);
    cancelAnimationFrame(this.lensFrame);
    document.removeEventListener("fullscreenchange", this.onFullscreen);
    this.resizeObserver.disconnect();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = ws.onmessage = ws.onerror = null;
      // Closing a socket still connecting logs an error in some browsers: close it once open.
      if (ws.readyState === WebSocket.CONNECTING) ws.onopen = () => ws.close(1000);
      else ws.close(1000);
    }
    if (document.fullscreenElement === this.props.el) navigator.keyboard?.unlock?.();
    this.closePc();
    if (document.fullscreenElement === this.props.el) document.exitFullscreen().catch(() => {});
  }

  /** Mirrors the state CSS needs onto the mount element (data attributes, no inline style). */
  syncRoot() {
    const { dataset } = this.props.el;
    dataset.mode = this.state.mode;
    dataset.control = this.state.control;
    dataset.view = this.state.view;
  }

  // ---- the viewer socket ----

  connect() {
    if (this.unmounted) return;
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${proto}//${location.host}${this.props.el.dataset.ws}`);
    this.ws = ws;
    ws.onopen = () => {
      this.setState((s) => ({
        connected: true,
        status: s.status?.connection ? null : s.status,
      }));
    };
    ws.onmessage = (event) => {
      this.backoff = BACKOFF_MIN_MS;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message && typeof message === "object") this.receive(message);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws || this.unmounted) return;
      this.ws = null;
      this.releaseAll(false);
      // The server ties our peer and our "watching" to this socket: both end with it.
      this.closePc();
      const reason = event.reason ? ` (${event.reason})` : "";
      this.setState({
        connected: false,
        agent: null,
        watching: false,
        status: { text: this.t("connectionLost") + reason, error: true, connection: true },
      });
      this.reconnectTimer = setTimeout(() => this.connect(), this.backoff);
      this.backoff = Math.min(BACKOFF_MAX_MS, this.backoff * 2);
    };
  }

  send(message) {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  receive(message) {
    switch (message.type) {
      case "state":
        return this.onServerState(message);
      case "offer":
        if (typeof message.sdp === "string") this.answer(message.sdp);
        return;
      case "clipboard":
        return this.onRemoteClipboard(String(message.text ?? ""));
      case "pong":
        if (typeof message.at === "number") {
          this.rttMs = Math.max(0, performance.now() - message.at);
        }
        return;
      case "error":
        return this.setStatus(String(message.reason || message.code || this.t("error")), true);
    }
  }

  onServerState(message) {
    const next = {
      agent: message.agent ?? null,
      view: message.view ?? "off",
      control: message.control ?? "off",
      clipboard: message.clipboard ?? "off",
      quality: QUALITIES.includes(message.quality) ? message.quality : this.state.quality,
      keyboard: typeof message.keyboard === "string" && message.keyboard !== "unknown"
        ? message.keyboard
        : null,
    };
    const screen = message.screen;
    const same = screen && this.state.screen && screen.width === this.state.screen.width &&
      screen.height === this.state.screen.height;
    if (!same) next.screen = screen?.width > 0 && screen?.height > 0 ? screen : null;
    if (next.view !== "granted") this.closePc();
    if (!C_ACTIVE.has(next.view)) next.watching = false;
    // The session's view is on (granted to another window of ours, or before a reconnect):
    // watch too, unless the technician stopped it here. No new question for the customer.
    const watching = next.watching ?? this.state.watching;
    if (next.view === "granted" && !watching && !this.stopped && this.canView) {
      if (this.send({ type: "view", on: true })) next.watching = true;
    }
    this.setState(next);
  }

  /** The status line; a success clears itself after a while, a refusal stays until the next. */
  setStatus(text, error = false) {
    if (this.unmounted) return;
    clearTimeout(this.statusTimer);
    const status = text ? { text, error } : null;
    this.setState({ status });
    if (status && !error) {
      this.statusTimer = setTimeout(() => {
        if (this.state.status === status) this.setState({ status: null });
      }, 6_000);
    }
  }

  // ---- WebRTC ----

  closePc() {
    this.offerSeq++;
    if (this.pc) {
      this.pc.ontrack = this.pc.onconnectionstatechange = null;
      this.pc.close();
      this.pc = null;
    }
    this.prevInbound = null;
    const video = this.videoRef.current;
    if (video?.srcObject) video.srcObject = null;
    if (this.state.hasVideo && !this.unmounted) this.setState({ hasVideo: false });
  }

  async answer(sdp) {
    this.closePc();
    const seq = this.offerSeq;
    const pc = new RTCPeerConnection({});
    this.pc = pc;
    pc.ontrack = (event) => {
      const receiver = event.receiver;
      try {
        receiver.jitterBufferTarget = 0;
      } catch { /* not supported */ }
      if ("playoutDelayHint" in receiver) {
        try {
          receiver.playoutDelayHint = 0;
        } catch { /* not supported */ }
      }
      const video = this.videoRef.current;
      video.srcObject = new MediaStream([event.track]);
      video.play().catch(() => {});
      this.lastFrameAt = performance.now();
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === "failed") this.setStatus(this.t("videoFailed"), true);
      if (pc.connectionState === "connected") this.lastFrameAt = performance.now();
    };
    try {
      await pc.setRemoteDescription({ type: "offer", sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await iceGathered(pc, 1000);
      if (seq !== this.offerSeq || this.pc !== pc) return;
      this.send({ type: "answer", sdp: pc.localDescription.sdp });
    } catch (error) {
      if (seq !== this.offerSeq) return;
      console.warn("remote view: offer refused", error);
      this.setStatus(this.t("videoFailed"), true);
    }
  }

  onVideoResize = () => {
    const video = this.videoRef.current;
    const hasVideo = video.videoWidth > 0 && video.videoHeight > 0;
    if (hasVideo !== this.state.hasVideo) this.setState({ hasVideo });
    this.measure();
  };

  // ---- stats (every second) ----

  async collectStats() {
    const pc = this.pc;
    let inbound = null;
    if (pc && pc.connectionState !== "closed") {
      try {
        (await pc.getStats()).forEach((r) => {
          if (r.type === "inbound-rtp" && r.kind === "video") inbound = r;
        });
      } catch { /* closed meanwhile */ }
    }
    if (this.unmounted || pc !== this.pc) return;
    const prev = this.prevInbound;
    this.prevInbound = inbound;
    const video = this.videoRef.current;
    const stats = {
      sessionId: this.sessionId,
      at: Date.now(),
      fps: null,
      kbps: null,
      rttMs: this.rttMs === null ? null : Math.round(this.rttMs),
      jitterBufferMs: null,
      decodeMs: null,
      latencyMs: null,
      width: inbound?.frameWidth ?? (video.videoWidth || null),
      height: inbound?.frameHeight ?? (video.videoHeight || null),
      framesDecoded: inbound?.framesDecoded ?? 0,
      framesDropped: inbound?.framesDropped ?? 0,
      packetsLost: inbound?.packetsLost ?? 0,
      bytesReceived: inbound?.bytesReceived ?? 0,
      connection: pc?.connectionState ?? null,
    };
    if (inbound && prev && prev.id === inbound.id && inbound.timestamp > prev.timestamp) {
      const seconds = (inbound.timestamp - prev.timestamp) / 1000;
      const frames = (inbound.framesDecoded ?? 0) - (prev.framesDecoded ?? 0);
      const bytes = (inbound.bytesReceived ?? 0) - (prev.bytesReceived ?? 0);
      if (frames >= 0) stats.fps = frames / seconds;
      if (bytes >= 0) stats.kbps = (bytes * 8) / 1000 / seconds;
      const emitted = (inbound.jitterBufferEmittedCount ?? 0) -
        (prev.jitterBufferEmittedCount ?? 0);
      if (emitted > 0) {
        stats.jitterBufferMs = ((inbound.jitterBufferDelay - prev.jitterBufferDelay) / emitted) *
          1000;
      }
      if (frames > 0) {
        stats.decodeMs = ((inbound.totalDecodeTime - prev.totalDecodeTime) / frames) * 1000;
      }
      const now = performance.now();
      // Stalled: frames arrived after the last decoded one and still nothing decoded 2 s
      // later (or no frame ever did). A still screen sends nothing and is not stalled; nor
      // are retransmissions or padding, which are bytes but not frames.
      const received = (inbound.framesReceived ?? 0) - (prev.framesReceived ?? 0);
      if (frames > 0) {
        this.lastFrameAt = now;
        this.undecodedSince = null;
      } else if (received > 0 || (bytes > 0 && inbound.framesReceived === undefined)) {
        this.undecodedSince ??= now;
      }
      const stalled = now - this.lastFrameAt > STALL_MS &&
        ((this.undecodedSince !== null && now - this.undecodedSince > STALL_MS) ||
          stats.framesDecoded === 0);
      if (
        stalled && this.state.view === "granted" && pc.connectionState === "connected" &&
        now - this.lastKeyframeAt > STALL_MS
      ) {
        this.lastKeyframeAt = now;
        this.send({ type: "keyframe" });
      }
    }
    if (stats.decodeMs === null && inbound?.framesDecoded > 0 && inbound.totalDecodeTime) {
      stats.decodeMs = (inbound.totalDecodeTime / inbound.framesDecoded) * 1000;
    }
    if (stats.rttMs !== null || stats.jitterBufferMs !== null) {
      stats.latencyMs = (stats.rttMs ?? 0) / 2 + (stats.jitterBufferMs ?? 0) +
        (stats.decodeMs ?? 0);
    }
    for (const key of ["fps", "kbps", "jitterBufferMs", "decodeMs", "latencyMs"]) {
      if (stats[key] !== null) stats[key] = Math.round(stats[key] * 10) / 10;
    }
    api.stats = stats;
    this.setState({ stats });
  }

  // ---- geometry ----

  /** Where the remote screen's picture is on the page (client pixels), or null. */
  contentRect() {
    const video = this.videoRef.current;
    const vw = video?.videoWidth;
    const vh = video?.videoHeight;
    if (!vw || !vh) return null;
    const r = video.getBoundingClientRect();
    if (this.state.mode !== "fit") {
      return { left: r.left, top: r.top, width: r.width, height: r.height };
    }
    const scale = Math.min(r.width / vw, r.height / vh);
    const width = vw * scale;
    const height = vh * scale;
    return {
      left: r.left + (r.width - width) / 2,
      top: r.top + (r.height - height) / 2,
      width,
      height,
    };
  }

  screenSize() {
    const video = this.videoRef.current;
    const screen = this.state.screen;
    if (screen) return { width: screen.width, height: screen.height };
    return video?.videoWidth ? { width: video.videoWidth, height: video.videoHeight } : null;
  }

  /** Client coordinates → remote screen pixels; null outside the picture unless `clampIt`. */
  toRemote(clientX, clientY, clampIt) {
    const rect = this.contentRect();
    const size = this.screenSize();
    if (!rect || !size || rect.width <= 0 || rect.height <= 0) return null;
    const fx = (clientX - rect.left) / rect.width;
    const fy = (clientY - rect.top) / rect.height;
    if (!clampIt && (fx < 0 || fy < 0 || fx >= 1 || fy >= 1)) return null;
    return {
      x: clamp(Math.floor(fx * size.width), 0, size.width - 1),
      y: clamp(Math.floor(fy * size.height), 0, size.height - 1),
    };
  }

  measure() {
    const rect = this.contentRect();
    const size = this.screenSize();
    if (!rect || !size) return;
    const displayScale = Math.min(rect.width / size.width, rect.height / size.height);
    if (Math.abs(displayScale - this.state.displayScale) > 0.001) this.setState({ displayScale });
  }

  lensAvailable() {
    return this.state.hasVideo && this.state.mode !== "actual" && this.state.displayScale < 0.999;
  }

  lensOn() {
    return this.state.magnifier && this.lensAvailable();
  }

  // ---- magnifier ----

  drawLens = () => {
    this.lensFrame = 0;
    const canvas = this.overlayRef.current;
    const video = this.videoRef.current;
    const stage = this.stageRef.current;
    if (!canvas || !this.lensAt || !this.lensOn()) return this.clearLens();
    const ratio = globalThis.devicePixelRatio || 1;
    const width = stage.clientWidth;
    const height = stage.clientHeight;
    if (
      canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)
    ) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const rect = this.contentRect();
    if (!rect) return;
    const stageRect = stage.getBoundingClientRect();
    const { x: cx, y: cy } = this.lensAt;
    // The source: LENS_PX / LENS_ZOOM displayed pixels around the pointer, in video pixels.
    const perX = video.videoWidth / rect.width;
    const perY = video.videoHeight / rect.height;
    const sw = (LENS_PX / LENS_ZOOM) * perX;
    const sh = (LENS_PX / LENS_ZOOM) * perY;
    const sx = (cx - rect.left) * perX - sw / 2;
    const sy = (cy - rect.top) * perY - sh / 2;
    const dx = cx - stageRect.left - stage.clientLeft - LENS_PX / 2;
    const dy = cy - stageRect.top - stage.clientTop - LENS_PX / 2;
    ctx.scale(ratio, ratio);
    ctx.save();
    ctx.beginPath();
    ctx.rect(dx, dy, LENS_PX, LENS_PX);
    ctx.clip();
    ctx.fillStyle = "#000";
    ctx.fillRect(dx, dy, LENS_PX, LENS_PX);
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(video, sx, sy, sw, sh, dx, dy, LENS_PX, LENS_PX);
    ctx.restore();
    ctx.lineWidth = 2;
    ctx.strokeStyle = "#fff";
    ctx.strokeRect(dx + 1, dy + 1, LENS_PX - 2, LENS_PX - 2);
    ctx.strokeStyle = "rgba(0, 0, 0, .6)";
    ctx.lineWidth = 1;
    ctx.strokeRect(dx - 0.5, dy - 0.5, LENS_PX + 1, LENS_PX + 1);
    // Keep it live while the pointer stays: the picture under it changes.
    this.lensFrame = requestAnimationFrame(this.drawLens);
  };

  clearLens() {
    cancelAnimationFrame(this.lensFrame);
    this.lensFrame = 0;
    this.lensAt = null;
    const canvas = this.overlayRef.current;
    canvas?.getContext("2d")?.clearRect(0, 0, canvas.width, canvas.height);
  }

  // ---- input (only while control is granted) ----

  controlling() {
    return this.state.control === "granted" && this.state.connected;
  }

  flushPointer() {
    const p = this.pendingPointer;
    this.pendingPointer = null;
    if (!p || !this.controlling()) return;
    if (this.lastPointer && this.lastPointer.x === p.x && this.lastPointer.y === p.y) return;
    if (this.send({ type: "pointer", x: p.x, y: p.y })) this.lastPointer = p;
  }

  flushWheel() {
    const dx = Math.trunc(this.wheel.x);
    const dy = Math.trunc(this.wheel.y);
    this.wheel.x -= dx;
    this.wheel.y -= dy;
    if ((dx || dy) && this.controlling()) {
      this.send({ type: "wheel", dx: clamp(dx, -100, 100), dy: clamp(dy, -100, 100) });
    }
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.flushPointer();
      this.flushWheel();
    });
  }

  sendButton(button, down, point) {
    this.flushPointer();
    if (down) this.buttonsDown.add(button);
    else this.buttonsDown.delete(button);
    this.send({ type: "button", button, down, x: point.x, y: point.y });
    this.lastPointer = point;
  }

  onPointerDown = (event) => {
    this.stageRef.current.focus({ preventScroll: true });
    if (!this.controlling()) return;
    const button = BUTTONS[event.button];
    const point = this.toRemote(event.clientX, event.clientY, false);
    if (!button || !point) return;
    event.preventDefault();
    this.stageRef.current.setPointerCapture?.(event.pointerId);
    this.flushShift();
    this.sendButton(button, true, point);
  };

  onPointerUp = (event) => {
    const button = BUTTONS[event.button];
    if (!button || !this.buttonsDown.has(button)) return;
    event.preventDefault();
    const point = this.toRemote(event.clientX, event.clientY, true) ?? this.lastPointer;
    if (point && this.controlling()) this.sendButton(button, false, point);
    else this.buttonsDown.delete(button);
  };

  onPointerMove = (event) => {
    if (this.state.magnifier) {
      this.lensAt = { x: event.clientX, y: event.clientY };
      if (this.lensOn() && !this.lensFrame) this.lensFrame = requestAnimationFrame(this.drawLens);
    }
    if (!this.controlling()) return;
    const point = this.toRemote(event.clientX, event.clientY, this.buttonsDown.size > 0);
    if (!point) return;
    // A second button pressed or released while another is held comes as a move (chorded).
    const chord = BUTTONS[event.button];
    if (chord && event.button >= 0) {
      const down = (event.buttons & BUTTON_BITS[chord]) !== 0;
      if (down !== this.buttonsDown.has(chord)) return this.sendButton(chord, down, point);
    }
    this.pendingPointer = point;
    this.schedule();
  };

  onPointerLeave = () => {
    if (this.lensAt) this.clearLens();
  };

  onLostCapture = () => {
    // The pointer went away mid-drag (window switch, cancel): let go of what is still down.
    if (!this.controlling()) return this.buttonsDown.clear();
    const point = this.lastPointer ?? { x: 0, y: 0 };
    for (const button of [...this.buttonsDown]) this.sendButton(button, false, point);
  };

  onMouseDown = (event) => {
    // No text selection, middle-click scrolling or focus theft while controlling.
    if (this.controlling()) event.preventDefault();
  };

  onContextMenu = (event) => {
    if (this.controlling()) event.preventDefault();
  };

  onWheel = (event) => {
    if (!this.controlling()) return;
    event.preventDefault();
    this.wheel.x += notches(event.deltaX, event.deltaMode);
    this.wheel.y += notches(event.deltaY, event.deltaMode);
    this.schedule();
  };

  sendKey(keysym, down) {
    this.send({ type: "key", keysym, down });
  }

  /** Local layout: Shift goes out only when a non-character key (or a click) needs it. */
  flushShift() {
    for (const [code, keysym] of this.shiftPending) {
      this.held.set(code, keysym);
      this.sendKey(keysym, true);
    }
    this.shiftPending.clear();
  }

  onKeyDown = (event) => {
    if (!this.controlling()) return;
    event.preventDefault();
    event.stopPropagation();
    if (event.isComposing) return;
    const layout = this.state.layout;
    const id = event.code || `key:${event.key}`;
    if (this.held.has(id)) {
      if (event.repeat) this.sendKey(this.held.get(id), true);
      return;
    }
    const mapped = keysymFor(event, layout);
    if (!mapped) return;
    if (mapped.kind === "altgr") {
      // Windows reports AltGr as a fake left Control followed by AltGr: take that Control back.
      const ctrl = this.held.get("ControlLeft");
      if (ctrl !== undefined && event.timeStamp - (this.ctrlDownAt ?? 0) < 50) {
        this.held.delete("ControlLeft");
        this.sendKey(ctrl, false);
      }
      // The local layout's characters already carry AltGr; the remote layout needs the key.
      if (layout === "local") return;
    }
    if (layout === "local" && mapped.kind === "shift") {
      this.shiftPending.set(id, mapped.keysym);
      return;
    }
    if (layout === "local" && mapped.kind === "caps") return; // the characters carry it
    if (layout === "local" && mapped.kind !== "char") this.flushShift();
    if (id === "ControlLeft") this.ctrlDownAt = event.timeStamp;
    this.held.set(id, mapped.keysym);
    this.sendKey(mapped.keysym, true);
  };

  onKeyUp = (event) => {
    if (!this.controlling()) return;
    event.preventDefault();
    event.stopPropagation();
    const id = event.code || `key:${event.key}`;
    this.shiftPending.delete(id);
    const keysym = this.held.get(id);
    if (keysym === undefined) return;
    this.held.delete(id);
    this.sendKey(keysym, false);
  };

  /** Lets go of every key and button still down (on blur, layout change, control ending). */
  releaseAll(send = true) {
    const live = send && this.controlling();
    for (const keysym of [...this.held.values()].reverse()) if (live) this.sendKey(keysym, false);
    this.held.clear();
    this.shiftPending.clear();
    const point = this.lastPointer ?? { x: 0, y: 0 };
    for (const button of [...this.buttonsDown]) {
      if (live) this.send({ type: "button", button, down: false, x: point.x, y: point.y });
    }
    this.buttonsDown.clear();
    this.wheel = { x: 0, y: 0 };
  }

  onBlur = () => this.releaseAll(true);

  // ---- toolbar actions ----

  /** Whether this island watches (its own choice; the consent is the session's). */
  viewActive() {
    return this.state.watching && C_ACTIVE.has(this.state.view);
  }

  toggleView = () => {
    const on = !this.viewActive();
    this.stopped = !on;
    if (!this.send({ type: "view", on })) return;
    if (!on) this.closePc();
    this.setState({ watching: on });
  };

  toggleControl = () => {
    const on = !C_ACTIVE.has(this.state.control);
    if (!on) this.releaseAll(true);
    if (!this.send({ type: "control", on })) return;
    // Asking for control also means watching (the server counts this viewer as watching).
    if (on) {
      this.stopped = false;
      this.setState({ watching: true });
    }
  };

  ctrlAltDel = () => {
    if (this.controlling()) this.send({ type: "ctrlAltDel" });
    this.stageRef.current.focus({ preventScroll: true });
  };

  setMode = (mode) => this.setState({ mode });

  toggleFullscreen = () => {
    const el = this.props.el;
    if (document.fullscreenElement === el) document.exitFullscreen().catch(() => {});
    else el.requestFullscreen?.().catch(() => this.setStatus(this.t("fullscreenFailed"), true));
  };

  detach = () => {
    const url = `/console/sessions/${encodeURIComponent(this.sessionId)}/remote`;
    const features = "popup=yes,width=1280,height=860,noopener";
    globalThis.open(url, `remote-${this.sessionId}`, features);
  };

  toggleMagnifier = () => {
    this.setState((s) => ({ magnifier: !s.magnifier }));
    this.clearLens();
  };

  toggleLayout = () => {
    this.setState((s) => ({ layout: s.layout === "local" ? "remote" : "local" }));
  };

  setQuality = (event) => {
    const preset = event.currentTarget.value;
    if (!QUALITIES.includes(preset)) return;
    this.setState({ quality: preset });
    this.send({ type: "quality", preset });
  };

  requestKeyframe = () => {
    this.lastKeyframeAt = performance.now();
    this.send({ type: "keyframe" });
  };

  screenshot = async () => {
    const video = this.videoRef.current;
    if (!video.videoWidth) return this.setStatus(this.t("screenshotNoVideo"), true);
    // The screen's size: during full-screen motion the agent may send half-size frames.
    const size = this.screenSize();
    const canvas = document.createElement("canvas");
    canvas.width = size.width;
    canvas.height = size.height;
    canvas.getContext("2d").drawImage(video, 0, 0, size.width, size.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
    if (!blob) return this.setStatus(this.t("screenshotFailed"), true);
    const name = `screenshot-${new Date().toISOString().replace(/[:.]/g, "-")}.png`;
    const form = new FormData();
    form.append("file", blob, name);
    this.setState({ busyShot: true });
    try {
      const response = await fetch(this.props.el.dataset.screenshot, {
        method: "POST",
        body: form,
        credentials: "same-origin",
        headers: { "X-CSRF-Token": this.props.el.dataset.csrf ?? "", "HX-Request": "true" },
      });
      if (response.ok) this.setStatus(this.t("screenshotSaved", { name }));
      else {
        const why = await responseText(response);
        this.setStatus(`${this.t("screenshotFailed")}${why ? ` ${why}` : ""}`, true);
      }
    } catch {
      this.setStatus(this.t("screenshotFailed"), true);
    } finally {
      if (!this.unmounted) this.setState({ busyShot: false });
    }
  };

  // ---- clipboard ----

  onRemoteClipboard(text) {
    this.setState({ remoteClip: text });
    if (document.hasFocus() && navigator.clipboard?.writeText) {
      navigator.clipboard.writeText(text).catch(() => {});
    }
  }

  copyRemote = async () => {
    const text = this.state.remoteClip;
    try {
      await navigator.clipboard.writeText(text);
      this.setStatus(this.t("clipboardCopied"));
    } catch {
      const box = this.remoteClipRef.current;
      box.select();
      const ok = document.execCommand?.("copy");
      this.setStatus(this.t(ok ? "clipboardCopied" : "clipboardCopyFailed"), !ok);
    }
  };

  sendClipboard = async () => {
    let text = this.localClipRef.current.value;
    // What the technician pasted into the box wins; otherwise read the clipboard (may be refused).
    if (!text) {
      try {
        text = (await navigator.clipboard.readText()) ?? "";
      } catch {
        text = "";
      }
    }
    if (!text) return this.setStatus(this.t("clipboardEmpty"), true);
    if (text.length > CLIPBOARD_MAX) return this.setStatus(this.t("clipboardTooLong"), true);
    if (this.send({ type: "clipboard", text })) this.setStatus(this.t("clipboardSent"));
  };

  // ---- rendering ----

  consent() {
    const s = this.state;
    if (!s.connected) return { key: "", state: "" };
    if (s.agent === "absent") return { key: "agentAbsent", state: "absent" };
    if (s.agent === "reconnecting") return { key: "agentReconnecting", state: "reconnecting" };
    if (s.control !== "off") return { key: `control${cap(s.control)}`, state: s.control };
    return { key: `view${cap(s.view)}`, state: s.view };
  }

  placeholder() {
    const s = this.state;
    if (s.hasVideo && s.view === "granted") return "";
    if (!s.connected) return this.t("connecting");
    if (s.agent !== "connected") {
      return this.t(s.agent === "reconnecting" ? "agentReconnecting" : "agentAbsent");
    }
    if (s.view === "granted") return this.t("waitingForPicture");
    if (s.view === "asked") return this.t("viewAsked");
    return this.t("viewOffHint");
  }

  formatStats(stats) {
    const n = (value) => (value === null || value === undefined ? "–" : this.number.format(value));
    let bitrate = "–";
    if (stats?.kbps != null) {
      bitrate = stats.kbps >= 8000
        ? `${this.number.format(stats.kbps / 8000)} ${this.t("unitMBps")}`
        : `${this.number.format(Math.round(stats.kbps))} ${this.t("unitKbps")}`;
    }
    return {
      fps: stats?.fps == null ? "–" : `${n(Math.round(stats.fps))} ${this.t("unitFps")}`,
      bitrate,
      latency: stats?.latencyMs == null
        ? "–"
        : `${n(Math.round(stats.latencyMs))} ${this.t("unitMs")}`,
      resolution: stats?.width && stats?.height ? `${stats.width} × ${stats.height}` : "–",
    };
  }

  button(cls, label, onClick, extra = {}) {
    return h("button", { type: "button", class: cls, onClick, ...extra }, label);
  }

  render(_props, s) {
    const t = this.t;
    const id = (suffix) => `${this.uid}-${suffix}`;
    const online = s.connected && s.agent === "connected";
    const viewOn = this.viewActive();
    const controlOn = C_ACTIVE.has(s.control);
    const controlling = s.control === "granted" && s.connected;
    const consent = this.consent();
    const shown = this.formatStats(s.stats);
    const size = this.screenSize();
    const videoStyle = s.mode === "actual" && size
      ? { width: `${size.width}px`, height: `${size.height}px` }
      : { width: "", height: "" };
    const lensAvailable = this.lensAvailable();
    const placeholder = this.placeholder();
    const clipboardShown = this.canClipboard || s.remoteClip !== "";
    const clipboardUsable = this.canClipboard && s.connected && s.clipboard === "granted";

    const toolbar = h(
      "div",
      { class: "rv-toolbar", role: "group", "aria-label": t("toolbar") },
      h(
        "div",
        { class: "rv-group" },
        this.button(
          `rv-view${viewOn ? " is-on" : ""}`,
          t(viewOn ? "viewStop" : "viewStart"),
          this.toggleView,
          {
            disabled: !this.canView || !(online || (s.connected && viewOn)),
            "data-state": s.view,
          },
        ),
        this.button(
          `rv-control${controlOn ? " is-on" : ""}`,
          t(controlOn ? "controlStop" : "controlStart"),
          this.toggleControl,
          {
            disabled: !this.canControl || !(online || (s.connected && controlOn)),
            "data-state": s.control,
          },
        ),
        this.button("rv-cad", t("ctrlAltDel"), this.ctrlAltDel, { disabled: !controlling }),
        this.button(
          "rv-layout",
          s.layout === "local"
            ? t("layoutLocal")
            : s.keyboard
            ? t("layoutRemoteNamed", { layout: s.keyboard })
            : t("layoutRemote"),
          this.toggleLayout,
          {
            title: t("layoutHint"),
            "data-layout": s.layout,
          },
        ),
      ),
      h(
        "div",
        { class: "rv-group", role: "group", "aria-label": t("scale") },
        ["fit", "actual", "stretch"].map((mode) =>
          this.button(`rv-${mode}`, t(`scale${cap(mode)}`), () => this.setMode(mode), {
            "aria-pressed": String(s.mode === mode),
          })
        ),
      ),
      h(
        "div",
        { class: "rv-group" },
        this.button("rv-magnifier", t("magnifier"), this.toggleMagnifier, {
          "aria-pressed": String(s.magnifier && lensAvailable),
          disabled: !lensAvailable,
          title: lensAvailable ? "" : t("magnifierUnavailable"),
        }),
        this.button("rv-fullscreen", t("fullscreen"), this.toggleFullscreen, {
          "aria-pressed": String(s.fullscreen),
          disabled: !document.fullscreenEnabled,
        }),
        this.detached ? null : this.button("rv-detach", t("detach"), this.detach),
        this.button("rv-screenshot", t("screenshot"), this.screenshot, {
          disabled: !this.canScreenshot || !s.hasVideo || s.busyShot,
        }),
        this.button("rv-keyframe", t("refresh"), this.requestKeyframe, {
          disabled: !s.connected || s.view !== "granted",
          title: t("refreshHint"),
        }),
      ),
      h(
        "div",
        { class: "rv-group rv-quality-field" },
        h("label", { for: id("quality") }, t("quality")),
        h(
          "select",
          {
            id: id("quality"),
            class: "rv-quality",
            value: s.quality,
            disabled: !s.connected,
            onChange: this.setQuality,
          },
          QUALITIES.map((q) => h("option", { value: q }, t(`quality${cap(q)}`))),
        ),
      ),
    );

    const statusLine = h(
      "div",
      { class: "rv-statusline" },
      h(
        "p",
        { class: "rv-consent", "aria-live": "polite", "data-state": consent.state },
        consent.key ? t(consent.key) : "",
      ),
      h(
        "p",
        { class: `rv-status${s.status?.error ? " is-error" : ""}`, role: "status" },
        s.status?.text ?? "",
      ),
    );

    const stage = h(
      "div",
      {
        ref: this.stageRef,
        class: `rv-stage rv-screen${controlling ? " is-controlling" : ""}`,
        tabIndex: 0,
        role: "application",
        "aria-label": t("screen"),
        "aria-describedby": id("hint"),
        onPointerDown: this.onPointerDown,
        onPointerUp: this.onPointerUp,
        onPointerMove: this.onPointerMove,
        onPointerLeave: this.onPointerLeave,
        onPointerCancel: this.onLostCapture,
        onLostPointerCapture: this.onLostCapture,
        onMouseDown: this.onMouseDown,
        onContextMenu: this.onContextMenu,
        onWheel: this.onWheel,
        onKeyDown: this.onKeyDown,
        onKeyUp: this.onKeyUp,
        onBlur: this.onBlur,
      },
      h("video", {
        ref: this.videoRef,
        class: "rv-video",
        muted: true,
        autoplay: true,
        playsInline: true,
        disablePictureInPicture: true,
        style: videoStyle,
      }),
      h("canvas", { ref: this.overlayRef, class: "rv-overlay", "aria-hidden": "true" }),
      h("p", { class: "rv-placeholder", hidden: !placeholder }, placeholder),
      h(
        "span",
        { id: id("hint"), class: "visually-hidden" },
        t(controlling ? "keyboardHint" : "viewOnlyHint"),
      ),
    );

    const stats = h(
      "p",
      { class: "rv-stats", title: t("stats") },
      h("span", { class: "rv-stat rv-stat-fps" }, `${t("statsFps")}: ${shown.fps}`),
      " ",
      h("span", { class: "rv-stat rv-stat-bitrate" }, `${t("statsBitrate")}: ${shown.bitrate}`),
      " ",
      h("span", { class: "rv-stat rv-stat-latency" }, `${t("statsLatency")}: ${shown.latency}`),
      " ",
      h(
        "span",
        { class: "rv-stat rv-stat-resolution" },
        `${t("statsResolution")}: ${shown.resolution}`,
      ),
    );

    const clipboard = clipboardShown
      ? h(
        "div",
        { class: "rv-clipboard" },
        h(
          "div",
          { class: "rv-clip rv-clip-remote" },
          h("label", { for: id("remote-clip") }, t("remoteClipboard")),
          h("textarea", {
            ref: this.remoteClipRef,
            id: id("remote-clip"),
            class: "rv-remote-clipboard",
            readOnly: true,
            rows: 3,
            value: s.remoteClip,
          }),
          h(
            "div",
            { class: "rv-clip-actions" },
            this.button("rv-copy-clipboard", t("copy"), this.copyRemote, {
              disabled: !s.remoteClip,
            }),
          ),
        ),
        this.canClipboard
          ? h(
            "div",
            { class: "rv-clip rv-clip-local" },
            h("label", { for: id("local-clip") }, t("localClipboard")),
            h("textarea", {
              ref: this.localClipRef,
              id: id("local-clip"),
              class: "rv-local-clipboard",
              rows: 3,
              placeholder: t("localClipboardHint"),
            }),
            h(
              "div",
              { class: "rv-clip-actions" },
              this.button("rv-send-clipboard", t("sendClipboard"), this.sendClipboard, {
                disabled: !clipboardUsable,
              }),
              h(
                "span",
                { class: "rv-clipboard-state", "data-state": s.clipboard },
                t(`clipboard${cap(s.clipboard)}`),
              ),
            ),
          )
          : null,
      )
      : null;

    return h(Fragment, null, toolbar, statusLine, stage, stats, clipboard);
  }
}

// ---- mounting: every `.remote-view[data-session]`, now and later, exactly once ------------

const mounted = new Map(); // element → its RemoteView (set by the component itself)

function mount(el) {
  if (mounted.has(el) || !el.isConnected) return;
  mounted.set(el, null);
  el.replaceChildren(); // e.g. a copy restored from htmx's history cache
  render(h(RemoteView, { el, registry: mounted }), el);
}

function unmount(el) {
  if (!mounted.has(el)) return;
  mounted.delete(el);
  render(null, el);
  for (const key of ["mode", "control", "view"]) delete el.dataset[key];
}

function scan(node) {
  if (!(node instanceof Element)) return;
  if (node.matches(SELECTOR)) mount(node);
  for (const el of node.querySelectorAll(SELECTOR)) mount(el);
}

function viewFor(sessionId) {
  for (const view of mounted.values()) if (view?.sessionId === sessionId) return view;
  return null;
}

const api = {
  /** The latest stats of the view that reported last (fps, kbps, latencyMs, …). */
  stats: {},
  statsFor(sessionId) {
    return viewFor(sessionId)?.state.stats ?? null;
  },
  /** The `video.rv-video` of a mounted view (the first one, if two show the same session). */
  videoFor(sessionId) {
    return viewFor(sessionId)?.videoRef.current ?? null;
  },
  sessions() {
    return [...mounted.values()].map((view) => view?.sessionId).filter(Boolean);
  },
};

if (!globalThis.__remoteView) {
  globalThis.__remoteView = api;
  new MutationObserver((mutations) => {
    let removed = false;
    for (const mutation of mutations) {
      for (const node of mutation.addedNodes) scan(node);
      removed ||= mutation.removedNodes.length > 0;
    }
    if (removed) { for (const el of [...mounted.keys()]) if (!el.isConnected) unmount(el); }
  }).observe(document.body, { childList: true, subtree: true });
  scan(document.body);
}
