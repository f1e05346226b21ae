/**
 * Framing for the agent protocol: each message is one JSON text frame
 * `{"v":1,"seq":n,"msg":{…}}`. `Channel` keeps the sequence numbers of one direction each
 * way: `encode` numbers what it sends; `decode` accepts only the next number it expects and
 * refuses anything oversized, malformed, of another version, out of order or not in the
 * schema — with a code and a reason, never by throwing, and without moving its state, so one
 * bad frame costs that frame and the connection stays usable.
 */
import type { z } from "zod";
import { PROTOCOL_VERSION } from "./version.ts";

/** Largest frame either side accepts (64 KiB, the WebRTC data-channel limit too). */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Deepest JSON nesting accepted before parsing (a message needs 3). */
const MAX_DEPTH = 8;

export type DecodeErrorCode =
  | "too_large"
  | "not_text"
  | "malformed"
  | "version"
  | "out_of_order"
  | "invalid";

export type Decoded<T> =
  | { ok: true; message: T; seq: number }
  | { ok: false; code: DecodeErrorCode; reason: string };

export class Channel<In, Out> {
  #sent = 0;
  #expected = 1;

  constructor(private readonly schema: z.ZodType<In>) {}

  /** The frame for `message`, numbered after the previous one sent. */
  encode(message: Out): string {
    this.#sent++;
    return JSON.stringify({ v: PROTOCOL_VERSION, seq: this.#sent, msg: message });
  }

  /** The next expected sequence number (for tests and diagnostics). */
  get expected(): number {
    return this.#expected;
  }

  decode(frame: unknown): Decoded<In> {
    if (typeof frame !== "string") {
      return _refuse("not_text", "Frames are JSON text");
    }
    // A UTF-16 length bounds the UTF-8 length from below; check the real size only near it.
    if (
      frame.length > MAX_FRAME_BYTES || new TextEncoder().encode(frame).length > MAX_FRAME_BYTES
    ) {
      return _refuse("too_large", `Frames are at most ${MAX_FRAME_BYTES} bytes`);
    }
    if (_depth(frame) > MAX_DEPTH) return _refuse("malformed", "Nested too deeply");
    let parsed: unknown;
    try {
      parsed = JSON.parse(frame);
    } catch {
      return _refuse("malformed", "Not JSON");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      return _refuse("malformed", "A frame is a JSON object");
    }
    const { v, seq, msg, ...rest } = parsed as Record<string, unknown>;
    if (Object.keys(rest).length > 0) return _refuse("malformed", "Unknown frame fields");
    if (v !== PROTOCOL_VERSION) {
      return _refuse("version", `Protocol version ${String(v)} is not ${PROTOCOL_VERSION}`);
    }
    if (!Number.isSafeInteger(seq) || (seq as number) < 1) {
      return _refuse("malformed", "seq must be a positive integer");
    }
    if (seq !== this.#expected) {
      return _refuse("out_of_order", `Expected message ${this.#expected}, got ${seq}`);
    }
    const result = this.schema.safeParse(msg);
    if (!result.success) {
      const issue = result.error.issues[0];
      return _refuse("invalid", `${issue?.path.join(".") || "message"}: ${issue?.message}`);
    }
    this.#expected++;
    return { ok: true, message: result.data, seq: seq as number };
  }
}

function _refuse(code: DecodeErrorCode, reason: string): Decoded<never> {
  return { ok: false, code, reason };
}

/** Bracket depth outside strings: refuses `[[[[…` bombs before JSON.parse builds them. */
function _depth(frame: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < frame.length; i++) {
    const ch = frame.charCodeAt(i);
    if (inString) {
      if (ch === 92) i++; // backslash: skip the escaped character
      else if (ch === 34) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 123 || ch === 91) max = Math.max(max, ++depth);
    else if (ch === 125 || ch === 93) depth--;
  }
  return max;
}
