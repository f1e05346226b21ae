// The bundle reader gives the same entries, bytes and hashes however the stream is cut into
// chunks (one byte at a time, every cut around the records, odd sizes), and still refuses a
// malformed record that arrives in pieces.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  bundleEnd,
  bundleEntry,
  BundleError,
  type BundleEvent,
  BundleReader,
  toHex,
} from "./files_bundle.ts";

function concat(pieces: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const piece of pieces) (out.set(piece, at), at += piece.byteLength);
  return out;
}

/** A bundle of a folder, files of 0, 1, 100 and 70,000 bytes (a long name too), its end. */
function sample(): Uint8Array {
  const parts: Uint8Array[] = [
    bundleEntry({ path: "tree", type: "dir", size: 0, mtime: null, mode: 0o755 }),
  ];
  for (const [i, size] of [0, 1, 100, 70_000].entries()) {
    const bytes = new Uint8Array(size).map((_, k) => (k * 7 + i) & 0xff);
    const path = `tree/${"n".repeat(i * 60)}file${i}.bin`;
    parts.push(bundleEntry({ path, type: "file", size, mtime: 1_700_000_000_000, mode: 0o644 }));
    parts.push(bytes, new Uint8Array(32).fill(i + 1));
  }
  parts.push(bundleEnd({ entries: 5, bytes: 70_101 }));
  return concat(parts);
}

/** The events of `chunks`, with each file's data joined (pieces depend on the cuts). */
function read(chunks: Uint8Array[]): string[] {
  const reader = new BundleReader();
  const out: string[] = [];
  let data: Uint8Array[] = [];
  for (const chunk of chunks) {
    for (const event of reader.push(chunk) as BundleEvent[]) {
      if (event.kind === "data") data.push(event.bytes.slice());
      else {
        if (data.length) {
          const joined = concat(data);
          out.push(`data ${createHash("sha256").update(joined).digest("hex")} ${joined.length}`);
        }
        data = [];
        out.push(
          event.kind === "entry"
            ? `entry ${JSON.stringify(event.header)}`
            : event.kind === "hash"
            ? `hash ${toHex(event.sha256)}`
            : `end ${JSON.stringify(event.summary)}`,
        );
      }
    }
  }
  assert.ok(reader.ended && reader.atBoundary, "ended between entries");
  return out;
}

function cut(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0, i = 0; at < bytes.byteLength; i++) {
    const size = sizes[i % sizes.length];
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

Deno.test("BundleReader.push() reads the same events however the stream is cut", () => {
  const bytes = sample();
  const whole = read([bytes]);
  assert.equal(whole.length, 13); // the folder, 4 × entry and hash, 3 × data, the end
  assert.deepEqual(read(cut(bytes, [1])), whole, "one byte at a time");
  for (const sizes of [[3], [7, 1, 64], [1000], [4096, 5], [65_536], [70_100, 2]]) {
    assert.deepEqual(read(cut(bytes, sizes)), whole, `chunks of ${sizes}`);
  }
  // Every cut in two around the first records and around the big file's end.
  for (const at of [...Array(600).keys(), ...Array.from({ length: 200 }, (_, k) => 70_200 + k)]) {
    assert.deepEqual(read([bytes.subarray(0, at), bytes.subarray(at)]), whole, `cut at ${at}`);
  }
});

Deno.test("BundleReader.push() refuses a malformed record that arrives in pieces", () => {
  const bad = concat([
    bundleEntry({ path: "a", type: "dir", size: 0, mtime: null, mode: null }),
    new Uint8Array([0x45, 0xff, 0xff, 0xff, 0xff, 0x7b]),
  ]);
  for (const at of [1, 10, bad.byteLength - 3]) {
    const reader = new BundleReader();
    assert.throws(() => {
      reader.push(bad.subarray(0, at));
      reader.push(bad.subarray(at));
    }, BundleError);
  }
});

Deno.test("BundleReader.push() completes a split header without copying the chunk behind it", () => {
  const header = bundleEntry({
    path: "big.bin",
    type: "file",
    size: 1 << 20,
    mtime: null,
    mode: null,
  });
  const reader = new BundleReader();
  assert.deepEqual(reader.push(header.subarray(0, 9)), []);
  const chunk = concat([header.subarray(9), new Uint8Array(1 << 20)]);
  const events = reader.push(chunk);
  assert.equal(events[0].kind, "entry");
  const data = events.filter((e) => e.kind === "data").map((e) => e.bytes);
  assert.equal(data.reduce((n, d) => n + d.byteLength, 0), 1 << 20);
  assert.ok(data.at(-1)!.buffer === chunk.buffer, "the file's bytes are views of the chunk");
});

Deno.test("BundleReader.read() makes each event when it is taken, not a chunk's list at once", () => {
  // Two small files, then a record that is not one, in one chunk: the first file's events come
  // out before the reader has looked at the rest. A receiver handling them as they come keeps
  // one file's header and views alive, not a 1 MiB message's ~250 (issue 16: those outlived
  // V8's young-generation collections and piled up in the old generation).
  const content = new Uint8Array([1, 2, 3]);
  const header = (path: string) =>
    bundleEntry({ path, type: "file", size: 3, mtime: null, mode: null });
  const chunk = concat([
    header("a.txt"),
    content,
    new Uint8Array(32).fill(9),
    header("b.txt"),
    content,
    new Uint8Array(32).fill(8),
    new Uint8Array([0x00, 0, 0, 0, 1, 0x7b]),
  ]);
  const events = new BundleReader().read(chunk);
  const first = events.next().value as BundleEvent;
  assert.equal(first.kind === "entry" && first.header.path, "a.txt");
  assert.deepEqual(events.next().value, { kind: "data", bytes: content });
  assert.deepEqual(events.next().value, { kind: "hash", sha256: new Uint8Array(32).fill(9) });
  const second = events.next().value as BundleEvent;
  assert.equal(second.kind === "entry" && second.header.path, "b.txt");
  assert.equal((events.next().value as BundleEvent).kind, "data");
  assert.equal((events.next().value as BundleEvent).kind, "hash");
  assert.throws(() => events.next(), BundleError);
  // push() reads the whole chunk first: the malformed record, nothing before it.
  assert.throws(() => new BundleReader().push(chunk), BundleError);
});
