/**
 * The automatic quality choice (preset "auto"): which preset the agent should encode at, from
 * what the viewers' WebRTC peers measure (relay.ts), and why — the island tells the technician.
 *
 * Not from the browser's bandwidth estimate (REMB). Chromium's estimate stays at about 1.0–1.35×
 * what it is receiving, and what it receives is what this choice makes the agent send: mapping
 * the estimate to a preset ratchets down (one dip gives a lower preset, whose lower rate keeps
 * the estimate below the threshold for good; typing never reaches it at all). So, like a
 * congestion controller, `AutoQuality` decides on the link's own signs of trouble — loss in the
 * receiver reports and a round trip grown well beyond the link's best — and probes upward while
 * the link stays clean. Greyscale (the only step that takes colour away) needs a link that is
 * poor for a sustained while, not one bad report.
 *
 * Delay alone (a round trip grown, no loss) steps down to Normal at most: on loopback or a LAN a
 * busy machine (the server's or the viewer's event loop late to answer reports) looks exactly
 * like a queue, and measured so in bench:remote on the loaded test machine — Automatic went to
 * Low on loopback, where Low only takes the sharp still picture away (it is never refined) and
 * saves no CPU. Below Normal needs loss, or a round trip over DELAY_POOR_MS (a queue that
 * really does not drain; the relay meanwhile skips frames for that viewer, relay.ts).
 */
import type { AutoReason, QualityPreset } from "../../protocol/mod.ts";

/** What one viewer's peer has measured so far (undefined: nothing yet). */
export interface PeerMeasure {
  readonly estimatedBitrate?: number;
  readonly roundTripMs?: number;
  /** Share of packets lost since the previous receiver report, 0…1. */
  readonly fractionLost?: number;
}

export type AutoPreset = Exclude<QualityPreset, "auto">;
export type { AutoReason };
export interface AutoChoice {
  preset: AutoPreset;
  reason: AutoReason;
}

/** From least to most: a step is one place along it. */
const LADDER: readonly AutoPreset[] = ["greyscale", "low", "normal", "high"];
const START = 2; // normal

/** A report with more loss than this is a bad one… */
const LOSS_BAD = 0.05;
/** …one with less is clean (between the two: neither). */
const LOSS_CLEAN = 0.02;
/** Round trip this far above the link's best (queues filling) is a bad report. */
const DELAY_GROWTH_MS = 150;
/** A round trip this long is a bad report whatever the link's best. */
const DELAY_BAD_MS = 400;
/** Loss or round trip at which the link is poor (the only way to greyscale). */
const LOSS_POOR = 0.15;
const DELAY_POOR_MS = 1_000;
/** Bad reports in a row before a step down (each ≈ one `update`, every 2 s)… */
const DOWN_AFTER = 2;
/** …and poor reports in a row, at "low", before colour is given up. */
const POOR_AFTER = 3;
/** Clean time before probing one step up; doubled after each failed probe, up to the max. */
const UP_AFTER_MS = 8_000;
const UP_AFTER_MAX_MS = 64_000;
/** A step down this soon after a step up means the probe failed. */
const PROBE_WINDOW_MS = 10_000;
/** "high" only over a short round trip (its bursts would queue on a long one). */
const HIGH_RTT_MS = 80;

/** One controller per session; `update` is called with every viewer's peer, every 2 s. */
export class AutoQuality {
  #level = START;
  #reason: AutoReason = "start";
  #bad = 0;
  #poor = 0;
  #cleanSince: number | null = null;
  #upAfterMs = UP_AFTER_MS;
  #lastUpAt = -Infinity;
  /** The lowest round trip seen: the link's own delay, without queues. */
  #baseRttMs = Infinity;

  get choice(): AutoChoice {
    return { preset: LADDER[this.#level], reason: this.#reason };
  }

  update(peers: readonly (PeerMeasure | null | undefined)[], now: number): AutoChoice {
    const measured = peers.filter((p): p is PeerMeasure =>
      !!p && (p.fractionLost !== undefined || p.roundTripMs !== undefined)
    );
    if (!measured.length) return this.choice;
    // The best-connected viewer decides: a slow one skips frames on its own (relay.ts).
    const best = measured.reduce((a, b) => score(b) < score(a) ? b : a);
    const loss = best.fractionLost ?? 0;
    const rtt = best.roundTripMs;
    if (rtt !== undefined) this.#baseRttMs = Math.min(this.#baseRttMs, rtt);
    const delayed = rtt !== undefined &&
      (rtt > DELAY_BAD_MS || rtt > this.#baseRttMs + DELAY_GROWTH_MS);
    const poor = loss > LOSS_POOR || (rtt ?? 0) > DELAY_POOR_MS;

    if (loss > LOSS_BAD || delayed) {
      this.#cleanSince = null;
      this.#bad++;
      this.#poor = poor ? this.#poor + 1 : 0;
      const reason: AutoReason = loss > LOSS_BAD ? "loss" : "delay";
      // Delay alone (see the header) stops at Normal.
      const floor = reason === "delay" && !poor ? START : 1;
      if (this.#level > floor && this.#bad >= DOWN_AFTER) this.#step(-1, reason, now);
      else if (this.#level === 1 && this.#poor >= POOR_AFTER) this.#step(-1, "poor", now);
      return this.choice;
    }
    this.#bad = 0;
    this.#poor = 0;
    if (loss >= LOSS_CLEAN) return this.choice; // neither bad nor clean: hold
    this.#cleanSince ??= now;
    if (this.#reason === "probing" && now - this.#lastUpAt >= PROBE_WINDOW_MS) {
      this.#reason = "clear";
      this.#upAfterMs = UP_AFTER_MS; // the probe held
    }
    const ceiling = (rtt ?? Infinity) < HIGH_RTT_MS ? LADDER.length - 1 : START;
    if (this.#level < ceiling && now - this.#cleanSince >= this.#upAfterMs) {
      this.#step(+1, "probing", now);
      this.#cleanSince = now;
    } else if (this.#reason === "start") {
      this.#reason = "clear";
    }
    return this.choice;
  }

  #step(by: number, reason: AutoReason, now: number) {
    this.#level = Math.max(0, Math.min(LADDER.length - 1, this.#level + by));
    this.#reason = reason;
    this.#bad = 0;
    this.#poor = 0;
    if (by > 0) this.#lastUpAt = now;
    else if (now - this.#lastUpAt < PROBE_WINDOW_MS) {
      this.#upAfterMs = Math.min(UP_AFTER_MAX_MS, this.#upAfterMs * 2);
    }
  }
}

/** Lower is better: loss first, then round trip. */
function score(p: PeerMeasure): number {
  return (p.fractionLost ?? 0) * 10_000 + Math.min(p.roundTripMs ?? 0, 9_999);
}
