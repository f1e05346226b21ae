import assert from "node:assert/strict";
import { type AutoPreset, AutoQuality, type PeerMeasure } from "./quality.ts";

/** What each preset sends at 1080p while the screen moves (vp8.ts PRESETS), bits/s. */
const RATE: Record<AutoPreset, number> = {
  greyscale: 300_000,
  low: 600_000,
  normal: 1_500_000,
  high: 4_000_000,
};

/**
 * A link of `capacity` bits/s seen the way a browser reports it: the estimate (REMB) follows
 * what it receives (1.0–1.35× of it, as Chromium's does), loss is what does not fit, and the
 * round trip grows with the queue. `activity` is how much of the preset's rate the screen uses
 * (typing: a few per cent).
 */
function simulate(
  auto: AutoQuality,
  link: { capacity: number; activity: number; baseRttMs?: number },
  seconds: number,
  clock: { now: number },
): AutoPreset[] {
  const seen: AutoPreset[] = [];
  for (let t = 0; t < seconds; t += 2) {
    const sent = RATE[auto.choice.preset] * link.activity;
    const received = Math.min(sent, link.capacity);
    const measure: PeerMeasure = {
      estimatedBitrate: received * (1 + 0.35 * Math.random()),
      fractionLost: sent > link.capacity ? 1 - link.capacity / sent : 0,
      roundTripMs: (link.baseRttMs ?? 2) + (sent > link.capacity ? 300 : Math.random() * 3),
    };
    clock.now += 2_000;
    seen.push(auto.update([measure], clock.now).preset);
  }
  return seen;
}

Deno.test("AutoQuality starts at normal and holds it while nothing is measured", () => {
  const auto = new AutoQuality();
  assert.deepEqual(auto.update([], 0), { preset: "normal", reason: "start" });
  assert.deepEqual(auto.update([null, {}], 2_000), { preset: "normal", reason: "start" });
});

Deno.test("an estimate that follows the sent rate never ratchets down (typing on loopback)", () => {
  for (const activity of [0.02, 0.3, 1]) {
    const auto = new AutoQuality();
    const seen = simulate(auto, { capacity: 100_000_000, activity }, 300, { now: 0 });
    assert.ok(
      seen.every((p) => p === "normal" || p === "high"),
      `activity ${activity}: ${seen.join(" ")}`,
    );
    // A clean short link is probed upward.
    assert.equal(seen.at(-1), "high", `activity ${activity}`);
    assert.equal(auto.choice.reason, "clear");
  }
});

Deno.test("real loss steps down to what fits, and colour stays while low fits", () => {
  const auto = new AutoQuality();
  const clock = { now: 0 };
  const seen = simulate(auto, { capacity: 1_000_000, activity: 1, baseRttMs: 30 }, 300, clock);
  assert.ok(seen.slice(0, 3).includes("low"), seen.join(" "));
  assert.ok(!seen.includes("greyscale"), seen.join(" "));
  // Probes up now and then, less often after each failure: mostly at low.
  const low = seen.filter((p) => p === "low").length;
  assert.ok(low > seen.length * 0.8, seen.join(" "));
  assert.ok(["loss", "probing"].includes(auto.choice.reason) || auto.choice.preset === "low");
});

Deno.test("only a link that stays poor gives up colour", () => {
  const auto = new AutoQuality();
  const clock = { now: 0 };
  // One bad report is not enough to leave normal.
  assert.equal(
    auto.update([{ fractionLost: 0.5, roundTripMs: 20 }], clock.now += 2_000).preset,
    "normal",
  );
  assert.equal(
    auto.update([{ fractionLost: 0, roundTripMs: 20 }], clock.now += 2_000).preset,
    "normal",
  );
  const seen = simulate(auto, { capacity: 150_000, activity: 1, baseRttMs: 30 }, 30, clock);
  assert.ok(seen.slice(0, 3).every((p) => p !== "greyscale"), seen.join(" "));
  assert.equal(seen.at(-1), "greyscale", seen.join(" "));
  assert.equal(auto.choice.reason, "poor");
});

Deno.test("recovery steps back up once the link is clean again", () => {
  const auto = new AutoQuality();
  const clock = { now: 0 };
  simulate(auto, { capacity: 150_000, activity: 1, baseRttMs: 30 }, 40, clock);
  assert.equal(auto.choice.preset, "greyscale");
  const seen = simulate(auto, { capacity: 100_000_000, activity: 0.1, baseRttMs: 30 }, 120, clock);
  assert.equal(seen.at(-1), "high", seen.join(" "));
  // Step by step, each after a clean spell.
  assert.deepEqual([...new Set(seen)], ["greyscale", "low", "normal", "high"]);
});

Deno.test("a long round trip caps the probe at normal; delay alone stays there, poor delay steps down", () => {
  const auto = new AutoQuality();
  const clock = { now: 0 };
  const seen = simulate(auto, { capacity: 100_000_000, activity: 1, baseRttMs: 120 }, 120, clock);
  assert.ok(seen.every((p) => p === "normal"), seen.join(" "));
  for (let i = 0; i < 10; i++) {
    assert.equal(
      auto.update([{ fractionLost: 0, roundTripMs: 500 }], clock.now += 2_000).preset,
      "normal",
    );
  }
  auto.update([{ fractionLost: 0, roundTripMs: 1_500 }], clock.now += 2_000);
  assert.deepEqual(auto.update([{ fractionLost: 0, roundTripMs: 1_500 }], clock.now += 2_000), {
    preset: "low",
    reason: "delay",
  });
});

Deno.test("a busy machine on loopback (round trips of 150–900 ms, no loss) never goes below normal", () => {
  const auto = new AutoQuality();
  const clock = { now: 0 };
  // A clean start probes up to high…
  simulate(auto, { capacity: 100_000_000, activity: 0.05 }, 40, clock);
  assert.equal(auto.choice.preset, "high");
  // …then the machine gets busy: late reports, every round trip 150–900 ms, no packet lost.
  const seen: string[] = [];
  for (let i = 0; i < 150; i++) {
    const rtt = 150 + ((i * 397) % 750);
    seen.push(auto.update([{ fractionLost: 0, roundTripMs: rtt }], clock.now += 2_000).preset);
  }
  assert.ok(seen.includes("normal"), "high steps down: the delay grew");
  assert.ok(seen.every((p) => p === "normal" || p === "high"), seen.join(" "));
  assert.equal(auto.choice.preset, "normal");
  assert.equal(auto.choice.reason, "delay");
});

Deno.test("the best-connected viewer decides, not the slowest", () => {
  const auto = new AutoQuality();
  const slow = { fractionLost: 0.4, roundTripMs: 900 };
  const fast = { fractionLost: 0, roundTripMs: 5 };
  let choice = auto.choice;
  for (let now = 0; now < 60_000; now += 2_000) choice = auto.update([slow, null, fast], now);
  assert.equal(choice.preset, "high");
});
