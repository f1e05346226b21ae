/**
 * The cluster bench's figures from its runs: per instance count the spread of delivery
 * times over every (change, console) pair, consoles per change, losses, the generator's own
 * lag and each instance's CPU; per kind of change; each run against the 1-instance
 * baseline of the same invocation; and the issue's targets.
 */
import type { RunResult } from "./run.ts";

/** p95 from a status change to its consoles at 4 instances, in ms (issue 15). */
export const TARGET_P95_MS = 200;
/** What relaying a remote-view message may add at the median, in ms (issue 15). */
export const TARGET_RELAY_P50_MS = 5;

export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export interface Summary {
  instances: number;
  changes: number;
  deliveries: number;
  expected: number;
  lost: number;
  p50: number;
  p95: number;
  max: number;
}

export function summarize(r: RunResult, kind?: string): Summary {
  const picked = r.outcomes.filter((o) => !kind || o.kind === kind);
  const latencies = picked.flatMap((o) => o.latencies);
  return {
    instances: r.instances,
    changes: picked.length,
    deliveries: latencies.length,
    expected: picked.reduce((n, o) => n + o.expected, 0),
    lost: picked.reduce((n, o) => n + o.lost, 0),
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    max: latencies.length ? Math.max(...latencies) : NaN,
  };
}

const ms = (v: number) => Number.isNaN(v) ? "–" : `${v.toFixed(1)} ms`;
const KINDS = ["start", "hold", "resume", "waiting"] as const;
const KIND_LABEL: Record<string, string> = {
  start: "Start (group's consoles)",
  hold: "Hold (own console)",
  resume: "Resume (own console)",
  waiting: "new session → Waiting (group's consoles)",
};

/** The lines the bench prints (tables as console.table rows, the rest as text). */
export function report(
  results: RunResult[],
): { tables: Record<string, unknown>[][]; text: string[] } {
  const base = results.find((r) => r.instances === 1) ?? results[0];
  const baseline = summarize(base);
  const overall = results.map((r) => {
    const s = summarize(r);
    return {
      instances: r.instances,
      changes: s.changes,
      "consoles/change": `${(s.deliveries / s.changes).toFixed(1)} of ${
        (s.expected / s.changes).toFixed(1)
      }`,
      lost: s.lost,
      p50: ms(s.p50),
      p95: ms(s.p95),
      max: ms(s.max),
      "p50 vs 1": `${(s.p50 / baseline.p50).toFixed(2)}×`,
      "p95 vs 1": `${(s.p95 / baseline.p95).toFixed(2)}×`,
      "consoles open": `${r.openSeconds.toFixed(1)} s`,
      // The bench's own 20 ms timers: how late they fired (worker threads p99/max, main max).
      "generator lag": `${r.lag.workerP99.toFixed(0)}/${r.lag.workerMax.toFixed(0)}/${
        r.lag.mainMax.toFixed(0)
      } ms`,
    };
  });
  const byKind = results.flatMap((r) =>
    KINDS.map((kind) => {
      const s = summarize(r, kind);
      return {
        instances: r.instances,
        change: KIND_LABEL[kind],
        changes: s.changes,
        "consoles/change": s.changes ? (s.deliveries / s.changes).toFixed(1) : "–",
        lost: s.lost,
        p50: ms(s.p50),
        p95: ms(s.p95),
        max: ms(s.max),
      };
    })
  );
  const text: string[] = [];
  for (const r of results) {
    const cpu = r.cpu.map((c, i) =>
      `#${i + 1} ${c.total.toFixed(1)} s (${c.measured.toFixed(1)} s while measured)`
    );
    text.push(`CPU time per instance at ${r.instances}: ${cpu.join(", ")}`);
    if (r.failed.length > 0) {
      const reasons = [...new Set(r.failed.map((f) => `${f.kind}: ${f.reason}`))].slice(0, 3);
      text.push(
        `  ${r.failed.length} changes refused at ${r.instances} (not measured): ${
          reasons.join("; ")
        }`,
      );
    }
    if (r.lag.closed > 0) {
      text.push(`  ${r.lag.closed} console streams ended early at ${r.instances}`);
    }
  }
  const top = results.reduce((a, b) => (b.instances > a.instances ? b : a));
  const p95 = summarize(top).p95;
  const lost = summarize(top).lost;
  text.push(
    `target p95 < ${TARGET_P95_MS} ms at 4 instances: ${
      top.instances < 4
        ? `not run (largest run: ${top.instances})`
        : p95 < TARGET_P95_MS && lost === 0
        ? "met"
        : "NOT met"
    } — ${ms(p95)} at ${top.instances} (${(p95 / baseline.p95).toFixed(2)}× the 1-instance p95 of ${
      ms(baseline.p95)
    }), ${lost} lost`,
  );
  const relayed = results.filter((r) => r.relay);
  for (const r of relayed) {
    const { local, relayed: hop, note } = r.relay!;
    const added = quantile(hop, 0.5) - quantile(local, 0.5);
    text.push(
      `relayed remote view at ${r.instances}: p50 ${ms(quantile(local, 0.5))} same instance, ${
        ms(quantile(hop, 0.5))
      } relayed (p95 ${ms(quantile(local, 0.95))} / ${
        ms(quantile(hop, 0.95))
      }, n=${hop.length}) → ${ms(added)} added; target ≤ ${TARGET_RELAY_P50_MS} ms: ${
        added <= TARGET_RELAY_P50_MS ? "met" : "NOT met"
      }${note ? ` (${note})` : ""}`,
    );
  }
  if (relayed.length === 0) {
    text.push("relayed remote view: not measured (it needs a run with 2 or more instances)");
  }
  return { tables: [overall, byKind], text };
}
