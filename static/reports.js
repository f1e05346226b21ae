// @ts-check
// The report pages (/admin/reports, modules/reports/views.tsx): the chart beside the table,
// drawn by uPlot (loaded from /vendor/uPlot.iife.min.js just before this), the period
// fields that apply to the chosen period, and the viewer's own time zone by default.

/**
 * @typedef {{ label: string; values: (number | null)[] }} Series
 * @typedef {{ type: "line" | "bars"; stacked?: boolean; unit?: string; xLabel: string; labels: string[];
 *   series: Series[] }} Chart
 */

// Told apart in both light and dark schemes, and by people with the common colour deficiencies
// (Okabe–Ito order).
const COLOURS = [
  "#0072b2",
  "#e69f00",
  "#009e73",
  "#cc79a7",
  "#56b4e9",
  "#d55e00",
  "#f0e442",
  "#999999",
];

/** @param {number} seconds */
function duration(seconds) {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

const form = /** @type {HTMLFormElement | null} */ (document.querySelector(".report-filters"));

// The viewer's time zone when the page was not asked for one: reload in it once.
const zone = /** @type {HTMLSelectElement | null} */ (document.getElementById("r-tz"));
const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
if (
  zone?.dataset.defaulted && browserZone && zone.value !== browserZone &&
  [...zone.options].some((o) => o.value === browserZone)
) {
  const url = new URL(location.href);
  url.searchParams.set("tz", browserZone);
  location.replace(url);
}

// Only the fields of the chosen period are shown (and sent).
const period = /** @type {HTMLSelectElement | null} */ (document.getElementById("r-period"));
function showPeriodFields() {
  for (const field of form?.querySelectorAll("[data-period]") ?? []) {
    const on = (/** @type {HTMLElement} */ (field).dataset.period ?? "").split(" ")
      .includes(period?.value ?? "");
    /** @type {HTMLElement} */ (field).hidden = !on;
    for (const input of field.querySelectorAll("input")) input.disabled = !on;
  }
}
period?.addEventListener("change", showPeriodFields);
showPeriodFields();

const box = document.getElementById("report-chart");
/** @type {any} */
const uPlot = /** @type {any} */ (globalThis).uPlot;
if (box && uPlot) draw(box, JSON.parse(box.dataset.chart ?? "{}"));

/**
 * Bars side by side would need a slot per series; instead a stacked chart paints running
 * totals from the largest down (each visible piece is one series), and nested bars paint
 * the larger series wide and the smaller narrower in front (picked up within sessions).
 * @param {HTMLElement} box
 * @param {Chart} chart
 */
function draw(box, chart) {
  const xs = chart.labels.map((_, i) => i);
  const seconds = chart.unit === "seconds";
  const bars = chart.type === "bars";
  const n = chart.series.length;
  /** @type {(number | null)[][]} */
  let data = chart.series.map((s) => s.values);
  /** @type {number[]} */
  let order = chart.series.map((_, k) => k);
  if (chart.stacked) {
    data = data.map((_, k) =>
      xs.map((i) => data.slice(0, k + 1).reduce((sum, v) => sum + (v[i] ?? 0), 0))
    ).reverse();
    order = order.reverse();
  }
  const styles = getComputedStyle(document.body);
  const ink = styles.color;
  const grid = { stroke: styles.getPropertyValue("--line") || "#ddd", width: 1 };
  // Labels on x never overlap: as many as fit the plot's width at their widest (measured in the
  // axis's own font), evenly spaced; the legend names any bar the pointer is on.
  const font = `12px ${styles.fontFamily}`;
  const measure = /** @type {CanvasRenderingContext2D} */ (
    document.createElement("canvas").getContext("2d")
  );
  measure.font = font;
  const labelWidth = Math.max(0, ...chart.labels.map((l) => measure.measureText(l).width)) + 16;
  /** @param {{ bbox: { width: number } }} u */
  const every = (u) => {
    const fit = Math.max(1, Math.floor(u.bbox.width / uPlot.pxRatio / labelWidth));
    return Math.max(1, Math.ceil(chart.labels.length / fit));
  };
  const number = new Intl.NumberFormat(document.documentElement.lang || undefined);
  /** @param {number | null} v */
  const shown = (v) => v === null ? "–" : seconds ? duration(v) : number.format(v);
  // With the pointer off the chart, a chart of counts shows each series' total over the period
  // in its legend (a median or a score does not add up: those show nothing until pointed at).
  const adds = chart.unit === "count" || chart.unit === "outcome";
  /** @param {Series} s */
  const total = (s) =>
    adds ? number.format(s.values.reduce((/** @type {number} */ sum, v) => sum + (v ?? 0), 0)) : "";
  const opts = {
    width: box.clientWidth || 800,
    height: 300,
    scales: { x: { time: false, range: () => [-0.6, xs.length - 0.4] } },
    legend: { live: true },
    axes: [
      {
        stroke: ink,
        font,
        grid: { show: false },
        splits: (/** @type {{ bbox: { width: number } }} */ u) => {
          const step = every(u);
          return xs.filter((i) => i % step === 0);
        },
        values: (/** @type {unknown} */ _u, /** @type {number[]} */ splits) =>
          splits.map((i) => chart.labels[i] ?? ""),
      },
      {
        stroke: ink,
        grid,
        size: 64,
        values: (/** @type {unknown} */ _u, /** @type {number[]} */ splits) =>
          splits.map((v) => seconds ? duration(v) : String(v)),
      },
    ],
    series: [
      {
        label: chart.xLabel,
        value: (
          /** @type {unknown} */ _u,
          /** @type {number | null} */ _v,
          /** @type {number} */ _s,
          /** @type {number | null} */ i,
        ) => i === null ? "" : chart.labels[i] ?? "",
      },
      ...order.map((k, drawn) => {
        const colour = COLOURS[k % COLOURS.length];
        const width = chart.stacked ? 0.8 : 0.8 * (1 - drawn * 0.5 / Math.max(1, n - 1));
        return {
          label: chart.series[k].label,
          stroke: colour,
          fill: bars ? colour : undefined,
          width: bars ? 0 : 2,
          points: { show: !bars && xs.length < 40 },
          // The legend shows the series' own number, not a running total.
          value: (
            /** @type {unknown} */ _u,
            /** @type {number | null} */ _v,
            /** @type {number} */ _s,
            /** @type {number | null} */ i,
          ) => i === null ? total(chart.series[k]) : shown(chart.series[k].values[i]),
          paths: bars ? uPlot.paths.bars({ size: [width, 80] }) : undefined,
        };
      }),
    ],
  };
  const plot = new uPlot(opts, [xs, ...data], box);
  new ResizeObserver(() => plot.setSize({ width: box.clientWidth, height: 300 })).observe(box);
}
