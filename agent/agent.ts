// Over 400 lines on purpose: one switch answers every server message and its refusals; the picture, consent, screens and operations are already in their own files.
/**
 * The agent's behaviour, independent of sockets and of the OS: what it does with each
 * server message and what it refuses; the picture itself is screen.ts.
 *
 * - Every input message passes `capabilityNeeded` and the customer's consent first; without
 *   it the agent answers `refused` and touches nothing, whatever the server says.
 * - The server can only open questions (`request`) and take things back (`revoke`, `end`);
 *   the customer answers in the agent's own window, which calls `answer` here.
 * - The picture (screen.ts) is captured only while the customer allows view.
 * - Clipboard: while control is granted, the customer's clipboard is watched and sent when
 *   it changes; the technician's arrives as a `clipboard` message.
 */
import {
  type AgentMessage,
  ALL_OPS,
  type Capability,
  capabilityNeeded,
  type ServerMessage,
  type VideoCodec,
} from "../protocol/mod.ts";
import { ConsentKeeper, type OpenQuestion, randomId, type Verdict } from "./consent.ts";
import type { OpHandlers } from "./ops/mod.ts";
import { OpRunner } from "./ops/runner.ts";
import { type Link, type ScreenOptions, ScreenSender } from "./screen.ts";
import { ScreenView } from "./screen_view.ts";
import { Whiteboard } from "./whiteboard.ts";

export type { EncoderLike, Link } from "./screen.ts";

export interface AgentOptions extends ScreenOptions {
  consent?: ConsentKeeper;
  /** The operations this agent runs (agent/ops/registry.ts); none when left out. */
  ops?: OpHandlers;
  os?: "linux" | "windows" | "darwin";
  /** The codecs `encoder` can make (the hello's `codecs`); default VP8 only. */
  codecs?: readonly VideoCodec[];
  /** Why this system's desktop cannot be shared (then view and control are not offered). */
  noDesktop?: string;
  /** The same in the customer's language, for their window (default: `noDesktop`). */
  noDesktopShown?: string;
  /** Called when the server ends the session. */
  onEnd?: (reason: string) => void;
  /** Called after every change the customer's window shows (questions, consent, the end). */
  onChange?: () => void;
}

/** What the customer's window shows. */
export interface CustomerState {
  questions: OpenQuestion[];
  view: boolean;
  control: boolean;
  /** The other capabilities the customer allows now (files, systemInfo, scripts, reboot). */
  tools: Capability[];
  /** One-off questions of running operations (a script's name, a process to end). */
  confirms: Confirmation[];
  /** Why this system's desktop cannot be shared, or null. */
  noDesktop: string | null;
  /** Why the session ended, once it has. */
  ended: string | null;
  /** The server says it records the picture (its `recording`); shown while view is shared. */
  recorded: boolean;
  /** The technician's whiteboard is on: they may be drawing on the customer's screen. */
  drawing: boolean;
  /** The technician who shows their own screen on the customer's support page (null: none). */
  presenting: string | null;
}

/** A one-off question of a running operation, in the customer's window. */
export interface Confirmation {
  id: string;
  capability: Capability | null;
  detail: string;
}

/** What the agent may be asked for besides view and control: what its operations need. */
const TOOL_CAPABILITIES = ["files", "systemInfo", "scripts", "reboot"] as const;

const CLIPBOARD_EVERY_MS = 400;
/** How often the list of screens (monitors) is read again: a monitor plugged in or out. */
const SCREENS_EVERY_MS = 3_000;
/** The `screens` news of a desktop shown whole, that has one screen (nothing to send). */
const NO_SCREENS = JSON.stringify([[], null]);

export class Agent {
  readonly consent: ConsentKeeper;
  readonly screen: ScreenSender;
  /** The desktop as the technician sees and steers it: one screen of several, or all. */
  readonly view: ScreenView;
  #link: Link | null = null;
  #screensTimer: ReturnType<typeof setInterval> | undefined;
  #screensSent = NO_SCREENS;
  #clipboardTimer: ReturnType<typeof setInterval> | undefined;
  #lastClipboard: string | null = null;
  #ended: string | null = null;
  #separateCursor: boolean | undefined;
  /** The server's word that it records the picture (`recording`). */
  #recorded = false;
  /** Who shows their screen on the customer's page, as the server said (`presenting`). */
  #presenting: string | null = null;
  readonly #confirms = new Map<string, Confirmation & { resolve: (yes: boolean) => void }>();
  readonly ops: OpRunner;
  /** The technician's drawings and laser on the customer's screen (whiteboard.ts). */
  readonly whiteboard: Whiteboard;
  refused = 0;

  constructor(private options: AgentOptions) {
    this.consent = options.consent ?? new ConsentKeeper();
    this.ops = new OpRunner({
      handlers: options.ops ?? {},
      os: options.os ?? "linux",
      allows: (capability) => this.#ended === null && this.consent.allows(capability),
      send: (message) => this.#send(message),
      confirm: (capability, detail, signal) => this.#confirm(capability, detail, signal),
      log: (line) => this.options.log?.(line),
    });
    this.view = new ScreenView(options.desktop);
    const desktop = options.desktop;
    this.whiteboard = new Whiteboard({
      open: desktop.overlay && !options.noDesktop ? () => desktop.overlay!() : null,
      offset: () => this.view.region ?? { x: 0, y: 0 },
      log: (line) => this.options.log?.(line),
    });
    this.screen = new ScreenSender({ ...options, desktop: this.view }, {
      link: () => this.#link,
      allowed: () => this.consent.allows("view"),
    });
  }

  get framesSent(): number {
    return this.screen.framesSent;
  }

  get bytesSent(): number {
    return this.screen.bytesSent;
  }

  /** `cursor` messages sent (the pointer apart from the picture), and their bytes. */
  get cursorsSent(): { messages: number; bytes: number } {
    return { messages: this.screen.cursor.sent, bytes: this.screen.cursor.bytes };
  }

  /**
   * Whether this desktop can report the pointer for `cursor` messages (the hello's
   * `separateCursor`; X11's XFixes): asked once.
   */
  get separateCursor(): boolean {
    if (this.#separateCursor === undefined) {
      try {
        this.#separateCursor = !this.options.noDesktop && this.options.desktop.cursor() !== null;
      } catch {
        this.#separateCursor = false;
      }
    }
    return this.#separateCursor;
  }

  /** Time spent per stage since start (ms), see ScreenSender. */
  get timing(): ScreenSender["timing"] {
    return this.screen.timing;
  }

  /** A (new) connection is up and welcomed: say what is allowed and resume the picture. */
  attach(link: Link) {
    this.#link = link;
    for (const capability of this.consent.granted) {
      link.send({ type: "consent", capability, granted: true });
    }
    // A question still open in the customer's window is open again for the server too.
    for (const question of this.consent.questions) {
      link.send({ type: "ask", capability: question.capability });
    }
    this.screen.setCodec("vp8"); // what a new connection's server assumes until it says
    this.screen.setCursorMode(false); // drawn in until this server asks otherwise
    this.screen.resume();
    this.#watchClipboard();
    this.#screensSent = NO_SCREENS; // what a new connection's server knows
    this.#sendScreens();
    this.#screensTimer ??= setInterval(() => this.#sendScreens(), SCREENS_EVERY_MS);
  }

  detach() {
    this.#link = null;
    this.#closeWhiteboard(); // no drawing stays that nobody can take away
    this.view.releaseInput(); // nothing stays held down while the technician cannot let go
    this.ops.abortAll("the connection to the server was lost");
  }

  stop() {
    this.screen.stop();
    clearInterval(this.#clipboardTimer);
    clearInterval(this.#screensTimer);
  }

  /** The session is over: nothing stays shared, no question stays open. */
  end(reason: string) {
    if (this.#ended !== null) return;
    this.#ended = reason;
    this.ops.abortAll("the session has ended");
    this.whiteboard.close();
    this.consent.clear();
    this.stop();
    this.#changed();
    this.options.onEnd?.(reason);
  }

  get customerState(): CustomerState {
    return {
      questions: this.consent.questions,
      view: this.consent.allows("view"),
      control: this.consent.allows("control"),
      tools: TOOL_CAPABILITIES.filter((capability) => this.consent.allows(capability)),
      confirms: [...this.#confirms.values()].map(({ id, capability, detail }) => ({
        id,
        capability,
        detail,
      })),
      noDesktop: this.options.noDesktopShown ?? this.options.noDesktop ?? null,
      ended: this.#ended,
      recorded: this.#recorded && this.consent.allows("view"),
      drawing: this.whiteboard.on,
      presenting: this.#ended === null ? this.#presenting : null,
    };
  }

  /** What this agent can be asked for: view and control, and what its operations need. */
  get offered(): Capability[] {
    const handled = new Set(Object.keys(this.options.ops ?? {}));
    const tools = TOOL_CAPABILITIES.filter((capability) =>
      ALL_OPS.some((spec) => spec.capability === capability && handled.has(spec.kind))
    );
    return this.options.noDesktop ? tools : ["view", "control", ...tools];
  }

  /** The customer's answer to a one-off question, from the agent's own window. */
  confirmAnswer(id: string, yes: boolean): Verdict {
    const open = this.#confirms.get(id);
    if (!open) return { ok: false, reason: "no open question with that id" };
    this.#confirms.delete(id);
    open.resolve(yes);
    this.#changed();
    return { ok: true, changed: [] };
  }

  #confirm(capability: Capability | null, detail: string, signal: AbortSignal): Promise<boolean> {
    if (this.#ended !== null || signal.aborted) return Promise.resolve(false);
    const id = randomId(18);
    return new Promise<boolean>((resolve) => {
      const done = (yes: boolean) => {
        signal.removeEventListener("abort", onAbort);
        resolve(yes);
      };
      const onAbort = () => {
        if (this.#confirms.delete(id)) this.#changed();
        done(false);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      // The agent writes the question itself; the cap only bounds the window. 500 cut the
      // unattended-access terms (≈ 550–830 characters with the tools allowed at their end).
      this.#confirms.set(id, { id, capability, detail: detail.slice(0, 2_000), resolve: done });
      this.#changed();
    });
  }

  /** The customer's answer, from the agent's own window (never from the server). */
  answer(capability: Capability, id: string, granted: boolean): Verdict {
    if (this.#ended !== null) return { ok: false, reason: "the session is over" };
    const verdict = this.consent.answer(capability, id, granted);
    if (!verdict.ok) return verdict;
    if (!granted) this.#send({ type: "consent", capability, granted: false });
    this.#announce(verdict.changed, true);
    this.#changed();
    return verdict;
  }

  async handle(message: ServerMessage): Promise<void> {
    const needed = capabilityNeeded(message);
    if (needed && !this.consent.allows(needed)) {
      this.refused++;
      this.#send({ type: "refused", of: message.type, reason: `${needed} is not granted` });
      return;
    }
    const desktop = this.view;
    switch (message.type) {
      case "welcome":
      case "error":
        return;
      case "ping":
        this.#send({ type: "pong", at: message.at });
        return;
      case "request":
        if (this.#ended !== null) return;
        // Only what this agent can do and its window can put in words is asked.
        if (!this.offered.includes(message.capability)) {
          this.refused++;
          const cannotShare = this.options.noDesktop &&
            (message.capability === "view" || message.capability === "control");
          this.#send({
            type: "refused",
            of: "request",
            reason: cannotShare
              ? `remote view and control are not available on this system: ${this.options.noDesktop}`
              : `${message.capability} is not offered by this agent`,
          });
          return;
        }
        if (this.consent.allows(message.capability)) {
          this.#send({ type: "consent", capability: message.capability, granted: true });
          return;
        }
        // What the server says of recording is said with the question, before the answer.
        this.consent.ask(message.capability, message.recording);
        this.#send({ type: "ask", capability: message.capability });
        this.#changed();
        return;
      case "revoke":
        this.revoke(message.capability);
        return;
      case "op":
      case "opPart":
      case "opCancel":
        // Runs beside the other frames: a long operation never holds up input or the picture.
        if (this.#ended === null) this.ops.receive(message);
        return;
      case "end":
        this.end(message.reason);
        return;
      case "keyframe":
        this.screen.resume();
        return;
      case "screen": {
        const found = this.view.select(message.id);
        this.screen.newPicture(); // a keyframe of the new picture (and the pointer's shape)
        if (!found) {
          this.#send({
            type: "refused",
            of: "screen",
            reason: "that screen is not there any more",
          });
        }
        this.#sendScreens(true);
        return;
      }
      case "quality":
        this.screen.setPreset(message.preset, message.auto ?? false);
        return;
      case "whiteboard":
      case "stroke":
      case "whiteboardClear":
      case "whiteboardUndo":
      case "laser": {
        const was = this.whiteboard.on;
        const refusal = this.whiteboard.handle(message);
        if (refusal) {
          this.refused++;
          this.#send({ type: "refused", of: message.type, reason: refusal });
        }
        if (this.whiteboard.on !== was) this.#changed();
        return;
      }
      case "recording":
        this.#recorded = message.on;
        // A recording shows the laser's dot (the technician's window paints its own otherwise):
        // a dot showing now is coded into the picture at once, or out of it.
        if (this.whiteboard.laserInPicture(message.on)) this.screen.resume();
        this.#changed();
        return;
      case "presenting":
        // Only said: the picture is on the customer's page in the browser, never shown here.
        this.#presenting = message.technician;
        this.#changed();
        return;
      case "cursorMode":
        if (!message.separate || this.separateCursor) {
          return this.screen.setCursorMode(message.separate);
        }
        this.refused++;
        this.#send({
          type: "refused",
          of: "cursorMode",
          reason: "this desktop cannot report the pointer apart from the picture",
        });
        return;
      case "codec": {
        const can = (this.options.codecs ?? ["vp8"]).includes(message.codec);
        if (can) return this.screen.setCodec(message.codec);
        this.refused++;
        this.#send({ type: "refused", of: "codec", reason: `cannot encode ${message.codec}` });
        return;
      }
      case "pointer":
        desktop.pointer(message.x, message.y);
        this.screen.inputArrived();
        return;
      case "button":
        desktop.button(message.button, message.down, message.x, message.y);
        this.screen.inputArrived();
        return;
      case "wheel":
        desktop.wheel(message.dx, message.dy);
        this.screen.inputArrived();
        return;
      case "key":
        desktop.key(message.keysym, message.down, message.code);
        this.screen.inputArrived();
        return;
      case "ctrlAltDel": {
        const refusal = desktop.ctrlAltDel();
        if (refusal) this.#send({ type: "refused", of: "ctrlAltDel", reason: refusal });
        else this.screen.inputArrived();
        return;
      }
      case "clipboard":
        this.#lastClipboard = message.text;
        await desktop.clipboardWrite(message.text);
        return;
    }
  }

  /** Takes a capability back — from the server, or from the customer at the agent. */
  revoke(capability: Capability) {
    const changed = this.consent.revoke(capability);
    for (const taken of changed) this.ops.abortCapability(taken);
    this.#announce(changed, false);
    this.#changed();
  }

  #changed() {
    try {
      this.options.onChange?.();
    } catch (error) {
      this.options.log?.(`window update failed: ${error}`);
    }
  }

  #announce(changed: Capability[], granted: boolean) {
    for (const capability of changed) this.#send({ type: "consent", capability, granted });
    if (changed.includes("view")) this.screen.newPicture();
    if (changed.includes("view") && !granted) this.#closeWhiteboard();
    if (changed.includes("control")) this.#watchClipboard();
    if (changed.includes("control") && !granted) this.view.releaseInput();
  }

  /** The customer stops the drawings from their window: gone, and the server is told. */
  stopDrawing() {
    if (!this.whiteboard.on) return;
    this.#closeWhiteboard();
    this.#send({ type: "whiteboard", on: false });
  }

  #closeWhiteboard() {
    const was = this.whiteboard.on;
    this.whiteboard.close();
    if (was) this.#changed();
  }

  #send(message: AgentMessage) {
    this.#link?.send(message);
  }

  /**
   * Tells the server the screens (monitors) and which one is shown, when that changed (or
   * `force`: a new connection, a choice). A chosen screen that went away falls back to all.
   */
  #sendScreens(force = false) {
    if (!this.#link || this.#ended !== null) return;
    let list;
    try {
      list = this.view.screens();
    } catch (error) {
      this.options.log?.(`screens: ${error}`);
      return;
    }
    if (this.view.current !== null) {
      const before = JSON.stringify(this.view.region);
      this.view.select(this.view.current, list); // its new place, or all when it is gone
      if (JSON.stringify(this.view.region) !== before) this.screen.newPicture();
    }
    const text = JSON.stringify([list, this.view.current]);
    if (!force && text === this.#screensSent) return;
    this.#screensSent = text;
    this.#send({ type: "screens", list, current: this.view.current });
  }

  #watchClipboard() {
    if (this.#clipboardTimer || !this.consent.allows("control")) return;
    this.#clipboardTimer = setInterval(async () => {
      if (!this.consent.allows("control")) {
        clearInterval(this.#clipboardTimer);
        this.#clipboardTimer = undefined;
        return;
      }
      try {
        const text = await this.view.clipboardRead();
        if (this.#lastClipboard === null) {
          this.#lastClipboard = text; // what was there before control is not sent
          return;
        }
        if (text === this.#lastClipboard || text.length > 60_000) return;
        this.#lastClipboard = text;
        this.#send({ type: "clipboard", text });
      } catch (error) {
        this.options.log?.(`clipboard: ${error}`);
      }
    }, CLIPBOARD_EVERY_MS);
  }
}
