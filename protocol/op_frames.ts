/**
 * An agent operation's JSON body in frames (docs/agent_ops.md): `splitOpBody` cuts it into
 * pieces whose frames stay under the codec's 64 KiB (measured as the frame will be encoded,
 * so escapes and multi-byte characters count), `OpBodies` puts pieces back together per
 * operation id, refusing a body over `OP_BODY_MAX` or too many at once.
 */
import { OP_BODY_MAX, OP_PART_MAX } from "./ops.ts";

/** What one piece may take in a frame, leaving room for the envelope. */
const PIECE_BYTES = 60_000;
const encoder = new TextEncoder();

/** The body's pieces, in order (at least one, possibly empty). */
export function splitOpBody(json: string): string[] {
  const pieces: string[] = [];
  let at = 0;
  do {
    let size = Math.min(OP_PART_MAX, json.length - at);
    for (;;) {
      // Never between the halves of a surrogate pair.
      if (at + size < json.length && _isHighSurrogate(json.charCodeAt(at + size - 1))) size--;
      const piece = json.slice(at, at + size);
      if (size <= 1 || encoder.encode(JSON.stringify(piece)).length <= PIECE_BYTES) {
        pieces.push(piece);
        at += size;
        break;
      }
      size = Math.floor(size / 2);
    }
  } while (at < json.length);
  return pieces;
}

/** Pieces being received, per operation id. */
export class OpBodies {
  readonly #bodies = new Map<string, { pieces: string[]; size: number }>();

  constructor(private readonly maxOpen = 32) {}

  /** Adds a piece; false (and the body is dropped) when it would be too big or too many. */
  add(id: string, piece: string): boolean {
    let body = this.#bodies.get(id);
    if (!body) {
      if (this.#bodies.size >= this.maxOpen) return false;
      this.#bodies.set(id, body = { pieces: [], size: 0 });
    }
    body.size += piece.length;
    if (body.size > OP_BODY_MAX) {
      this.#bodies.delete(id);
      return false;
    }
    body.pieces.push(piece);
    return true;
  }

  /** The whole body with its last piece, or null when it is too big. */
  finish(id: string, last: string): string | null {
    const body = this.#bodies.get(id);
    this.#bodies.delete(id);
    if (!body) return last.length > OP_BODY_MAX ? null : last;
    if (body.size + last.length > OP_BODY_MAX) return null;
    return body.pieces.join("") + last;
  }

  drop(id: string) {
    this.#bodies.delete(id);
  }

  clear() {
    this.#bodies.clear();
  }
}

function _isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
