/**
 * The X11 CLIPBOARD selection in pure Xlib: read (UTF8_STRING, then STRING; INCR transfers)
 * and own it (answering other programs from a timer pump). Used by `X11Desktop` (x11.ts).
 */
import { cString, EV, getProperty, num, X, type X11Libs, XEVENT_SIZE } from "./x11_ffi.ts";

const SERVE_POLL_MS = 20;
const CONVERT_TIMEOUT_MS = 2000;
const MAX_CLIPBOARD_BYTES = 64 * 1024 * 1024;
const ATOM_NAMES = {
  CLIPBOARD: "CLIPBOARD",
  UTF8_STRING: "UTF8_STRING",
  TARGETS: "TARGETS",
  TEXT: "TEXT",
  INCR: "INCR",
  TEXT_PLAIN: "text/plain;charset=utf-8",
  PROP: "DENO_AGENT_CLIPBOARD",
} as const;
type Atoms = Record<keyof typeof ATOM_NAMES, bigint>;

/**
 * The CLIPBOARD selection in pure Xlib, on its own Display connection and 1×1 window so its
 * events never mix with the desktop's. Reading converts to UTF8_STRING (then STRING) and
 * accepts INCR transfers; owning it answers TARGETS, UTF8_STRING, text/plain;charset=utf-8,
 * TEXT and STRING from an unref'd timer pump. Chosen over `xclip` children: no extra
 * program or --allow-run on the customer's machine and no background process to reap.
 */
export class SelectionClipboard {
  #dpy: Deno.PointerObject | null = null;
  #win = 0n;
  #atoms: Atoms | null = null;
  #maxBytes = 0;
  #text: string | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #notify: { property: bigint } | null = null;
  #newValues = 0;
  #closed = false;
  readonly #event = new Uint8Array(XEVENT_SIZE);

  constructor(private readonly x: X11Libs, private readonly display: string) {}

  read(): Promise<string> {
    return this.#serially(() => this.#read());
  }

  write(text: string): Promise<void> {
    return this.#serially(() => Promise.resolve(this.#write(text)));
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    if (!this.#dpy) return;
    this.x.x.XDestroyWindow(this.#dpy, this.#win);
    this.x.x.XCloseDisplay(this.#dpy);
    this.#dpy = null;
  }

  #serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => {});
    return run;
  }

  #connect(): { dpy: Deno.PointerObject; a: Atoms } {
    if (this.#closed) throw new Error("This desktop is closed");
    if (this.#dpy && this.#atoms) return { dpy: this.#dpy, a: this.#atoms };
    const { x } = this.x;
    const dpy = x.XOpenDisplay(cString(this.display));
    if (!dpy) throw new Error(`Cannot open X display ${this.display} for the clipboard`);
    const root = x.XRootWindow(dpy, x.XDefaultScreen(dpy));
    this.#win = x.XCreateSimpleWindow(dpy, root, 0, 0, 1, 1, 0, 0n, 0n);
    x.XSelectInput(dpy, this.#win, BigInt(X.PropertyChangeMask));
    const a = Object.fromEntries(
      Object.entries(ATOM_NAMES).map(([k, name]) => [k, x.XInternAtom(dpy, cString(name), 0)]),
    ) as Atoms;
    const units = num(x.XExtendedMaxRequestSize(dpy)) || num(x.XMaxRequestSize(dpy));
    this.#maxBytes = (units - 64) * 4;
    this.#dpy = dpy;
    this.#atoms = a;
    return { dpy, a };
  }

  async #read(): Promise<string> {
    const { dpy, a } = this.#connect();
    this.#pump();
    const owner = this.x.x.XGetSelectionOwner(dpy, a.CLIPBOARD);
    if (owner === 0n) return "";
    if (owner === this.#win && this.#text !== null) return this.#text;
    const utf8 = await this.#convert(a.UTF8_STRING);
    if (utf8) return new TextDecoder().decode(utf8);
    const latin1 = await this.#convert(X.XA_STRING);
    return latin1 ? fromLatin1(latin1) : "";
  }

  #write(text: string): void {
    const { dpy, a } = this.#connect();
    this.#text = text;
    this.x.x.XSetSelectionOwner(dpy, a.CLIPBOARD, this.#win, 0n);
    if (this.x.x.XGetSelectionOwner(dpy, a.CLIPBOARD) !== this.#win) {
      this.#text = null;
      throw new Error("Could not take the clipboard");
    }
    if (this.#timer === undefined) {
      const timer = setInterval(() => this.#pump(), SERVE_POLL_MS);
      Deno.unrefTimer(timer);
      this.#timer = timer;
    }
  }

  /** Asks the owner for `target`; the bytes, or null if refused or too slow. */
  async #convert(target: bigint): Promise<Uint8Array | null> {
    const { dpy, a } = this.#connect();
    const { x } = this.x;
    x.XDeleteProperty(dpy, this.#win, a.PROP);
    this.#notify = null;
    x.XConvertSelection(dpy, a.CLIPBOARD, target, a.PROP, this.#win, 0n);
    x.XFlush(dpy);
    const note = await this.#until(() => this.#notify);
    if (!note || note.property === 0n) return null;
    const first = getProperty(this.x, dpy, this.#win, a.PROP, true);
    if (!first || first.type !== a.INCR) return first?.data ?? null;
    // INCR: each time we delete the property the owner writes the next chunk; empty ends it.
    this.#newValues = 0;
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      if (!await this.#until(() => this.#newValues > 0 || null)) return null;
      this.#newValues = 0;
      const chunk = getProperty(this.x, dpy, this.#win, a.PROP, true)?.data;
      if (!chunk || chunk.length === 0) break;
      chunks.push(chunk);
      total += chunk.length;
      if (total > MAX_CLIPBOARD_BYTES) return null;
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) out.set(c, (at += c.length) - c.length);
    return out;
  }

  async #until<T>(probe: () => T | null): Promise<T | null> {
    const end = performance.now() + CONVERT_TIMEOUT_MS;
    for (;;) {
      if (this.#closed) throw new Error("This desktop is closed");
      this.#pump();
      const value = probe();
      if (value) return value;
      if (performance.now() > end) return null;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  #pump(): void {
    const dpy = this.#dpy, a = this.#atoms;
    if (!dpy || !a || this.#closed) return;
    const ev = new DataView(this.#event.buffer);
    const u64 = (offset: number) => ev.getBigUint64(offset, true);
    while (this.x.x.XPending(dpy) > 0) {
      this.x.x.XNextEvent(dpy, this.#event);
      switch (ev.getInt32(EV.type, true)) {
        case X.SelectionRequest:
          this.#serve(dpy, a, ev);
          break;
        case X.SelectionClear:
          if (u64(EV.clrSelection) === a.CLIPBOARD) {
            this.#text = null; // another program owns the clipboard now
            clearInterval(this.#timer);
            this.#timer = undefined;
          }
          break;
        case X.SelectionNotify:
          if (u64(EV.notRequestor) === this.#win) this.#notify = { property: u64(EV.notProperty) };
          break;
        case X.PropertyNotify:
          if (
            u64(EV.propWindow) === this.#win && u64(EV.propAtom) === a.PROP &&
            ev.getInt32(EV.propState, true) === X.PropertyNewValue
          ) this.#newValues++;
          break;
      }
    }
  }

  #serve(dpy: Deno.PointerObject, a: Atoms, request: DataView): void {
    const u64 = (offset: number) => request.getBigUint64(offset, true);
    const requestor = u64(EV.reqRequestor), selection = u64(EV.reqSelection);
    const target = u64(EV.reqTarget);
    const property = u64(EV.reqProperty) || target; // obsolete clients send None
    const ok = selection === a.CLIPBOARD && this.#text !== null &&
      this.#answer(dpy, a, requestor, property, target, this.#text);
    const reply = new DataView(new ArrayBuffer(XEVENT_SIZE));
    reply.setInt32(EV.type, X.SelectionNotify, true);
    reply.setInt32(16, 1, true); // send_event
    reply.setBigUint64(EV.notRequestor, requestor, true);
    reply.setBigUint64(EV.notSelection, selection, true);
    reply.setBigUint64(EV.notTarget, target, true);
    reply.setBigUint64(EV.notProperty, ok ? property : 0n, true);
    reply.setBigUint64(EV.notTime, request.getBigUint64(EV.reqTime, true), true);
    this.x.x.XSendEvent(dpy, requestor, 0, 0n, new Uint8Array(reply.buffer));
    this.x.x.XFlush(dpy);
  }

  #answer(
    dpy: Deno.PointerObject,
    a: Atoms,
    requestor: bigint,
    property: bigint,
    target: bigint,
    text: string,
  ): boolean {
    const { x } = this.x;
    if (target === a.TARGETS) {
      const list = [a.TARGETS, a.UTF8_STRING, a.TEXT_PLAIN, a.TEXT, X.XA_STRING];
      const longs = new BigUint64Array(list); // format 32 = C longs
      const bytes = new Uint8Array(longs.buffer);
      x.XChangeProperty(
        dpy,
        requestor,
        property,
        X.XA_ATOM,
        32,
        X.PropModeReplace,
        bytes,
        list.length,
      );
      return true;
    }
    let bytes: Uint8Array<ArrayBuffer>;
    let type = target;
    if (target === a.UTF8_STRING || target === a.TEXT_PLAIN || target === a.TEXT) {
      bytes = new TextEncoder().encode(text);
      if (target === a.TEXT) type = a.UTF8_STRING;
    } else if (target === X.XA_STRING) {
      bytes = Uint8Array.from(
        text,
        (ch) => (ch.codePointAt(0)! <= 0xff ? ch.codePointAt(0)! : 0x3f),
      );
    } else {
      return false;
    }
    // Larger than one request would need INCR serving; the protocol caps text far below.
    if (bytes.length > this.#maxBytes) return false;
    x.XChangeProperty(dpy, requestor, property, type, 8, X.PropModeReplace, bytes, bytes.length);
    return true;
  }
}

function fromLatin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return text;
}
