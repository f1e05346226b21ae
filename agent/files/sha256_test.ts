import { deepEqual as assertEquals } from "node:assert/strict";
import { createHash } from "node:crypto";
import { Sha256 } from "./sha256.ts";

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const native = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

function random(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65536) crypto.getRandomValues(out.subarray(at, at + 65536));
  return out;
}

Deno.test("Sha256 gives the standard digests of '' and 'abc'", () => {
  const h = new Sha256();
  assertEquals(
    hex(h.digest()),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assertEquals(
    hex(h.reset().update(new TextEncoder().encode("abc")).digest()),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("Sha256 equals node:crypto at every length around the padding's block edges", () => {
  const h = new Sha256();
  const bytes = random(300);
  for (let n = 0; n <= 300; n++) {
    const part = bytes.subarray(0, n);
    assertEquals(hex(h.reset().update(part).digest()), native(part), `length ${n}`);
  }
});

Deno.test("Sha256 gives the same digest however the bytes are cut, reused after reset", () => {
  const h = new Sha256();
  for (const n of [1, 63, 64, 65, 4096, 100_003, 524_288]) {
    const bytes = random(n);
    const expected = native(bytes);
    for (let round = 0; round < 4; round++) {
      h.reset();
      for (let at = 0; at < n;) {
        const step = 1 + Math.floor(Math.random() * (round === 0 ? 3 : 200));
        h.update(bytes.subarray(at, at + step));
        at += step;
      }
      assertEquals(hex(h.digest()), expected, `length ${n}, round ${round}`);
    }
  }
});

Deno.test("Sha256.digestInto writes the 32 bytes at the offset and nothing else", () => {
  const out = new Uint8Array(40).fill(7);
  const bytes = random(5000);
  new Sha256().update(bytes).digestInto(out, 4);
  assertEquals(hex(out.subarray(4, 36)), native(bytes));
  assertEquals([...out.subarray(0, 4), ...out.subarray(36)], [7, 7, 7, 7, 7, 7, 7, 7]);
});
