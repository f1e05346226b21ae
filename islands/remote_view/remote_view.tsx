// Over 400 lines on purpose: the island's one component wires the socket, the peer, the stage, the toolbar and the status line; each of those is its own file beside it.
/** @jsxRuntime automatic @jsxImportSource preact */
// Over 300 lines on purpose: the one component that owns the view's state and socket; its parts (toolbar, control owner, quality, clipboard, input) are already files of their own.
/**
 * The technician's remote view of one session: the picture (WebRTC video), input while control
 * is granted, the toolbar, status, stats and clipboard. This component holds the state and
 * wires the parts of this folder together; each part holds its own rules.
 */
import { Component, createRef } from "preact";
import type { RemoteViewMount, ViewerInput, ViewerMessage } from "../../protocol/viewer.ts";
import { ClipboardPanel, clipboardReadAllowed, ClipboardSync } from "./clipboard.tsx";
import { CURSOR_FRAME_STYLE, CURSOR_IMAGE_STYLE } from "./cursor_overlay.ts";
import { PREVIEW_STYLE } from "./preview_overlay.ts";
import { InvitePanel, NoScreenPanel, StatsLine, StatusLine } from "./panels.tsx";
import { ControlPanel } from "./control_owner.tsx";
import { VideoPeer } from "./peer.ts";
import { PictureWatch } from "./picture_watch.ts";
import { socketUrl, ViewerSocket } from "./socket.ts";
import { keyboardLock, Stage } from "./stage.ts";
import { StatsTracker, type ViewStats } from "./stats.ts";
import { FittedToolbar } from "./toolbar.tsx";
import { WhiteboardBar } from "./whiteboard_bar.tsx";
import { toolbarActions } from "./actions.ts";
import {
  agentMissing,
  applyServerState,
  automaticNoticeMayReplace,
  capturePaused,
  closedState,
  controlling,
  drawing,
  INITIAL_STATE,
  placeholderKey,
  screenUnavailable,
  stalePicture,
  type Translate,
  translator,
  type ViewState,
} from "./view_state.ts";

export interface RemoteViewProps {
  /** The mount element (fullscreen target; carries `data-mode/-control/-view` for the CSS). */
  el: HTMLElement;
  mount: RemoteViewMount;
  /** Every mounted view by element: the view registers itself here. */
  registry: Map<HTMLElement, RemoteView | null>;
  onStats(stats: ViewStats): void;
}

const STATUS_CLEARS_MS = 6_000;
let instances = 0;

export class RemoteView extends Component<RemoteViewProps, ViewState> {
  readonly sessionId: string;
  readonly videoRef = createRef<HTMLVideoElement>();
  #stageRef = createRef<HTMLDivElement>();
  #overlayRef = createRef<HTMLCanvasElement>();
  #cursorFrameRef = createRef<HTMLDivElement>();
  #cursorRef = createRef<HTMLCanvasElement>();
  #previewRef = createRef<HTMLCanvasElement>();
  #t: Translate;
  #uid = `rv${++instances}`;
  #number = new Intl.NumberFormat(document.documentElement.lang || undefined, {
    maximumFractionDigits: 1,
  });
  #socket: ViewerSocket;
  #peer: VideoPeer;
  #stats = new StatsTracker();
  /** Asks again (keyframe, a new offer) while no picture comes (picture_watch.ts). */
  #pictureWatch = new PictureWatch();
  #stage = new Stage({
    state: () => this.state,
    setState: (change) => this.setState(change),
    send: (message) => this.#send(message),
    video: () => this.videoRef.current,
    stage: () => this.#stageRef.current,
    overlay: () => this.#overlayRef.current,
    cursorFrame: () => this.#cursorFrameRef.current,
    cursor: () => this.#cursorRef.current,
    preview: () => this.#previewRef.current,
  });
  /** The technician stopped the view here: a session-wide view does not restart it. */
  #stopped = false;
  #unmounted = false;
  #statsTimer: ReturnType<typeof setInterval> | undefined;
  #statusTimer: ReturnType<typeof setTimeout> | undefined;
  #resizeObserver = new ResizeObserver(() => this.#stage.measure());
  #clip: ClipboardSync;

  constructor(props: RemoteViewProps) {
    super(props);
    props.registry.set(props.el, this);
    this.sessionId = props.mount.session;
    this.#t = translator(props.mount.labels);
    this.state = { ...INITIAL_STATE, clipSync: props.mount.clipboardSync !== false };
    this.#clip = new ClipboardSync({
      state: () => this.state,
      canClipboard: props.mount.canClipboard,
      send: (text) => this.#send({ type: "clipboard", text }),
      clipboard: () => navigator.clipboard,
      hasFocus: () => document.hasFocus(),
      mayRead: clipboardReadAllowed,
    });
    this.#socket = new ViewerSocket(socketUrl(props.mount.ws, location), {
      open: () =>
        this.setState((s) => ({
          connected: true,
          refused: false,
          status: s.status?.connection ? null : s.status,
        })),
      message: (message) => this.#receive(message),
      close: (reason, moved, refused) => this.#socketClosed(reason, moved, refused),
    });
    this.#peer = new VideoPeer({
      track: (track) => {
        const video = this.videoRef.current!;
        video.srcObject = new MediaStream([track]);
        video.play().catch(() => {});
        this.#stats.lastFrameAt = performance.now();
      },
      answer: (sdp, id) => this.#send({ type: "answer", sdp, id }),
      connected: () => this.#stats.lastFrameAt = performance.now(),
      failed: (error) => {
        if (error) console.warn("remote view: offer refused", error);
        this.setStatus(this.#t("videoFailed"), true);
      },
    });
  }

  override componentDidMount() {
    this.#socket.start();
    this.#statsTimer = setInterval(() => this.#collectStats(), 1000);
    document.addEventListener("fullscreenchange", this.#onFullscreen);
    globalThis.addEventListener("focus", this.#onWindowFocus);
    this.#resizeObserver.observe(this.#stageRef.current!);
    const video = this.videoRef.current!;
    video.muted = true;
    video.addEventListener("resize", this.#onVideoResize);
    video.addEventListener("loadeddata", this.#onVideoResize);
    this.#syncRoot();
  }

  override componentDidUpdate(_props: RemoteViewProps, prev: ViewState) {
    this.#syncRoot();
    if (prev.mode !== this.state.mode || prev.screen !== this.state.screen) this.#stage.measure();
    if (prev.control === "granted" && this.state.control !== "granted") {
      this.#stage.releaseAll(false);
    }
    // The picture paused while keys were held (Win+L locks the screen with Win down): they are
    // let go on the customer's computer now, not left pressed until control comes back.
    if (!capturePaused(prev) && capturePaused(this.state) && prev.control === "granted") {
      this.#stage.releaseAll(true, prev);
    }
    if (prev.layout !== this.state.layout) this.#stage.releaseAll(true);
    // Control (and with it the clipboard) just granted, or sync switched on: the technician's
    // clipboard goes over as it is now.
    const syncing = (s: ViewState) => s.clipboard === "granted" && s.clipSync;
    if (!syncing(prev) && syncing(this.state)) void this.#clip.offer();
    if (prev.whiteboard && !this.state.whiteboard) this.#stage.drawing.up();
    // The customer's screen no longer shows them (whiteboard off, picture or socket gone).
    // (The laser's dot, if on, is drawn again at the pointer's next move.)
    const pictureGone = placeholderKey(prev) === null && placeholderKey(this.state) !== null;
    if ((prev.whiteboard && !this.state.whiteboard) || pictureGone) this.#stage.preview.clear();
    if (pictureGone) this.#stage.preview.othersGone(); // the server says them again
    else if (prev.laser && !this.state.laser) this.#stage.preview.model.laser(null);
    this.#stage.update();
  }

  override componentWillUnmount() {
    this.#unmounted = true;
    clearInterval(this.#statsTimer);
    clearTimeout(this.#statusTimer);
    this.#stage.dispose();
    document.removeEventListener("fullscreenchange", this.#onFullscreen);
    globalThis.removeEventListener("focus", this.#onWindowFocus);
    this.#resizeObserver.disconnect();
    this.#socket.stop();
    const fullscreen = document.fullscreenElement === this.props.el;
    if (fullscreen) keyboardLock()?.unlock();
    this.#closePeer();
    if (fullscreen) document.exitFullscreen().catch(() => {});
  }

  /** The status line; a success clears itself after a while, a refusal stays until the next.
   * `automatic`: the island's own notice, which does not hide a fresh error. */
  setStatus = (text: string, error = false, automatic = false) => {
    if (this.#unmounted) return;
    const now = performance.now();
    if (automatic && !automaticNoticeMayReplace(this.state.status, now)) return;
    clearTimeout(this.#statusTimer);
    const status = text ? { text, error, at: now } : null;
    this.setState({ status });
    if (status && !error) {
      this.#statusTimer = setTimeout(() => {
        if (this.state.status === status) this.setState({ status: null });
      }, STATUS_CLEARS_MS);
    }
  };

  /** Mirrors the state CSS needs onto the mount element (data attributes, no inline style). */
  #syncRoot() {
    const { dataset } = this.props.el;
    dataset.mode = this.state.mode;
    dataset.control = this.state.control;
    dataset.view = this.state.view;
    dataset.agent = agentMissing(this.state)
      ? "missing"
      : screenUnavailable(this.state)
      ? "noscreen"
      : "connected";
  }

  /** The workspace (static/workspace.js) puts an invitation to the support app in the chat. */
  #invite = () => {
    const detail = { sessionId: this.sessionId };
    this.props.el.dispatchEvent(new CustomEvent("remote:invite", { bubbles: true, detail }));
  };

  /** What went out to the customer's screen also shows at once in the preview (stage.ts). */
  #send = (message: ViewerInput) => {
    const sent = this.#socket.send(message);
    if (sent) this.#stage.preview.sent(message);
    return sent;
  };
  #sendControl = (message: ViewerInput) => void this.#send(message);

  #receive(message: ViewerMessage) {
    switch (message.type) {
      case "state": {
        const { next, closePeer, watch } = applyServerState(this.state, message, {
          stopped: this.#stopped,
          canView: this.props.mount.canView,
        });
        if (closePeer) this.#closePeer();
        if (watch && this.#send({ type: "view", on: true })) next.watching = true;
        return this.setState(next);
      }
      case "offer":
        this.#closePeer();
        this.#pictureWatch.offered(performance.now());
        return void this.#peer.answer(message.sdp, message.id);
      case "control_owner":
        if (message.owner === "elsewhere" || message.owner === "other") {
          this.#stage.releaseAll(false);
        }
        if (
          message.owner === "here" && this.state.controlOwner !== "here" &&
          this.state.controlOwner !== "none"
        ) {
          this.setStatus(this.#t("controlTaken"));
        }
        return this.setState({
          controlOwner: message.owner,
          controlHolder: message.holder ?? null,
          controlAsking: message.asking ?? null,
          controlOthers: message.others ?? [],
        });
      case "cursor":
        return this.#stage.cursor.receive(message.cursor);
      case "laser": // another technician's laser (this window's own is painted as it points)
        return this.#stage.preview.othersLaser(message.by, message.name, message.at);
      case "clipboard":
        this.setState({ remoteClip: message.text });
        return this.#clip.received(message.text);
      case "error":
        if (message.code === "ctrl_alt_del_refused") {
          return this.setStatus(this.#t("ctrlAltDelRefused"), true);
        }
        return this.setStatus(message.reason || message.code || this.#t("error"), true);
    }
  }

  #socketClosed(reason: string, moved: boolean, refused: boolean) {
    this.#stage.releaseAll(false);
    this.#stage.cursor.receive(null); // the server says it again on the next socket
    this.#stage.preview.othersGone();
    // The server ties our peer and our "watching" to the socket: both end with it.
    this.#closePeer();
    // Moved to the server instance that holds the support app: back in a moment, no alarm.
    if (moved) return this.setState({ connected: false, agent: null, watching: false });
    this.setState((s) => closedState(s, { reason, refused }, this.#t));
  }

  #closePeer() {
    this.#peer.close();
    this.#stats.reset();
    const video = this.videoRef.current;
    if (video?.srcObject) video.srcObject = null;
    if (this.state.hasVideo && !this.#unmounted) this.setState({ hasVideo: false });
  }

  async #collectStats() {
    const pc = this.#peer.connection;
    const inbound = await this.#peer.inboundVideo();
    if (this.#unmounted || pc !== this.#peer.connection) return;
    const video = this.videoRef.current;
    const { stats, wantKeyframe } = this.#stats.sample(inbound, {
      sessionId: this.sessionId,
      at: Date.now(),
      now: performance.now(),
      rttMs: this.#socket.rttMs,
      video: { width: video?.videoWidth ?? 0, height: video?.videoHeight ?? 0 },
      connection: pc?.connectionState ?? null,
      // A paused capture sends no frames: a stall then is no reason to ask for a keyframe.
      viewGranted: this.state.view === "granted" && !capturePaused(this.state),
    });
    if (wantKeyframe) this.#send({ type: "keyframe" });
    const s = this.state;
    const ask = this.#pictureWatch.sample({
      now: performance.now(),
      wanted: s.watching && s.view === "granted" && s.agent === "connected" && s.connected &&
        !capturePaused(s),
      picture: (inbound?.framesDecoded ?? 0) > 0 || s.hasVideo,
      connection: pc?.connectionState ?? null,
    });
    if (ask === "keyframe" && !wantKeyframe) this.#send({ type: "keyframe" });
    if (ask === "reoffer" && this.#send({ type: "reoffer" })) {
      this.setStatus(this.#t("pictureRetry"), false, true);
    }
    this.props.onStats(stats);
    this.setState({ stats });
  }

  #onVideoResize = () => {
    const video = this.videoRef.current!;
    const hasVideo = video.videoWidth > 0 && video.videoHeight > 0;
    if (hasVideo !== this.state.hasVideo) this.setState({ hasVideo });
    this.#stage.measure();
  };

  /**
   * Back from another program or tab (the window's focus), or into the screen from elsewhere on
   * this page (the stage's: say a line copied from the chat): what was copied there goes to the
   * customer's clipboard, with sync on, before the technician pastes it.
   */
  #onWindowFocus = () => void this.#clip.offer();

  #onFullscreen = () => {
    const fullscreen = document.fullscreenElement === this.props.el;
    this.setState({ fullscreen });
    if (fullscreen) keyboardLock()?.lock().catch(() => {});
    else keyboardLock()?.unlock();
  };

  #actions = toolbarActions({
    state: () => this.state,
    setState: (change) => this.setState(change),
    send: this.#send,
    t: (key, vars) => this.#t(key, vars),
    setStatus: this.setStatus,
    el: this.props.el,
    mount: this.props.mount,
    stage: this.#stage,
    stats: this.#stats,
    video: () => this.videoRef.current,
    closePeer: () => this.#closePeer(),
    setStopped: (stopped) => this.#stopped = stopped,
    mounted: () => !this.#unmounted,
  });

  render(props: RemoteViewProps, s: ViewState) {
    const t = this.#t;
    const uid = this.#uid;
    const size = this.#stage.screenSize();
    const videoStyle = s.mode === "actual" && size
      ? { width: `${size.width}px`, height: `${size.height}px` }
      : { width: "", height: "" };
    const placeholder = placeholderKey(s);
    const paused = capturePaused(s);
    const isControlling = controlling(s);
    return (
      <>
        <FittedToolbar
          t={t}
          uid={uid}
          state={s}
          mount={props.mount}
          lensAvailable={this.#stage.lensAvailable(s)}
          fullscreenEnabled={document.fullscreenEnabled}
          actions={this.#actions}
        />
        {props.mount.canView && !props.mount.monitor && (
          // A monitoring admin watches the drawings in the picture; the pen is not theirs.
          <WhiteboardBar t={t} state={s} actions={this.#actions} />
        )}
        <StatusLine t={t} state={s} />
        <ControlPanel
          t={t}
          state={s}
          send={this.#sendControl}
          lead={props.mount.lead === true}
          monitor={props.mount.monitor === true}
          canControl={props.mount.canControl}
        />
        <InvitePanel t={t} state={s} onInvite={props.mount.detached ? undefined : this.#invite} />
        <NoScreenPanel t={t} state={s} />
        <div
          ref={this.#stageRef}
          class={`rv-stage rv-screen${isControlling ? " is-controlling" : ""}${
            drawing(s) ? " is-drawing" : ""
          }${stalePicture(s) ? " is-stale" : ""}${paused ? " is-paused" : ""}`}
          tabIndex={0}
          role="application"
          aria-label={t("screen")}
          aria-describedby={`${uid}-hint`}
          {...this.#stage.handlers}
          onFocus={this.#onWindowFocus}
        >
          <video
            ref={this.videoRef}
            class="rv-video"
            muted
            autoplay
            playsInline
            disablePictureInPicture
            style={videoStyle}
          />
          <div ref={this.#cursorFrameRef} class="rv-cursor" hidden style={CURSOR_FRAME_STYLE}>
            <canvas ref={this.#cursorRef} aria-hidden="true" style={CURSOR_IMAGE_STYLE} />
          </div>
          {/* Under the magnifier's canvas, which draws this one into its lens. */}
          <canvas
            ref={this.#previewRef}
            class="rv-preview"
            hidden
            aria-hidden="true"
            style={PREVIEW_STYLE}
          />
          <canvas ref={this.#overlayRef} class="rv-overlay" aria-hidden="true" />
          <p class="rv-placeholder" hidden={!placeholder} role={paused ? "alert" : undefined}>
            {placeholder ? t(placeholder) : ""}
            {paused && <span class="rv-placeholder-more">{t("captureResumes")}</span>}
          </p>
          <span id={`${uid}-hint`} class="visually-hidden">
            {t(isControlling ? "keyboardHint" : "viewOnlyHint")}
          </span>
        </div>
        <StatsLine t={t} state={s} format={(n) => this.#number.format(n)} />
        <ClipboardPanel
          t={t}
          uid={uid}
          state={s}
          canClipboard={props.mount.canClipboard}
          send={(text) => {
            const sent = this.#send({ type: "clipboard", text });
            if (sent) this.#clip.sent(text);
            return sent;
          }}
          setStatus={this.setStatus}
          setSync={(clipSync) => this.setState({ clipSync })}
        />
      </>
    );
  }
}
