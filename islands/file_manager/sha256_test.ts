import assert from "node:assert/strict";
import { hashBlob, Sha256 } from "./sha256.ts";

async function subtle(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("Sha256 matches crypto.subtle at every length around the block edges, fed in pieces", async () => {
  const data = new Uint8Array(300).map((_, i) => (i * 131 + 7) & 0xff);
  for (const length of [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 300]) {
    const bytes = data.subarray(0, length);
    const whole = new Sha256().update(bytes).hex();
    assert.equal(whole, await subtle(bytes), `length ${length}`);
    const pieces = new Sha256();
    for (let at = 0; at < length; at += 7) pieces.update(bytes.subarray(at, at + 7));
    assert.equal(pieces.hex(), whole, `length ${length} in pieces`);
  }
  assert.equal(
    new Sha256().update(new TextEncoder().encode("abc")).hex(),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("hashBlob() reads a large blob in pieces and agrees with the one-shot digest", async () => {
  const big = new Uint8Array(33 * 1024 * 1024 + 5).map((_, i) => i & 0xff);
  assert.equal(await hashBlob(new Blob([big])), await subtle(big));
  assert.equal(await hashBlob(new Blob([big.subarray(0, 10)])), await subtle(big.subarray(0, 10)));
});
