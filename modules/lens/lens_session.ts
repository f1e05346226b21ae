// Over 400 lines on purpose: one Lens session's whole life — the phone's peer, the technician's peers, the switches both pages show, the recorder's slot and the end — as one state machine.
/**
 * One Lens session (SPEC M1): a customer's phone camera and microphone, received by the
 * server's werift peer (`ScreenReceiver`, the one the browser screen share uses) and relayed
 * untranscoded to the technician's peers (`ViewerPeer`, the remote view's relay) — video frames
 * as whole frames, Opus packets as they came. Beside the media it keeps what both pages show:
 * the phone's own switches (paused, muted, flashlight), the technician's freeze and drawing,
 * and the end. Each change goes to both pages' live streams as one event.
 *
 * A Lens session lives in the memory of the instance that started it (registry.ts keeps its
 * record, record.ts). Its picture and sound are written to disk only by its recorder
 * (recorder_slot.ts, modules/recording): while the technician records, or the group's policy
 * records every session, and the phone sends — the phone says so while it does.
 */
import type { RtpPacket } from "werift";
import { ScreenReceiver, ViewerPeer } from "../remote/mod.ts";
import type { LensFrameRecorder } from "./recorder_slot.ts";
import { randomToken } from "../tokens/mod.ts";

/** What a Lens session is doing, in the order it moves through. */
export type LensPhase = "waiting" | "live" | "ended";

/** Why a Lens session ended: the technician's End, the customer's Disconnect, a lost phone. */
export type LensEndReason = "technician" | "customer" | "lost" | "expired" | "abandoned";

/** What both pages show of a Lens session (sent whole on every change). */
export interface LensState {
  phase: LensPhase;
  /** The customer paused the camera: no frames come, the technician keeps the last one. */
  paused: boolean;
  /** The customer muted the microphone. */
  muted: boolean;
  /** The customer turned the phone's flashlight on. */
  torch: boolean;
  /** The technician froze the picture (strokes then stay on what it shows). */
  frozen: boolean;
  /**
   * The server records the phone's picture and sound now (the technician's Record or the
   * group's `always`, while the phone sends): the phone says so while it does.
   */
  recording: boolean;
  /** The group records every Lens session: the technician has no Stop (set at the start). */
  recordsAlways: boolean;
  /** The last recording stopped because it could not be written (until one starts again). */
  recordingFailed: boolean;
  /** The picture's size, once the first keyframe came. */
  width: number;
  height: number;
  /** The video codec the phone sends ("vp8", "vp9", "h264"), once agreed. */
  codec: string;
  /** Whether the phone sends its microphone. */
  audio: boolean;
  /**
   * Counts the phone's connections: a new one (its page reloaded) may send another codec, so
   * the technician's page makes a new peer when it changes.
   */
  epoch: number;
  /**
   * The phone's connection went (its page reloaded or closed, its network dropped) and the
   * session waits `reconnectMs` for it to come back before it ends ("lost").
   */
  interrupted: boolean;
  ended?: LensEndReason;
}

/**
 * One line drawn by the technician, in the picture's coordinates: each point is x, y as
 * fractions of the picture's width and height (0…1), so both pages draw it on the same spot
 * whatever size they show the picture at.
 */
export interface LensStroke {
  colour: string;
  points: [number, number][];
}

/** What the pages' live streams carry. */
export type LensEvent =
  | { kind: "state"; state: LensState }
  | { kind: "stroke"; stroke: LensStroke }
  | { kind: "clear" };

export const MAX_STROKES = 200;
/**
 * How long a Lens session runs on once no page of the technician is open (closed, navigated
 * away, signed out): the phone would otherwise go on sending its camera to nobody.
 */
export const ABANDONED_MS = 2 * 60_000;
/**
 * How long a session waits for the phone to come back after its connection went: a reloaded
 * page shows Start again, and the customer reads it and taps it in their own time.
 */
export const RECONNECT_MS = 2 * 60_000;
/** Technician pages that may watch one Lens session at once (tabs, a reload). */
export const MAX_VIEWERS = 3;
export const MAX_POINTS = 2_000;
/**
 * A keyframe asked of the phone that has not come after this long is asked again (at most
 * KEYFRAME_TRIES times): a phone's browser may let a PLI go unanswered when it sent a keyframe
 * just before (one asked by the recorder at its start), and a technician's new peer waits for
 * a keyframe before it shows anything.
 */
const KEYFRAME_RETRY_MS = 700;
const KEYFRAME_TRIES = 5;
const COLOURS = ["#e8202a", "#ffd400", "#1e90ff", "#22c55e", "#ffffff"];
export const STROKE_COLOURS: readonly string[] = COLOURS;

/** A stroke from untrusted JSON, or null: known colour, 1…MAX_POINTS points inside 0…1. */
export function readStroke(value: unknown): LensStroke | null {
  const v = value as { colour?: unknown; points?: unknown } | null;
  if (!v || typeof v.colour !== "string" || !COLOURS.includes(v.colour)) return null;
  if (!Array.isArray(v.points) || v.points.length < 1 || v.points.length > MAX_POINTS) return null;
  const points: [number, number][] = [];
  for (const p of v.points) {
    if (!Array.isArray(p) || p.length !== 2) return null;
    const [x, y] = p;
    if (typeof x !== "number" || typeof y !== "number") return null;
    if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1)) return null;
    points.push([Math.round(x * 10_000) / 10_000, Math.round(y * 10_000) / 10_000]);
  }
  return { colour: v.colour, points };
}

/** Whether an offer sends audio: an audio m-section with a port, sending (RFC 8866, 3264). */
export function sendsAudio(sdp: string): boolean {
  return sdp.split(/^(?=m=)/m).some((section) =>
    /^m=audio [1-9]/.test(section) && /^a=(sendrecv|sendonly)\s*$/m.test(section)
  );
}

export interface LensOwner {
  userId: string;
  orgId: string;
  name: string;
  /** The technician's group when the session starts: whose admins see it in the reports. */
  groupId: string | null;
}

/** One technician's Lens session; see the top. */
export class LensSession {
  readonly id = crypto.randomUUID();
  /** The customer's link is `/lens/<token>`: 192 bits, the only key to the phone's side. */
  readonly token = randomToken(24);
  readonly startedAt = Date.now();
  /** The customer's name when the technician gave one with an invitation; kept in the record. */
  customerName = "";
  readonly strokes: LensStroke[] = [];
  readonly #viewers = new Map<number, ViewerPeer>();
  readonly #listeners = new Set<(event: LensEvent) => void>();
  #receiver: ScreenReceiver | null = null;
  #recorder: LensFrameRecorder | null = null;
  /** When the phone's last keyframe came (performance.now), and the pending re-ask. */
  #keyframeAt = 0;
  #keyframeRetry: ReturnType<typeof setTimeout> | undefined;
  /** The recorder's last part on disk and in its row, once the session ended. */
  #recorderClosed: Promise<void> = Promise.resolve();
  #nextViewer = 1;
  #frames = 0;
  #watchers = 0;
  #abandon: ReturnType<typeof setTimeout> | undefined;
  #reconnect: ReturnType<typeof setTimeout> | undefined;
  #state: LensState = {
    phase: "waiting",
    paused: false,
    muted: false,
    torch: false,
    frozen: false,
    recording: false,
    recordsAlways: false,
    recordingFailed: false,
    width: 0,
    height: 0,
    codec: "",
    audio: false,
    epoch: 0,
    interrupted: false,
  };

  constructor(
    readonly owner: LensOwner,
    private options: {
      hostAddresses: string[];
      onEnded: (reason: LensEndReason) => void;
      /** How long the session runs on with no page of the technician open (ABANDONED_MS). */
      abandonedMs?: number;
      /** How long it waits for a phone whose connection went (RECONNECT_MS). */
      reconnectMs?: number;
    },
  ) {}

  get state(): LensState {
    return { ...this.#state };
  }

  get ended(): boolean {
    return this.#state.phase === "ended";
  }

  /**
   * A page of the technician follows the session (its live stream); call the returned function
   * when it goes. With none left for `abandonedMs` the session ends ("abandoned").
   */
  watchedByTechnician(): () => void {
    this.#watchers++;
    clearTimeout(this.#abandon);
    let gone = false;
    return () => {
      if (gone) return;
      gone = true;
      if (--this.#watchers > 0 || this.ended) return;
      this.#abandon = setTimeout(
        () => this.#watchers === 0 && this.end("abandoned"),
        this.options.abandonedMs ?? ABANDONED_MS,
      );
      Deno.unrefTimer(this.#abandon);
    };
  }

  /** The technician's peers open now. */
  get viewerCount(): number {
    return this.#viewers.size;
  }

  /** Frames received from the phone so far. */
  get framesIn(): number {
    return this.#frames;
  }

  /** Follows every change; returns the unsubscribe. */
  listen(listener: (event: LensEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * The phone's complete offer → our answer. A new offer (the page reloaded) replaces the
   * phone's peer; the technician's peers are offered again once its first frame comes.
   */
  async answer(sdp: string): Promise<string> {
    if (this.ended) throw new Error("Lens session ended");
    const receiver: ScreenReceiver = new ScreenReceiver({
      hostAddresses: this.options.hostAddresses,
      onFrame: (frame) => {
        if (this.#receiver !== receiver || this.ended) return;
        this.#frames++;
        if (frame.keyframe) this.#keyframeAt = performance.now();
        const size = frame.width !== this.#state.width || frame.height !== this.#state.height;
        if (this.#state.phase !== "live" || size) {
          this.#set({ phase: "live", width: frame.width, height: frame.height });
        }
        const relayed = { data: frame.data, keyframe: frame.keyframe, capturedAt: Date.now() };
        for (const viewer of this.#viewers.values()) viewer.send(relayed);
        if (this.#recorder && receiver.codec) {
          this.#recorder.viewChanged(true);
          this.#recorder.frame({ ...relayed, codec: receiver.codec, ...frame });
        }
      },
      onAudio: (packet: RtpPacket) => {
        if (this.#receiver !== receiver) return;
        for (const viewer of this.#viewers.values()) viewer.sendAudio(packet);
        this.#recorder?.audio(packet.payload, Date.now());
      },
      onClosed: () => {
        if (this.#receiver === receiver) this.#interrupted();
      },
    });
    // The phone's current peer stays until the new offer is answered: an offer that cannot be
    // answered changes nothing.
    let answer: string;
    try {
      answer = await receiver.answer(sdp);
      if (this.ended) throw new Error("Lens session ended");
    } catch (error) {
      receiver.close();
      throw error;
    }
    const previous = this.#receiver;
    this.#receiver = receiver;
    previous?.close();
    clearTimeout(this.#reconnect);
    // A new page starts with its switches off (sending, sound on, no flashlight).
    this.#set({
      paused: false,
      muted: false,
      torch: false,
      epoch: this.#state.epoch + 1,
      interrupted: false,
      codec: receiver.codec ?? "",
      audio: sendsAudio(sdp),
    });
    return answer;
  }

  /** A peer for one technician's page: its offer, in the codec the phone sends. */
  async viewerOffer(): Promise<{ id: number; sdp: string }> {
    const receiver = this.#receiver;
    if (!receiver?.codec || this.ended) throw new Error("no picture yet");
    const id = this.#nextViewer++;
    const viewer = new ViewerPeer({
      id,
      hostAddresses: this.options.hostAddresses,
      wantKeyframe: () => this.wantKeyframe(),
      codec: { name: receiver.codec, parameters: receiver.codecParameters },
      audio: true,
    });
    // A peer per page of the technician (a second tab, the page reloaded); past MAX_VIEWERS the
    // oldest goes (a page left open long ago), so pages never take the picture from each other.
    while (this.#viewers.size >= MAX_VIEWERS) {
      const [oldest, peer] = this.#viewers.entries().next().value!;
      this.#viewers.delete(oldest);
      peer.close();
    }
    this.#viewers.set(id, viewer);
    viewer.pc.connectionStateChange.subscribe((state) => {
      if (state === "failed" || state === "closed") this.#viewers.delete(id);
    });
    return { id, sdp: await viewer.offer() };
  }

  /** The technician page's answer to the offer `id`; false when no such peer is open. */
  async viewerAnswer(id: number, sdp: string): Promise<boolean> {
    const viewer = this.#viewers.get(id);
    if (!viewer) return false;
    await viewer.answer(sdp);
    return true;
  }

  /** The phone's switches, as the customer set them. */
  customerSwitches(change: Partial<Pick<LensState, "paused" | "muted" | "torch">>): void {
    if (this.ended) return;
    const wasPaused = this.#state.paused;
    this.#set(change);
    // Resumed: the viewers' decoders need a keyframe to start again at once.
    if (wasPaused && !this.#state.paused) this.#receiver?.keyframe();
  }

  freeze(frozen: boolean): void {
    if (!this.ended && this.#state.frozen !== frozen) this.#set({ frozen });
  }

  /**
   * The session's recorder (modules/recording, through the app's `lensRecordersFrom`): given
   * the phone's frames and sound from now on, and told when the phone sends or stops.
   */
  attachRecorder(recorder: LensFrameRecorder): void {
    this.#recorder = recorder;
    this.#recordingChanged();
  }

  get recorder(): LensFrameRecorder | null {
    return this.#recorder;
  }

  /** The recorder started or stopped writing: both pages are told (the phone says so). */
  recordingChanged(): void {
    this.#recordingChanged();
  }

  /** The recording stopped: its part could not be written. The technician's page says so. */
  recordingFailed(): void {
    if (!this.ended) this.#set({ recordingFailed: true });
  }

  /** Resolves once the recorder's last part is complete (after the end). */
  recorderClosed(): Promise<void> {
    return this.#recorderClosed;
  }

  /**
   * A keyframe of the phone (a PLI), for a technician's new peer or a recorder's part to start
   * at; asked again every KEYFRAME_RETRY_MS until one comes (at most KEYFRAME_TRIES times).
   */
  wantKeyframe(): void {
    const asked = performance.now();
    let tries = 0;
    const ask = () => {
      if (this.ended || this.#keyframeAt >= asked || tries++ >= KEYFRAME_TRIES) return;
      this.#receiver?.keyframe();
      clearTimeout(this.#keyframeRetry);
      this.#keyframeRetry = setTimeout(ask, KEYFRAME_RETRY_MS);
      Deno.unrefTimer(this.#keyframeRetry);
    };
    ask();
  }

  #recordingChanged() {
    const recorder = this.#recorder;
    if (!recorder || this.ended) return;
    const recording = recorder.recording;
    const recordsAlways = recorder.startedByPolicy;
    if (recording === this.#state.recording && recordsAlways === this.#state.recordsAlways) return;
    // A recording that starts again clears an earlier failure.
    this.#set({
      recording,
      recordsAlways,
      ...(recording ? { recordingFailed: false } : {}),
    });
  }

  /** Adds a stroke; false once MAX_STROKES are drawn (Clear first). */
  draw(stroke: LensStroke): boolean {
    if (this.ended || this.strokes.length >= MAX_STROKES) return false;
    this.strokes.push(stroke);
    this.#emit({ kind: "stroke", stroke });
    return true;
  }

  clearDrawing(): void {
    this.strokes.length = 0;
    this.#emit({ kind: "clear" });
  }

  /** Ends it for both sides; the phone's and the technician's peers close. */
  end(reason: LensEndReason): void {
    if (this.ended) return;
    clearTimeout(this.#abandon);
    clearTimeout(this.#reconnect);
    clearTimeout(this.#keyframeRetry);
    this.#set({ phase: "ended", ended: reason });
    const receiver = this.#receiver;
    this.#receiver = null;
    receiver?.close();
    for (const viewer of this.#viewers.values()) viewer.close();
    this.#viewers.clear();
    if (this.#recorder) this.#recorderClosed = this.#recorder.close();
    this.options.onEnded(reason);
    this.#listeners.clear();
  }

  /**
   * The phone's peer went: before, the session ended at once ("lost"), so a reloaded page whose
   * Start came after the old peer's silence (SILENT_MS, 8 s: a customer reading the page, a
   * loaded phone) found it gone. Now it waits `reconnectMs` for a new offer.
   */
  #interrupted() {
    this.#receiver = null;
    // The phone sends nothing now: its part ends; a new one starts when it comes back (maybe in
    // another codec).
    this.#recorder?.viewChanged(false);
    this.#set({ phase: "waiting", interrupted: true, paused: false, torch: false });
    clearTimeout(this.#reconnect);
    this.#reconnect = setTimeout(() => this.end("lost"), this.options.reconnectMs ?? RECONNECT_MS);
    Deno.unrefTimer(this.#reconnect);
  }

  #set(change: Partial<LensState>) {
    this.#state = { ...this.#state, ...change };
    this.#emit({ kind: "state", state: this.state });
  }

  #emit(event: LensEvent) {
    for (const listener of [...this.#listeners]) listener(event);
  }
}
