// The nine alert sounds in static/sounds/ (made by tools/make_sounds.ts): one per alert,
// valid 16-bit mono 22050 Hz WAV, short, audible, all different, and what the tool makes now.
import assert from "node:assert/strict";
import { DESIGNS, encodeWav, render, SAMPLE_RATE } from "../../tools/make_sounds.ts";
import { SOUND_ALERTS } from "./options.ts";

const DIR = new URL("../../static/sounds/", import.meta.url);
const ascii = (bytes: Uint8Array, at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));

async function wav(id: string) {
  const bytes = await Deno.readFile(new URL(`${id}.wav`, DIR));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { bytes, view };
}

Deno.test("static/sounds holds exactly one WAV per sound alert", async () => {
  const files = [];
  for await (const entry of Deno.readDir(DIR)) files.push(entry.name);
  assert.deepEqual(files.sort(), SOUND_ALERTS.map((id) => `${id}.wav`).sort());
});

Deno.test("each alert WAV has a valid RIFF header: PCM, mono, 16-bit, 22050 Hz, 0.2–0.8 s", async () => {
  for (const id of SOUND_ALERTS) {
    const { bytes, view } = await wav(id);
    assert.equal(ascii(bytes, 0), "RIFF", id);
    assert.equal(view.getUint32(4, true), bytes.length - 8, `${id}: RIFF size`);
    assert.equal(ascii(bytes, 8), "WAVE", id);
    assert.equal(ascii(bytes, 12), "fmt ", id);
    assert.equal(view.getUint32(16, true), 16, `${id}: fmt size`);
    assert.equal(view.getUint16(20, true), 1, `${id}: PCM`);
    assert.equal(view.getUint16(22, true), 1, `${id}: mono`);
    assert.equal(view.getUint32(24, true), 22050, `${id}: sample rate`);
    assert.equal(view.getUint32(28, true), 22050 * 2, `${id}: byte rate`);
    assert.equal(view.getUint16(32, true), 2, `${id}: block align`);
    assert.equal(view.getUint16(34, true), 16, `${id}: bits`);
    assert.equal(ascii(bytes, 36), "data", id);
    assert.equal(view.getUint32(40, true), bytes.length - 44, `${id}: data size`);
    const seconds = (bytes.length - 44) / 2 / 22050;
    assert.ok(seconds >= 0.2 && seconds <= 0.8, `${id} lasts ${seconds.toFixed(2)} s`);
  }
});

Deno.test("each alert WAV is audible, starts and ends quietly, and differs from the others", async () => {
  const all = new Map<string, Uint8Array>();
  for (const id of SOUND_ALERTS) {
    const { bytes, view } = await wav(id);
    const count = (bytes.length - 44) / 2;
    let peak = 0;
    let energy = 0;
    for (let i = 0; i < count; i++) {
      const s = view.getInt16(44 + i * 2, true);
      peak = Math.max(peak, Math.abs(s));
      energy += s * s;
    }
    assert.ok(peak > 16_000, `${id}: peak ${peak}`);
    assert.ok(Math.sqrt(energy / count) > 1_000, `${id}: too quiet`);
    assert.ok(Math.abs(view.getInt16(44, true)) < 500, `${id}: starts with a click`);
    assert.ok(Math.abs(view.getInt16(bytes.length - 2, true)) < 500, `${id}: ends with a click`);
    all.set(id, bytes);
  }
  const ids = [...all.keys()];
  for (const [i, a] of ids.entries()) {
    for (const b of ids.slice(i + 1)) {
      const x = all.get(a)!, y = all.get(b)!;
      const same = x.length === y.length && x.every((byte, k) => byte === y[k]);
      assert.ok(!same, `${a} and ${b} are the same sound`);
    }
  }
});

Deno.test("the committed WAVs are what tools/make_sounds.ts makes (run it after changing a design)", async () => {
  for (const id of SOUND_ALERTS) {
    const { bytes } = await wav(id);
    const made = encodeWav(render(DESIGNS[id]), SAMPLE_RATE);
    assert.equal(bytes.length, made.length, id);
    const a = new DataView(bytes.buffer, bytes.byteOffset), b = new DataView(made.buffer);
    for (let k = 44; k < made.length; k += 2) {
      // One step of rounding is allowed, in case Math.sin differs in its last bit somewhere.
      const diff = Math.abs(a.getInt16(k, true) - b.getInt16(k, true));
      if (diff > 1) assert.fail(`${id} differs from the tool's output at byte ${k}`);
    }
  }
});
