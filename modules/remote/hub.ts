// Over 400 lines on purpose: RemoteSession's consent, peer and input paths share its state; the registry, quality choice and link types are already in their own files.
/**
 * The live state of remote view and control, one `RemoteSession` per support session with
 * an agent: the agent's link, what the customer has granted, the customer's open prompts,
 * and the technicians watching (each with its own WebRTC peer). In memory by nature — a
 * restart drops the agent's socket and the agent reconnects and says again what it allows.
 *
 * Consent has three guards: the technician needs the group permission (checked by the
 * routes), the customer answers in the agent's own window (never through this server: the
 * server only hears the result, as the agent's `consent`), and the agent itself refuses
 * anything the customer has not granted. The server also refuses input while control is
 * not granted, so a refused keystroke never leaves it.
 * Every consent decision is `decideConsent()` (consent.ts); this file acts on its moves.
 */
import type {
  AgentPresence,
  Capability,
  CapturePauseReason,
  CursorState,
  MediaFrame,
  QualityPreset,
  ScreenInfo,
  ServerMessage,
  VideoCodec,
  ViewerMessage,
  WhiteboardMessage,
} from "../../protocol/mod.ts";
import { chooseCodec, offerCodec, peerOutdated, sameCodec } from "./codec_choice.ts";
import { type RelayCodec, ViewerPeer } from "./relay.ts";
import { AutoQuality } from "./quality.ts";
import { ControlOwners } from "./control_owner.ts";
import { CursorRelay } from "./cursor_relay.ts";
import { WhiteboardState } from "./whiteboard.ts";
import { mayEndControl } from "../../protocol/viewer.ts";
import {
  agentGone,
  allows,
  type Consent,
  type ConsentChange,
  type ConsentEvent,
  type ConsentState,
  decideConsent,
  NO_CONSENT,
  type RemoteCapability,
} from "./consent.ts";
import type { AgentLink, CustomerView, RemoteEvent, ViewerLink } from "./session_links.ts";
import type { FrameRecorder } from "./recorder_slot.ts";

export type { AgentPresence, ConsentState, RemoteCapability, ViewerMessage };
export type { AgentLink, CustomerView, RemoteEvent, ViewerLink };

const KEYFRAME_GAP_MS = 300;
/** Remote view or control in use keeps the session from timing out for inactivity. */
const ACTIVITY_EVERY_MS = 30_000;
const AUTO_EVERY_MS = 2_000;
/** How long view and control outlive the last viewer's socket. */
export const VIEWER_GRACE_MS = 10_000;
/** A viewer's peer younger than this is not replaced on the island's asking (`reoffer`). */
export const REOFFER_GAP_MS = 2_000;

export class RemoteSession {
  agent: AgentLink | null = null;
  presence: AgentPresence = "absent";
  screen: { width: number; height: number } | null = null;
  keyboard: string | null = null;
  /** The customer's screens (monitors) when there are several, and the one shown (null: all). */
  screens: ScreenInfo[] = [];
  currentScreen: string | null = null;
  /** The agent cannot capture the screen now, and why (its `capture`); null: it can. */
  capturePaused: CapturePauseReason | null = null;
  #consent: Consent = NO_CONSENT;
  /** What the customer allows and is being asked, as the agent reported it (consent.ts). */
  get consent(): Consent {
    return this.#consent;
  }
  quality: QualityPreset = "auto";
  /** The agent was asked to send the pointer apart from the picture (cursor_relay.ts). */
  get cursorApart(): boolean {
    return this.#cursor.separate;
  }
  /** The codec the picture's frames come in now (relay.ts). */
  codec: RelayCodec = { name: "vp8" };
  /** A technician asked the browser-sharing customer to switch to the support app. */
  switchAsked = false;
  /** The codec the agent was told to encode in (codec_choice.ts); a new agent starts in VP8. */
  #agentCodec: VideoCodec = "vp8";
  /** The codec the agent was told and has not sent a frame in yet (null: none): new peers get it. */
  #nextCodec: VideoCodec | null = null;
  /** The last `quality` sent to the agent, as "preset auto|fixed" (null: none yet). */
  #sentPreset: string | null = null;
  readonly viewers = new Set<ViewerLink>();
  /** Which viewer drives (one per session, passed explicitly: control_owner.ts). */
  readonly #owners = new ControlOwners<ViewerLink>(() => this.#tellCustomer());
  /** The customer's pointer apart from the picture, when every viewer draws it (cursor_relay.ts). */
  readonly #cursor = new CursorRelay();
  /** The technician's whiteboard and laser on the customer's screen (whiteboard.ts). */
  readonly #whiteboard = new WhiteboardState();
  readonly customerListeners = new Set<(view: CustomerView) => void>();
  /** Who asked last for each capability (named to the customer). */
  readonly #askedBy = new Map<RemoteCapability, string>();
  /** Who asked for control: holds it once the customer allows it (when still here and free). */
  #controlAsker: ViewerLink | null = null;
  #lastKeyframeAsk = 0;
  /** Offers made so far: each viewer peer's id, echoed in the island's answer. */
  #offers = 0;
  #autoTimer: ReturnType<typeof setInterval> | undefined;
  /** Automatic's controller (quality.ts): fed every AUTO_EVERY_MS while viewers watch. */
  readonly #auto = new AutoQuality();
  framesIn = 0;
  bytesIn = 0;
  /** Frames (and their bytes) handed on to viewers' peers, summed over viewers. */
  framesOut = 0;
  bytesOut = 0;
  /** The screen recorder (recorder_slot.ts): fed the frames the viewers get, view granted. */
  recorder: FrameRecorder | null = null;
  /** What the agent's window was last told of the recording (`recording`). */
  #toldRecording = false;
  /** The technician's own screen as the customer's page shows it (present_routes.ts). */
  presenting: CustomerView["presenting"] = null;
  /** Hook for the log: set by the routes that own the database side. */
  onEvent: (event: RemoteEvent) => void = () => {};
  /** Called at most every `ACTIVITY_EVERY_MS` while the picture flows or input arrives. */
  onActivity: () => void = () => {};
  #lastActivity = 0;

  constructor(
    readonly orgId: string,
    readonly sessionId: string,
    private hostAddresses: string[],
  ) {}

  // --- the agent side ---------------------------------------------------------------------

  agentAttached(
    link: AgentLink,
    screen: { width: number; height: number },
    keyboard: string | null = null,
    codec: RelayCodec = { name: "vp8" },
  ) {
    // The new link first: the replaced one sees it is no longer the session's as it closes.
    const replaced = this.agent;
    this.agent = link;
    replaced?.close(4409, "replaced by a newer connection");
    this.switchAsked = false;
    if (replaced?.viewOnly && !link.viewOnly) this.#switchedToAgent();
    // A new link starts in its own codec: what the last one was told no longer comes.
    this.#nextCodec = null;
    this.#setCodec(codec);
    this.screen = screen;
    this.keyboard = keyboard;
    this.screens = [];
    this.currentScreen = null;
    this.capturePaused = null; // a new link says it again while it lasts
    this.presence = "connected";
    this.#sentPreset = null;
    this.#applyQuality();
    this.#agentCodec = "vp8";
    this.#chooseCodec();
    this.#cursor.attached(link, this.viewers, this.recorder?.recording === true);
    this.#toldRecording = false; // a new link's window has heard nothing yet
    this.#toldPresenting = undefined;
    this.#tellAgentPresenting();
    this.#whiteboard.reset(this.viewers); // a new link shows no drawings: the agent removed them
    this.#changed();
  }

  /** False on an unattended session whose approval left the screen out (limitToApproval). */
  #screenApproved = true;

  /** Whether the customer's unattended approval lets technicians ask for view and control. */
  limitScreen(approved: boolean) {
    this.#screenApproved = approved;
  }

  /**
   * The agent is attached nowhere but dropped rather than quit (said by the log, because it
   * last lived on another instance): viewers here see "reconnecting", as they would there.
   */
  agentAway() {
    if (this.agent || this.presence !== "absent") return;
    this.presence = "reconnecting";
    this.#changed();
  }

  agentDetached(link: AgentLink) {
    if (this.agent !== link) return;
    this.agent = null;
    this.presence = "reconnecting";
    this.#consent = agentGone(this.#consent);
    this.#changed();
  }

  /** A link that will not come back (a browser share that stopped): absent, not reconnecting. */
  agentLeft(link: AgentLink) {
    if (this.agent !== link) return;
    this.agentDetached(link);
    this.presence = "absent";
    this.#changed();
  }

  /** The agent put a technician's request in front of the customer (in its own window). */
  agentAsks(capability: Capability) {
    if (capability !== "view" && capability !== "control") return;
    if (this.#decide(capability, "agent_asks")) this.#changed();
  }

  /** The agent's word on what it now allows (after the customer's answer, or a revoke). */
  agentConsent(capability: Capability, granted: boolean) {
    if (capability !== "view" && capability !== "control") return;
    const was = this.#consent[capability];
    if (!this.#decide(capability, granted ? "agent_grants" : "agent_withholds")) return;
    this.onEvent({ kind: "answered", capability, granted, was });
    if (capability === "control") {
      // The technician who asked drives now; nobody else's island may say "you are controlling".
      const asker = this.#controlAsker;
      this.#controlAsker = null;
      if (granted && asker && this.viewers.has(asker)) this.#owners.claim(asker, this.viewers);
    }
    if (capability === "view") {
      // Withheld: the islands drop their peers on this state, so ours go too — a grant later
      // must offer afresh, not find an old peer in place and offer nothing.
      for (const viewer of this.viewers) {
        if (viewer.watching && granted) this.#connect(viewer);
        else this.#disconnect(viewer);
      }
    }
    this.#changed();
  }

  /** The agent's screens (monitors) and the one it shows. */
  agentScreens(list: ScreenInfo[], current: string | null) {
    this.screens = list;
    this.currentScreen = current;
    this.#changed();
  }

  /**
   * The agent's word that the screen cannot be captured (`reason`), or can again (null): every
   * viewer's island says the picture is not live meanwhile, and the log has each change.
   */
  agentCapture(reason: CapturePauseReason | null, detail = "") {
    if (reason === this.capturePaused) return;
    this.capturePaused = reason;
    this.recorder?.captureChanged?.(reason);
    this.onEvent({ kind: "capture", paused: reason, detail });
    this.#changed();
  }

  /** The customer's pointer, sent apart from the picture: to every viewer that gets the picture. */
  agentCursor(state: CursorState) {
    if (!allows(this.#consent, "view")) return;
    this.#cursor.fromAgent(state, this.viewers);
  }

  agentClipboard(text: string) {
    if (!allows(this.#consent, "control")) return;
    for (const viewer of this.viewers) viewer.send({ type: "clipboard", text });
  }

  agentRefused(of: string, reason: string) {
    // Ctrl-Alt-Del that nothing on the customer's desktop answers: the island says so in words.
    const code = of === "ctrlAltDel" ? "ctrl_alt_del_refused" : "agent_refused";
    for (const viewer of this.viewers) {
      viewer.send({ type: "error", code, reason: `${of}: ${reason}` });
    }
  }

  media(frame: MediaFrame) {
    if (frame.codec !== this.codec.name) this.#setCodec({ name: frame.codec });
    this.framesIn++;
    this.bytesIn += frame.data.byteLength;
    if (!allows(this.#consent, "view")) return;
    this.#active();
    this.recorder?.frame(frame);
    if (frame.width !== this.screen?.width || frame.height !== this.screen?.height) {
      this.screen = { width: frame.width, height: frame.height };
      this.#changed();
    }
    for (const viewer of this.viewers) {
      const peer = viewer.peer;
      // A peer offered the codec the agent switches to waits for its first frame in it.
      if (!peer || peer.codec.name !== frame.codec) continue;
      const sent = peer.framesSent;
      peer.send(frame);
      if (peer.framesSent === sent) continue; // skipped: a slow viewer or one not yet connected
      this.framesOut++;
      this.bytesOut += frame.data.byteLength;
    }
  }

  // --- the technician side ----------------------------------------------------------------

  join(viewer: ViewerLink) {
    this.viewers.add(viewer);
    viewer.send(this.#state());
    this.#owners.tellAll(this.viewers);
    this.#tellCustomer();
    if (viewer.watching && allows(this.#consent, "view")) this.#connect(viewer);
    this.#startAuto();
    this.#chooseCodec();
    this.#chooseCursor();
  }

  /**
   * The codecs `viewer`'s browser decodes (its island's `codecs`): the agent may be told to
   * switch (H.264 once every viewer can, VP8 as soon as one cannot). `cursor`: its island
   * draws the customer's pointer itself (the agent sends it apart once every viewer does).
   */
  viewerCodecs(viewer: ViewerLink, codecs: readonly VideoCodec[], cursor = false) {
    viewer.codecs = [...codecs];
    viewer.cursor = cursor;
    if (!this.viewers.has(viewer)) return;
    this.#chooseCodec();
    this.#chooseCursor();
  }

  /**
   * A viewer's socket closed. If nobody watches any more, view and control end after a
   * grace (a reloaded panel or a network blip reconnects within it and keeps the consent).
   */
  leave(viewer: ViewerLink) {
    this.viewers.delete(viewer);
    this.#whiteboard.left(viewer, this.agent, this.viewers);
    this.#owners.release(viewer, this.viewers);
    this.#owners.tellAll(this.viewers);
    this.#tellCustomer();
    this.#disconnect(viewer);
    this.#chooseCodec();
    this.#chooseCursor();
    if (this.viewers.size === 0) this.#stopAuto();
    if (this.#technicianWatches()) return;
    clearTimeout(this.#leaveTimer);
    this.#leaveTimer = setTimeout(() => {
      if (!this.#technicianWatches()) this.#stopAll(null);
    }, VIEWER_GRACE_MS);
  }
  #leaveTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Desktop view on/off for this viewer (off for the last watcher ends view and control). An
   * app that shares no screen is never asked (`no_desktop`).
   */
  setWatching(viewer: ViewerLink, on: boolean): string | null {
    if (on && this.agent?.noDesktop) return "no_desktop";
    viewer.watching = on;
    if (!on) {
      this.#disconnect(viewer);
      // A monitoring admin looking away ends nothing; the last technician does.
      if (!viewer.monitor && !this.#technicianWatches()) this.#stopAll(viewer);
      return null;
    }
    if (allows(this.#consent, "view")) {
      this.#connect(viewer);
      this.#whiteboard.watching(viewer); // a dot at rest shows before it next moves
      return null;
    }
    // A monitoring admin sees what the technician sees: it never asks the customer.
    if (viewer.monitor) return null;
    return this.#request("view", viewer);
  }

  /** Remote control on/off (off keeps the view). */
  setControl(viewer: ViewerLink, on: boolean): string | null {
    if (!on) {
      // Only the holder ends control (or anyone while nobody holds it): another window of the
      // holder's technician takes it first; another technician asks, or as lead takes it back.
      const owner = this.#owners.ownerFor(viewer);
      if (!mayEndControl(owner)) {
        return owner === "elsewhere" ? "control_elsewhere" : "control_end_not_holder";
      }
      this.#end("control", viewer);
      return null;
    }
    if (viewer.monitor) return "control_monitor";
    if (this.agent?.noDesktop) return "no_desktop";
    // Asking for control is watching too (the island counts itself as watching from here),
    // also when another technician holds control and this one only gets the picture.
    viewer.watching = true;
    if (allows(this.#consent, "view")) this.#connect(viewer);
    if (allows(this.#consent, "control")) {
      const refused = this.#owners.claim(viewer, this.viewers);
      if (refused) return refused;
    }
    return this.#request("control", viewer);
  }

  /**
   * Passes input on when control is granted and `from` holds it (control_owner.ts); otherwise
   * says why not.
   */
  input(message: ServerMessage, from: ViewerLink): string | null {
    if (!this.agent) return "agent_absent";
    if (!allows(this.#consent, "control")) return "control_not_granted";
    // "No control while on" (SPEC R4): the pointer draws, keys are not sent.
    if (this.#whiteboard.on) return "whiteboard_on";
    const refused = this.#owners.claim(from, this.viewers);
    if (refused) return refused;
    this.agent.send(forAgent(message, this.agent));
    this.#active();
    return null;
  }

  /**
   * Control moves to `viewer`: from another window of the same technician, or — for the
   * session's lead — from whoever holds it.
   */
  takeControl(viewer: ViewerLink, opts: { lead: boolean } = { lead: false }): string | null {
    if (!allows(this.#consent, "control")) return "control_not_granted";
    return this.#owners.take(viewer, this.viewers, opts);
  }

  /** `viewer` asks the technician holding control for it. */
  requestControl(viewer: ViewerLink): string | null {
    if (!allows(this.#consent, "control")) return "control_not_granted";
    return this.#owners.request(viewer, this.viewers);
  }

  /** The holder gives control to another technician (who asked, or of its choice). */
  giveControl(viewer: ViewerLink, toUserId: string): string | null {
    if (!allows(this.#consent, "control")) return "control_not_granted";
    return this.#owners.give(viewer, toUserId, this.viewers);
  }

  /** The holder keeps control: the open request is declined. */
  declineControl(viewer: ViewerLink): string | null {
    return this.#owners.decline(viewer, this.viewers);
  }

  /** Who holds control now (the customer's page names them). */
  get controlHolder(): ViewerLink | null {
    return this.#owners.holder;
  }

  /**
   * The island's answer to offer `id`, applied only to the peer that made that offer (true). A
   * peer replaced meanwhile — view off and on, a codec or consent change, a `reoffer` — must not
   * take its predecessor's answer: that carries the DTLS fingerprint and ICE credentials of a
   * browser peer the island has closed, and the current offer's answer would then be refused.
   */
  async answer(viewer: ViewerLink, sdp: string, id: number): Promise<boolean> {
    const peer = viewer.peer;
    if (!peer || peer.id !== id) return false;
    await peer.answer(sdp);
    return true;
  }

  /**
   * The island watches and saw no picture for seconds (an answer lost, a connection that never
   * came up, an island and a server that disagree on whether it watches): a new peer and offer
   * for this viewer, which watches from now. Never a question to the customer: refused while
   * view is not granted, and for a peer younger than `REOFFER_GAP_MS` (it may still be
   * connecting; a confused island cannot churn peers).
   */
  reoffer(viewer: ViewerLink, now = performance.now()): "not_granted" | "too_soon" | null {
    if (!allows(this.#consent, "view")) return "not_granted";
    if (viewer.peer && now - viewer.peer.createdAt < REOFFER_GAP_MS) return "too_soon";
    viewer.watching = true;
    this.#disconnect(viewer);
    this.#connect(viewer);
    return null;
  }

  setQuality(preset: QualityPreset) {
    this.quality = preset;
    this.#applyQuality();
    this.#changed();
  }

  /** Shows one of the customer's screens, or all (null); a refusal code when it cannot. */
  setScreen(id: string | null): "agent_absent" | "no_screen" | null {
    if (!this.agent) return "agent_absent";
    if (id !== null && !this.screens.some((screen) => screen.id === id)) return "no_screen";
    this.agent.send({ type: "screen", id });
    return null;
  }

  wantKeyframe() {
    const now = performance.now();
    if (!this.agent) return;
    const wait = KEYFRAME_GAP_MS - (now - this.#lastKeyframeAsk);
    if (wait > 0) {
      // A second viewer connecting just after the first (a monitoring admin's, a colleague's)
      // may have missed the keyframe the first one got: ask once more when the gap ends, or on
      // a still screen it waits for the picture until something moves.
      this.#keyframeLater ??= setTimeout(() => {
        this.#keyframeLater = undefined;
        this.wantKeyframe();
      }, wait);
      return;
    }
    this.#lastKeyframeAsk = now;
    this.agent.send({ type: "keyframe" });
  }
  #keyframeLater: ReturnType<typeof setTimeout> | undefined;

  // --- the customer side ------------------------------------------------------------------

  customerView(): CustomerView {
    const holder = allows(this.#consent, "control") ? this.#owners.holder : null;
    const technicians = new Map<string, CustomerView["technicians"][number]>();
    for (const viewer of this.viewers) {
      const known = technicians.get(viewer.userId);
      technicians.set(viewer.userId, {
        name: viewer.name,
        controls: (known?.controls ?? false) || holder === viewer,
        monitor: viewer.monitor === true,
      });
    }
    return {
      agent: this.presence,
      asks: this.#consent.asking.map((capability) => ({
        capability,
        technician: this.#askedBy.get(capability) ?? "",
      })),
      view: this.#consent.view,
      control: this.#consent.control,
      technicians: [...technicians.values()],
      browserShare: this.agent?.viewOnly === true,
      shareId: this.agent?.shareId ?? null,
      recording: this.recorder?.recording === true,
      drawing: this.#whiteboard.on,
      switchAsked: this.switchAsked && this.agent?.viewOnly === true,
      presenting: this.presenting,
    };
  }

  /** The customer takes back what they granted; effective here at once, then at the agent. */
  customerRevoke(capability: RemoteCapability) {
    for (const { capability: target } of this.#decide(capability, "customer_revokes") ?? []) {
      this.agent?.send({ type: "revoke", capability: target });
      this.onEvent({ kind: "revokedByCustomer", capability: target });
      if (target === "view") { for (const viewer of this.viewers) this.#disconnect(viewer); }
    }
    this.#changed();
  }

  /** A technician asks the browser-sharing customer to use the support app (for control). */
  askSwitchToAgent(by: ViewerLink | { userId: string; name: string }): string | null {
    if (!this.agent?.viewOnly) return "no_browser_share";
    this.switchAsked = true;
    this.onEvent({ kind: "switchAsked", by });
    this.#changed();
    return null;
  }

  /**
   * The whiteboard and laser (SPEC R4, whiteboard.ts): passed to the agent while the customer
   * shares the screen; the whiteboard going on or off is logged and every viewer hears it.
   */
  draw(message: WhiteboardMessage, from: ViewerLink): string | null {
    const { refused, changed } = this.#whiteboard.relay(message, from, {
      agent: this.agent,
      viewGranted: allows(this.#consent, "view"),
      viewers: this.viewers,
    });
    if (refused) return refused;
    if (changed) {
      this.onEvent({ kind: "whiteboard", on: this.#whiteboard.on, by: from });
      this.#changed();
    }
    if (message.type === "stroke") this.#active();
    return null;
  }

  /** The customer removed the drawings in the agent's window (its `whiteboard` off). */
  agentWhiteboardOff() {
    if (!this.#whiteboard.reset(this.viewers)) return;
    this.onEvent({ kind: "whiteboard", on: false, by: null });
    this.#changed();
  }

  /** The session is no longer worked (hold, transfer, end): view and control stop. */
  stopAll() {
    this.#stopAll(null);
  }

  /** The technician's own screen changed (offered, watched, ended): the customer's page hears. */
  presentingChanged(view: CustomerView["presenting"]) {
    this.presenting = view;
    this.#tellAgentPresenting();
    this.#tellCustomer();
  }

  /** Who the agent's window was last told shows their screen (undefined: nothing told yet). */
  #toldPresenting: string | null | undefined = undefined;

  /**
   * The customer's window on their computer says a technician shows their screen, and that it
   * is seen on the support page in the browser (where the app cannot show it), where it can.
   */
  #tellAgentPresenting() {
    const technician = this.presenting?.technician ?? null;
    if (!this.agent?.presentingNotice || technician === (this.#toldPresenting ?? null)) return;
    this.#toldPresenting = technician;
    this.agent.send({ type: "presenting", technician });
  }

  /** The recorder started or stopped writing: viewers and the customer's page say so. */
  recordingChanged() {
    this.#chooseCursor();
    this.#changed();
  }

  /** The pointer apart or in the picture (cursor_relay.ts): in it while recorded. */
  #chooseCursor() {
    this.#cursor.choose(this.agent, this.viewers, this.recorder?.recording === true);
  }

  close() {
    this.recorder?.close();
    clearTimeout(this.#leaveTimer);
    clearTimeout(this.#keyframeLater);
    this.#stopAll(null);
    for (const viewer of this.viewers) this.#disconnect(viewer);
    this.#stopAuto();
    // The agent is told to go; its socket closing next is no drop to reconnect from.
    this.agent = null;
    this.presence = "absent";
    this.#changed();
  }

  // --- inside -----------------------------------------------------------------------------

  /**
   * Tells the agent the codec every viewer decodes when that choice changed (codec_choice.ts).
   * Until its frames come in that codec, a peer made meanwhile is offered it already (a viewer
   * that cannot decode the old one sees its first offer through); `media` re-offers the others
   * when the first frame in it arrives (`#setCodec`).
   */
  #chooseCodec() {
    const codec = chooseCodec(this.agent, this.viewers);
    if (codec === this.#agentCodec || !this.agent) return;
    this.#agentCodec = codec;
    this.agent.send({ type: "codec", codec });
    this.#nextCodec = codec === this.codec.name ? null : codec;
    this.#offerAgain();
  }

  /** The frames' codec changed (a browser share, or the agent after `codec`). */
  #setCodec(codec: RelayCodec) {
    if (sameCodec(codec, this.codec)) return;
    this.codec = codec;
    if (this.#nextCodec === codec.name) this.#nextCodec = null;
    this.#offerAgain();
  }

  /** The frames' codecs, now and coming, for the viewers' peers (codec_choice.ts). */
  #pictureCodecs() {
    return { current: this.codec, next: this.#nextCodec };
  }

  /** Viewers whose peer is in a codec that neither comes now nor is about to: offered again. */
  #offerAgain() {
    for (const viewer of this.viewers) {
      if (!viewer.peer || !peerOutdated(viewer.peer.codec, this.#pictureCodecs())) continue;
      this.#disconnect(viewer);
      if (viewer.watching && allows(this.#consent, "view")) this.#connect(viewer);
    }
  }

  /**
   * The support app took a browser share's place: what the customer allowed in the browser
   * is not the app's to assume, so the app asks again in its own window for a technician
   * still watching; the log says the session switched.
   */
  #switchedToAgent() {
    this.#consent = NO_CONSENT;
    for (const viewer of this.viewers) this.#disconnect(viewer);
    this.onEvent({ kind: "switchedToAgent" });
    const watcher = [...this.viewers].find((v) => v.watching && !v.monitor);
    if (watcher) queueMicrotask(() => this.#request("view", watcher));
  }

  /** A technician (not a monitoring admin) still wants the picture. */
  #technicianWatches(): boolean {
    return [...this.viewers].some((v) => v.watching && !v.monitor);
  }

  #tellCustomer() {
    const view = this.customerView();
    for (const listener of this.customerListeners) listener(view);
  }

  #active() {
    const now = performance.now();
    if (now - this.#lastActivity < ACTIVITY_EVERY_MS && this.#lastActivity !== 0) return;
    this.#lastActivity = now;
    this.onActivity();
  }

  /** Applies one consent event: its moves, or null (and nothing changed) when refused. */
  #decide(capability: RemoteCapability, event: ConsentEvent): readonly ConsentChange[] | null {
    const decision = decideConsent(this.#consent, capability, event);
    if (!decision.ok) return null;
    this.#consent = decision.consent;
    return decision.changes;
  }

  #request(capability: RemoteCapability, viewer: ViewerLink): string | null {
    // Refused when already granted, or when the open control question covers view.
    const decision = decideConsent(this.#consent, capability, "request");
    if (!decision.ok) return null;
    if (!this.#screenApproved) return "not_approved";
    if (this.agent?.noDesktop) return "no_desktop";
    if (!this.agent) return "agent_absent";
    this.#askedBy.set(capability, viewer.name);
    if (capability === "control") this.#controlAsker = viewer;
    this.#consent = decision.consent;
    this.#ask(capability);
    this.onEvent({ kind: "requested", capability, by: viewer });
    this.#changed();
    return null;
  }

  /**
   * Puts the question to the agent. While view is not allowed yet (a question for view, or for
   * control, which includes it), an agent whose window can say it (`recordingAsked`) first
   * hears what the group's recording policy will do — read now, as the recorder reads it at
   * the grant — so the customer knows before answering (`request`'s `recording`).
   */
  #ask(capability: RemoteCapability) {
    const agent = this.agent!;
    const announce = this.recorder?.announcement;
    if (!agent.recordingAsked || !announce || allows(this.#consent, "view")) {
      agent.send({ type: "request", capability });
      return;
    }
    announce.call(this.recorder).catch(() => null).then((recording) => {
      // Still asked, of the same connection: a cancel or a new agent in between asks anew.
      if (this.agent !== agent || this.#consent[capability] !== "asked") return;
      agent.send({ type: "request", capability, ...(recording ? { recording } : {}) });
    });
  }

  #end(capability: RemoteCapability, by: ViewerLink | null) {
    if (!this.#decide(capability, "technician_ends")) return;
    if (capability === "control") this.#owners.releaseAll(this.viewers);
    this.agent?.send({ type: "revoke", capability });
    this.onEvent({ kind: "ended", capability, by });
    this.#changed();
  }

  #stopAll(by: ViewerLink | null) {
    this.#end("control", by);
    this.#end("view", by);
    for (const viewer of this.viewers) this.#disconnect(viewer);
  }

  #connect(viewer: ViewerLink) {
    if (viewer.peer) return;
    // A viewer that asks for the picture without having said what it decodes counts from now.
    this.#chooseCodec();
    const peer = new ViewerPeer({
      id: ++this.#offers,
      codec: offerCodec(this.#pictureCodecs()),
      hostAddresses: this.hostAddresses,
      wantKeyframe: () => this.wantKeyframe(),
    });
    viewer.peer = peer;
    this.#cursor.showTo(viewer);
    peer.offer().then((sdp) => {
      if (viewer.peer === peer) viewer.send({ type: "offer", sdp, id: peer.id });
    }).catch((error) => {
      viewer.send({ type: "error", code: "webrtc", reason: String(error).slice(0, 200) });
    });
  }

  #disconnect(viewer: ViewerLink) {
    const peer = viewer.peer;
    viewer.peer = null;
    if (!peer) return;
    peer.close();
    this.#cursor.hideFrom(viewer);
  }

  #state(): ViewerMessage {
    return {
      type: "state",
      agent: this.presence,
      view: this.#consent.view,
      control: this.#consent.control,
      clipboard: this.#consent.control,
      screen: this.screen,
      keyboard: this.keyboard,
      quality: this.quality,
      auto: this.quality === "auto" ? this.#auto.choice : null,
      viewOnly: this.agent?.viewOnly === true,
      noDesktop: this.agent?.noDesktop === true,
      screens: this.screens,
      currentScreen: this.currentScreen,
      recording: this.recorder?.recording === true,
      whiteboard: this.#whiteboard.on,
      canDraw: this.agent?.whiteboard === true,
      canUndo: this.agent?.whiteboard === true && this.agent.whiteboardUndo === true,
      laserInPicture: this.recorder?.recording === true && this.agent?.laserRecorded === true,
      capturePaused: this.agent ? this.capturePaused : null,
    };
  }

  #changed() {
    // View gone: the agent removed the drawings itself (agent/whiteboard.ts).
    if (!allows(this.#consent, "view") && this.#whiteboard.reset(this.viewers)) {
      this.onEvent({ kind: "whiteboard", on: false, by: null });
    }
    // Control gone (revoked, denied, the agent left): nobody holds it any more.
    if (!allows(this.#consent, "control")) this.#owners.releaseAll(this.viewers);
    // A recorder writes only while view is granted: it hears every change first, so what
    // the viewers and the customer are told below is already true.
    this.recorder?.viewChanged(allows(this.#consent, "view"));
    this.#tellAgentRecording();
    const state = this.#state();
    for (const viewer of this.viewers) viewer.send(state);
    this.#tellCustomer();
  }

  /** The customer's window on their computer says it too, where the agent can (its hello). */
  #tellAgentRecording() {
    const recording = this.recorder?.recording === true;
    if (!this.agent?.recordingNotice || recording === this.#toldRecording) return;
    this.#toldRecording = recording;
    this.agent.send({ type: "recording", on: recording });
  }

  /** The preset the agent should use now: the technician's, or "auto" from measurements. */
  #applyQuality() {
    let preset = this.quality;
    if (preset === "auto") preset = this.#auto.choice.preset;
    const auto = this.quality === "auto";
    const sent = `${preset} ${auto ? "auto" : "fixed"}`;
    if (sent !== this.#sentPreset && this.agent && allows(this.#consent, "view")) {
      this.#sentPreset = sent;
      this.agent.send({ type: "quality", preset, auto });
    }
  }

  #startAuto() {
    this.#autoTimer ??= setInterval(() => {
      const before = this.#auto.choice;
      const after = this.#auto.update([...this.viewers].map((v) => v.peer), performance.now());
      this.#applyQuality();
      const moved = after.preset !== before.preset || after.reason !== before.reason;
      if (moved && this.quality === "auto") this.#changed(); // the island says which and why
    }, AUTO_EVERY_MS);
  }

  #stopAuto() {
    clearInterval(this.#autoTimer);
    this.#autoTimer = undefined;
  }
}

/**
 * Input as `agent` can take it: a key's physical position (`code`) only to an agent whose hello
 * offered `keyCodes` — an older one's strict decoder would refuse the whole key, and its keysym
 * alone still types something sensible.
 */
function forAgent(message: ServerMessage, agent: AgentLink): ServerMessage {
  if (message.type !== "key" || message.code === undefined || agent.keyCodes) return message;
  const { code: _code, ...older } = message;
  return older;
}
