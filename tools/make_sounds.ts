// Synthesises the console's nine alert sounds (SPEC Q7) into static/sounds/<id>.wav:
// 16-bit PCM, mono, 22050 Hz, each a short pattern of enveloped tones that can be told
// apart by ear. Deterministic, so running it again changes no file.
//   deno run --allow-write=static/sounds tools/make_sounds.ts
import { SOUND_ALERTS, type SoundAlert } from "../modules/console/options.ts";

export const SAMPLE_RATE = 22050;

/** One tone: starts at `at` seconds, lasts `len`, optionally gliding to `to` Hz. */
interface Note {
  at: number;
  len: number;
  hz: number;
  to?: number;
  /** Peak level, 0..1 (default 1). */
  level?: number;
  /** "bell" decays fast and rings with overtones; "soft" swells in and out; "buzz" is harsh. */
  voice?: "bell" | "soft" | "buzz";
}

const C5 = 523.25, E5 = 659.25, G5 = 783.99, C6 = 1046.5, E6 = 1318.5, A4 = 440, G4 = 392;

/** The patterns: urgency rises with tempo and pitch; bad news falls, good news rises. */
export const DESIGNS: Record<SoundAlert, Note[]> = {
  // Two rising chimes, long tail: enough to be heard from another window.
  newSessionMinimised: [{ at: 0, len: 0.3, hz: C5 }, { at: 0.18, len: 0.5, hz: G5 }],
  // One gentle ding: the console is in front of the technician anyway.
  newSessionOpen: [{ at: 0, len: 0.35, hz: E5, level: 0.8 }],
  // Two falling tones.
  customerDisconnected: [{ at: 0, len: 0.25, hz: G4 }, { at: 0.2, len: 0.4, hz: 261.63 }],
  // Three low, harsh pulses.
  networkLost: [0, 0.2, 0.4].map((at) => ({ at, len: 0.14, hz: 196, voice: "buzz" as const })),
  // A short downward glide: "no".
  customerDenied: [{ at: 0, len: 0.35, hz: A4, to: 294, voice: "soft" }],
  // Fast high/low alternation, like a small siren.
  sessionUrgent: [0, 0.16, 0.32, 0.48].map((at, i) => ({
    at,
    len: 0.14,
    hz: i % 2 ? 660 : 880,
    voice: "soft" as const,
  })),
  // A bright double blip.
  chatMinimised: [{ at: 0, len: 0.12, hz: C6 }, { at: 0.14, len: 0.2, hz: C6 }],
  // A single short, high blip: the least intrusive.
  chatUnfocused: [{ at: 0, len: 0.22, hz: E6, level: 0.7 }],
  // A rising arpeggio, "something arrived".
  customerSentFile: [C5, E5, G5, C6].map((hz, i) => ({ at: i * 0.09, len: 0.3, hz })),
};

/** Renders one design to samples in -1..1, normalised to a comfortable peak. */
export function render(notes: Note[], rate = SAMPLE_RATE): Float32Array {
  const seconds = Math.max(...notes.map((n) => n.at + n.len)) + 0.02;
  const out = new Float32Array(Math.round(seconds * rate));
  for (const note of notes) {
    const start = Math.round(note.at * rate);
    const count = Math.round(note.len * rate);
    let phase = 0;
    for (let i = 0; i < count && start + i < out.length; i++) {
      const t = i / rate;
      const progress = i / count;
      const hz = note.to ? note.hz * Math.pow(note.to / note.hz, progress) : note.hz;
      phase += 2 * Math.PI * hz / rate;
      out[start + i] += (note.level ?? 1) * _envelope(note.voice, t, progress) *
        _wave(note.voice, phase);
    }
  }
  const peak = out.reduce((max, s) => Math.max(max, Math.abs(s)), 0) || 1;
  return out.map((s) => (s / peak) * 0.7);
}

function _wave(voice: Note["voice"], phase: number): number {
  if (voice === "buzz") return Math.tanh(3 * Math.sin(phase)) * 0.8 + 0.2 * Math.sin(3 * phase);
  if (voice === "soft") return Math.sin(phase);
  return Math.sin(phase) + 0.35 * Math.sin(2 * phase) + 0.12 * Math.sin(3.01 * phase);
}

/** A 5 ms attack and a release over the last 5 % (no clicks), the voice's shape between. */
function _envelope(voice: Note["voice"], t: number, progress: number): number {
  const attack = Math.min(1, t / 0.005);
  const release = Math.min(1, (1 - progress) * 20);
  const body = voice === "soft" ? Math.sin(Math.PI * progress) ** 0.5 : Math.exp(-5 * progress);
  return attack * release * body;
}

/** A canonical 44-byte-header WAV file: PCM, 16-bit little-endian, mono. */
export function encodeWav(samples: Float32Array, rate = SAMPLE_RATE): Uint8Array {
  const bytes = new Uint8Array(44 + samples.length * 2);
  const view = new DataView(bytes.buffer);
  const text = (offset: number, s: string) =>
    [...s].forEach((ch, i) => view.setUint8(offset + i, ch.charCodeAt(0)));
  text(0, "RIFF");
  view.setUint32(4, 36 + samples.length * 2, true);
  text(8, "WAVE");
  text(12, "fmt ");
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true); // bytes per second
  view.setUint16(32, 2, true); // bytes per frame
  view.setUint16(34, 16, true); // bits per sample
  text(36, "data");
  view.setUint32(40, samples.length * 2, true);
  samples.forEach((s, i) => {
    view.setInt16(44 + i * 2, Math.round(Math.max(-1, Math.min(1, s)) * 32767), true);
  });
  return bytes;
}

if (import.meta.main) {
  const dir = new URL("../static/sounds/", import.meta.url);
  await Deno.mkdir(dir, { recursive: true });
  for (const id of SOUND_ALERTS) {
    const wav = encodeWav(render(DESIGNS[id]));
    await Deno.writeFile(new URL(`${id}.wav`, dir), wav);
    console.log(`static/sounds/${id}.wav  ${(wav.length / 1024).toFixed(1)} KiB`);
  }
}
