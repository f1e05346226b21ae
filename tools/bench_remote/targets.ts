// The report's fidelity tables for `deno task bench:remote`: per contender, and the targets of
// issue 14 (remote view, round 2) with every contender side by side — the first contender
// (noVNC) is the reference some targets are relative to.
import type { Fidelity, FidelityResult } from "./fidelity.ts";
import { STILL_AT_MS } from "./fidelity.ts";

interface W {
  workload: string;
  fps: number;
  nominalHz: number;
  latencyMs: { p50: number } | null;
  mbPerS: number;
  fidelity?: FidelityResult | null;
  autoQuality?: string | null;
}
interface C {
  name: string;
  workloads: W[];
}

const f1 = (n: number | undefined) => n !== undefined && Number.isFinite(n) ? n.toFixed(1) : "–";
const f3 = (n: number | undefined) => n !== undefined && Number.isFinite(n) ? n.toFixed(3) : "–";

function cells(f: Fidelity | null | undefined): string {
  if (!f) return "– | – | – | –";
  return `${f1(f.psnrY)} | ${f3(f.ssim)} | ${f1(f.psnrChroma)} | ${f1(f.psnrText)}${
    f.reduced ? " (reduced size)" : ""
  }`;
}

export function fidelityTable(c: C): string {
  const lines = [
    `### ${c.name}: picture fidelity (dB; SSIM 0–1)`,
    "",
    "| workload | when | pairs | PSNR-Y | SSIM | chroma PSNR | text PSNR |",
    "|---|---|---:|---:|---:|---:|---:|",
  ];
  for (const w of c.workloads) {
    const f = w.fidelity;
    if (!f) continue;
    if (w.autoQuality) lines.push(`| ${w.workload} | Automatic | | ${w.autoQuality} | | | |`);
    if (w.workload !== "idle") {
      lines.push(`| ${w.workload} | motion | ${f.motionPairs} | ${cells(f.motion)} |`);
    }
    STILL_AT_MS.forEach((at, i) => {
      lines.push(
        `| ${w.workload} | still +${at / 1000} s | ${f.still[i] ? 1 : 0} | ${cells(f.still[i])} |`,
      );
    });
  }
  return lines.join("\n");
}

type Check = {
  label: string;
  value: (w: C) => number;
  fmt: (n: number) => string;
  ok: (n: number, base: C) => boolean;
};

const wl = (c: C, name: string) => c.workloads.find((w) => w.workload === name);
const still05 = (c: C, name: string) => wl(c, name)?.fidelity?.still[0];
const motion = (c: C, name: string) => wl(c, name)?.fidelity?.motion;

const CHECKS: Check[] = [
  {
    label: "typing p50 ≤ 15 ms",
    value: (c) => wl(c, "typing")?.latencyMs?.p50 ?? NaN,
    fmt: f1,
    ok: (n) => n <= 15,
  },
  ...["scrolling", "video"].flatMap((name): Check[] => [
    {
      label: `${name} fps = 30`,
      value: (c) => wl(c, name)?.fps ?? NaN,
      fmt: f1,
      ok: (n) => n >= 29,
    },
    {
      label: `${name} p50 ≤ 30 ms`,
      value: (c) => wl(c, name)?.latencyMs?.p50 ?? NaN,
      fmt: f1,
      ok: (n) => n <= 30,
    },
  ]),
  ...["typing", "scrolling", "video"].flatMap((name): Check[] => [
    {
      label: `${name} still PSNR-Y ≥ 45 dB at +0.5 s`,
      value: (c) => still05(c, name)?.psnrY ?? NaN,
      fmt: f1,
      ok: (n) => n >= 45,
    },
    {
      label: `${name} still text ≥ 40 dB at +0.5 s`,
      value: (c) => still05(c, name)?.psnrText ?? NaN,
      fmt: f1,
      ok: (n) => n >= 40 || Number.isNaN(n),
    },
  ]),
  ...["scrolling", "video"].flatMap((name): Check[] => [
    {
      label: `${name} motion PSNR-Y ≥ noVNC's`,
      value: (c) => motion(c, name)?.psnrY ?? NaN,
      fmt: f1,
      ok: (n, base) => n >= (motion(base, name)?.psnrY ?? Infinity),
    },
    {
      label: `${name} motion chroma ≥ luma − 3 dB (chroma − luma)`,
      value: (c) => (motion(c, name)?.psnrChroma ?? NaN) - (motion(c, name)?.psnrY ?? NaN),
      fmt: f1,
      ok: (n) => n >= -3,
    },
  ]),
  {
    label: "60 Hz source: scrolling60 fps ≥ 55",
    value: (c) => wl(c, "scrolling60")?.fps ?? NaN,
    fmt: f1,
    ok: (n) => n >= 55,
  },
  {
    label: "video ≤ 1 MB/s",
    value: (c) => wl(c, "video")?.mbPerS ?? NaN,
    fmt: (n) => n.toFixed(2),
    ok: (n) => n <= 1,
  },
  {
    label: "idle 0 B/s (MB/s)",
    value: (c) => wl(c, "idle")?.mbPerS ?? NaN,
    fmt: (n) => n.toFixed(3),
    ok: (n) => n < 0.001,
  },
];

/** Every target, each contender's figure, ✓ / ✗ (the first contender is the reference). */
export function targetsTable(results: C[]): string {
  if (!results.length) return "";
  const base = results[0];
  const lines = [
    "### issue 14 targets, side by side (✓ met, ✗ not; the first contender is the reference)",
    "",
    `| target | ${results.map((r) => r.name).join(" | ")} |`,
    `|---|${results.map(() => "---:").join("|")}|`,
  ];
  for (const check of CHECKS) {
    const row = results.map((r) => {
      const v = check.value(r);
      if (Number.isNaN(v)) return "–";
      return `${check.fmt(v)} ${check.ok(v, base) ? "✓" : "✗"}`;
    });
    lines.push(`| ${check.label} | ${row.join(" | ")} |`);
  }
  return lines.join("\n");
}
