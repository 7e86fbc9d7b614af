/**
 * Benchmark figures as standalone SVG strings: no scripts, no external fonts or stylesheets,
 * so a report can embed them with ![...](file.svg) and GitHub renders them as plain images.
 * Inputs are measurements, so they can be empty or hold NaN; such values are dropped and an
 * empty figure says so in words, because one NaN coordinate makes a renderer drop the element.
 */
import { percentile, round } from "./stats";

export interface Series {
  readonly name: string;
  /** Latencies in ms. */
  readonly samples: readonly number[];
}
export interface LagPoint {
  readonly atSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly max?: number;
  readonly rate?: number;
}
export interface RatioBar {
  readonly name: string;
  readonly ratio: number;
  readonly target?: number;
}

/** Okabe-Ito: distinguishable with the common colour-vision deficiencies. */
const COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"] as const;
const [BLUE, ORANGE, GREEN, PINK] = COLOURS;
const colour = (i: number) => COLOURS[i % COLOURS.length] ?? BLUE;
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
/** A white outline under text that crosses lines and bars, so it stays readable. */
const HALO = 'stroke="#fff" stroke-width="3" paint-order="stroke"';

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
/** A coordinate to 0.1 px; the guard is the last line of defence against NaN in the output. */
const n = (v: number) => (Number.isFinite(v) ? Math.round(v * 10) / 10 : 0);
const finite = (values: readonly number[]) => values.filter((v) => Number.isFinite(v));
const minOf = (values: readonly number[]) => values.reduce((a, b) => Math.min(a, b), Infinity);
const maxOf = (values: readonly number[]) => values.reduce((a, b) => Math.max(a, b), -Infinity);
const size = (v: number | undefined, fallback: number) =>
  v !== undefined && Number.isFinite(v) && v >= 240 ? Math.round(v) : fallback;
/** Rough width of 12px system-ui text: enough to lay out legends and label columns. */
const textWidth = (s: string) => s.length * 6.6;
const label = (v: number) =>
  Number.isFinite(v)
    ? Number(v.toPrecision(6)).toLocaleString("en-US", { maximumFractionDigits: 6 })
    : "?";
const ms = (v: number) => `${label(round(v, v >= 100 ? 0 : v >= 10 ? 1 : 2))} ms`;

/**
 * stats.percentile's nearest rank on samples sorted once: percentile() copies and sorts per
 * call, which for the 201 points of a curve over 100k samples takes seconds.
 */
const nearestRank = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;

interface Axis {
  readonly ticks: readonly number[];
  readonly at: (v: number) => number;
}
interface Box {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/** A linear axis over [min, max] widened to round ticks in 1-2-5 steps. */
function linearAxis(min: number, max: number, from: number, to: number, count = 5): Axis {
  const hiValue = max > min ? max : min === 0 ? 1 : min + Math.abs(min);
  const raw = (hiValue - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const f = raw / magnitude;
  const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(hiValue / step) * step;
  const ticks: number[] = [];
  for (let i = 0; lo + i * step <= hi + step / 2; i++)
    ticks.push(Number((lo + i * step).toPrecision(12)));
  return { ticks, at: (v) => from + ((v - lo) / (hi - lo)) * (to - from) };
}

/** A log axis for min > 0, from the 1-2-5 value below the data to the one above it. */
function logAxis(min: number, max: number, from: number, to: number): Axis {
  const steps: { value: number; power: boolean }[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++)
    for (const m of [1, 2, 5])
      steps.push({ value: Number((m * 10 ** e).toPrecision(12)), power: m === 1 });
  const lo = maxOf(steps.map((s) => s.value).filter((v) => v <= min));
  const hi = minOf(steps.map((s) => s.value).filter((v) => v >= max));
  const span = Math.log10(hi) - Math.log10(lo);
  // Over more than two decades 1-2-5 labels crowd: keep the powers of ten and the two ends.
  const shown = steps.filter((s) => s.value >= lo && s.value <= hi);
  return {
    ticks: shown
      .filter((s) => span <= 2 || s.power || s.value === lo || s.value === hi)
      .map((s) => s.value),
    at: (v) => from + ((Math.log10(v) - Math.log10(lo)) / span) * (to - from),
  };
}

function svg(width: number, height: number, title: string, body: readonly string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="12" fill="#222">`,
    `<title>${esc(title)}</title>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${n(width / 2)}" y="24" text-anchor="middle" font-size="15" font-weight="600">${esc(title)}</text>`,
    ...body,
    "</svg>",
    "",
  ].join("\n");
}

const emptySvg = (title: string, message: string, width: number, height: number) =>
  svg(width, height, title, [
    `<text class="empty" x="${n(width / 2)}" y="${n(height / 2)}" text-anchor="middle" fill="#666">${esc(message)}</text>`,
  ]);

interface Key {
  readonly text: string;
  readonly colour: string;
  readonly mark?: "line" | "dash" | "dots" | "bar";
}
const DASHES = { line: "", dash: ' stroke-dasharray="6 4"', dots: ' stroke-dasharray="2 3"' };

/** Legend entries flowing left to right, wrapping at maxX; returns where the legend ends. */
function legend(keys: readonly Key[], x0: number, y0: number, maxX: number) {
  const parts: string[] = [];
  let x = x0;
  let y = y0;
  for (const key of keys) {
    const w = 22 + textWidth(key.text) + 18;
    if (x > x0 && x + w > maxX) {
      x = x0;
      y += 18;
    }
    const mark = key.mark ?? "line";
    parts.push(
      mark === "bar"
        ? `<rect x="${n(x)}" y="${n(y - 5)}" width="16" height="10" fill="${key.colour}" opacity="0.85"/>`
        : `<line x1="${n(x)}" x2="${n(x + 16)}" y1="${n(y)}" y2="${n(y)}" stroke="${key.colour}" stroke-width="2.5"${DASHES[mark]}/>`,
      `<text class="legend" x="${n(x + 21)}" y="${n(y)}" dy="0.32em">${esc(key.text)}</text>`,
    );
    x += w;
  }
  return { parts, bottom: y + 10 };
}

const frame = (b: Box) =>
  `<rect class="plot" x="${b.left}" y="${n(b.top)}" width="${n(b.right - b.left)}" height="${n(b.bottom - b.top)}" fill="none" stroke="#bbb"/>`;

function yTicks(b: Box, axis: Axis, side: "left" | "right" = "left"): string[] {
  return axis.ticks.flatMap((t) => {
    const y = n(axis.at(t));
    const x = side === "left" ? b.left - 6 : b.right + 6;
    const anchor = side === "left" ? "end" : "start";
    return [
      side === "left"
        ? `<line x1="${b.left}" x2="${b.right}" y1="${y}" y2="${y}" stroke="#e6e6e6"/>`
        : "",
      `<text class="y-tick" x="${x}" y="${y}" dy="0.32em" text-anchor="${anchor}" fill="#555">${label(t)}</text>`,
    ].filter(Boolean);
  });
}

function xTicks(b: Box, axis: Axis, suffix = ""): string[] {
  return axis.ticks.flatMap((t) => {
    const x = n(axis.at(t));
    return [
      `<line x1="${x}" x2="${x}" y1="${n(b.top)}" y2="${n(b.bottom)}" stroke="#e6e6e6"/>`,
      `<text class="x-tick" x="${x}" y="${n(b.bottom + 16)}" text-anchor="middle" fill="#555">${label(t)}${suffix}</text>`,
    ];
  });
}

function axisTitles(b: Box, x: string, y?: string, y2?: string): string[] {
  const middle = n((b.top + b.bottom) / 2);
  const rotated = (at: number, text: string) =>
    `<text class="axis-title" transform="translate(${n(at)} ${middle}) rotate(-90)" text-anchor="middle">${esc(text)}</text>`;
  return [
    `<text class="axis-title" x="${n((b.left + b.right) / 2)}" y="${n(b.bottom + 36)}" text-anchor="middle">${esc(x)}</text>`,
    y === undefined ? "" : rotated(b.left - 52, y),
    y2 === undefined ? "" : rotated(b.right + 50, y2),
  ].filter(Boolean);
}

const polyline = (
  points: readonly (readonly [number, number])[],
  stroke: string,
  extra = "",
  strokeWidth = 2,
) =>
  `<polyline class="series" points="${points.map(([x, y]) => `${n(x)},${n(y)}`).join(" ")}" fill="none" stroke="${stroke}" stroke-width="${strokeWidth}" stroke-linejoin="round"${extra}/>`;

/** Latency distribution per variant, e.g. the shop against its raw baseline: a CDF (percentile on the x axis, 0-100, with marks at p50/p90/p99; latency on the y axis, log scale when max/min > 50) with one line per series, a legend with each series' p50 and p99. */
export function latencyDistributionSvg(
  title: string,
  series: readonly Series[],
  options: { width?: number; height?: number } = {},
): string {
  const width = size(options.width, 800);
  const height = size(options.height, 480);
  const clean = series.map((s) => ({
    name: s.name,
    samples: finite(s.samples).sort((a, b) => a - b),
  }));
  const all = clean.flatMap((s) => s.samples);
  if (all.length === 0)
    return emptySvg(
      title,
      series.length === 0 ? "No series to plot" : "No latency samples to plot",
      width,
      height,
    );
  const keys = clean.map((s, i) => ({
    colour: colour(i),
    text:
      s.samples.length === 0
        ? `${s.name}: no samples`
        : `${s.name}: p50 ${ms(percentile(s.samples, 50))} · p99 ${ms(percentile(s.samples, 99))}`,
  }));
  const key = legend(keys, 72, 46, width - 24);
  const box: Box = { left: 72, right: width - 24, top: key.bottom + 22, bottom: height - 50 };
  const min = minOf(all);
  const max = maxOf(all);
  const log = min > 0 && max / min > 50;
  const y = log
    ? logAxis(min, max, box.bottom, box.top)
    : linearAxis(Math.min(0, min), max, box.bottom, box.top);
  const x = linearAxis(0, 100, box.left, box.right);
  // Every half percentile: enough to draw the tail's step without an SVG the size of the data.
  const lines = clean.flatMap((s, i) => {
    if (s.samples.length === 0) return [];
    const points = Array.from(
      { length: 201 },
      (_, k) => [x.at(k / 2), y.at(nearestRank(s.samples, k / 2))] as const,
    );
    return [polyline(points, colour(i))];
  });
  const marks = [50, 90, 99].flatMap((p) => {
    const at = n(x.at(p));
    return [
      `<line class="mark" x1="${at}" x2="${at}" y1="${n(box.top)}" y2="${n(box.bottom)}" stroke="#888" stroke-dasharray="3 3"/>`,
      `<text x="${at}" y="${n(box.top - 5)}" text-anchor="middle" fill="#555">p${p}</text>`,
    ];
  });
  return svg(width, height, title, [
    ...yTicks(box, y),
    ...xTicks(box, x),
    ...marks,
    frame(box),
    ...lines,
    ...key.parts,
    ...axisTitles(box, "Percentile (%)", `Latency (ms${log ? ", log scale" : ""})`),
  ]);
}

/** Pipeline lag over time in a sustained run: x = seconds since start, y = lag ms (p50 and p99 lines per second), an optional horizontal target line (e.g. 500 ms, dashed, labelled), and optionally orders/s placed as a light bar series on a secondary axis. */
export function lagOverTimeSvg(
  title: string,
  points: readonly LagPoint[],
  options: { targetMs?: number; width?: number; height?: number } = {},
): string {
  const width = size(options.width, 800);
  const height = size(options.height, 480);
  const pts = points
    .filter((p) => Number.isFinite(p.atSecond) && Number.isFinite(p.p50) && Number.isFinite(p.p99))
    .sort((a, b) => a.atSecond - b.atSecond);
  if (pts.length === 0) return emptySvg(title, "No lag samples to plot", width, height);
  const target = Number.isFinite(options.targetMs) ? options.targetMs : undefined;
  const maxes = pts.flatMap((p) =>
    p.max !== undefined && Number.isFinite(p.max) ? [[p.atSecond, p.max] as const] : [],
  );
  const rates = pts.flatMap((p) =>
    p.rate !== undefined && Number.isFinite(p.rate) ? [[p.atSecond, p.rate] as const] : [],
  );
  const keys: Key[] = [
    { text: "p50 lag", colour: BLUE },
    { text: "p99 lag", colour: ORANGE },
    ...(maxes.length > 0 ? [{ text: "max lag", colour: PINK, mark: "dots" as const }] : []),
    ...(rates.length > 0
      ? [{ text: "orders/s (right axis)", colour: "#ececec", mark: "bar" as const }]
      : []),
    ...(target !== undefined
      ? [{ text: `target ${label(target)} ms`, colour: GREEN, mark: "dash" as const }]
      : []),
  ];
  const key = legend(keys, 72, 46, width - 24);
  const box: Box = {
    left: 72,
    right: width - (rates.length > 0 ? 68 : 24),
    top: key.bottom + 14,
    bottom: height - 50,
  };
  const seconds = pts.map((p) => p.atSecond);
  const x = linearAxis(Math.min(0, minOf(seconds)), maxOf(seconds), box.left, box.right, 8);
  const lags = [
    ...pts.flatMap((p) => [p.p50, p.p99]),
    ...maxes.map(([, m]) => m),
    ...(target !== undefined ? [target] : []),
  ];
  const y = linearAxis(Math.min(0, minOf(lags)), maxOf(lags), box.bottom, box.top);
  // Layers: rate bars at the back, the grid over them, then lag lines, then the target label.
  const bars: string[] = [];
  const rateTicks: string[] = [];
  if (rates.length > 0) {
    const values = rates.map(([, v]) => v);
    const r = linearAxis(Math.min(0, minOf(values)), maxOf(values), box.bottom, box.top);
    const gaps = seconds.slice(1).map((s, i) => s - (seconds[i] ?? s));
    const step = minOf(gaps.filter((g) => g > 0));
    const half = Math.max(
      0.5,
      Math.min((Number.isFinite(step) ? step : 1) * (x.at(1) - x.at(0)) * 0.5, 12),
    );
    for (const [s, v] of rates) {
      const [x1, x2] = [Math.max(box.left, x.at(s) - half), Math.min(box.right, x.at(s) + half)];
      const [top, bottom] = [Math.min(r.at(v), r.at(0)), Math.max(r.at(v), r.at(0))];
      bars.push(
        `<rect class="bar" x="${n(x1)}" y="${n(top)}" width="${n(x2 - x1)}" height="${n(bottom - top)}" fill="#ececec"/>`,
      );
    }
    rateTicks.push(...yTicks(box, r, "right"));
  }
  const xy = ([s, v]: readonly [number, number]) => [x.at(s), y.at(v)] as const;
  const at = target === undefined ? 0 : n(y.at(target));
  return svg(width, height, title, [
    ...bars,
    ...yTicks(box, y),
    ...xTicks(box, x),
    ...rateTicks,
    frame(box),
    ...(target === undefined
      ? []
      : [
          `<line class="target" x1="${box.left}" x2="${box.right}" y1="${at}" y2="${at}" stroke="${GREEN}" stroke-width="2" stroke-dasharray="6 4"/>`,
        ]),
    ...(maxes.length > 0 ? [polyline(maxes.map(xy), PINK, ' stroke-dasharray="2 3"', 1.5)] : []),
    polyline(
      pts.map((p) => xy([p.atSecond, p.p99])),
      ORANGE,
    ),
    polyline(
      pts.map((p) => xy([p.atSecond, p.p50])),
      BLUE,
    ),
    ...(target === undefined
      ? []
      : [
          `<text x="${n(box.right - 4)}" y="${n(at - 6)}" text-anchor="end" fill="${GREEN}" ${HALO}>target ${label(target)} ms</text>`,
        ]),
    ...key.parts,
    ...axisTitles(
      box,
      "Seconds since start (s)",
      "Lag (ms)",
      rates.length > 0 ? "Orders/s" : undefined,
    ),
  ]);
}

const targetOf = (b: RatioBar) =>
  b.target !== undefined && Number.isFinite(b.target) ? b.target : undefined;

/** A grouped bar chart of ratios against a baseline (e.g. "GET /products p50 vs raw: 1.15x"), with a vertical target line per bar group if given. */
export function ratioBarsSvg(
  title: string,
  bars: readonly RatioBar[],
  options: { width?: number } = {},
): string {
  const width = size(options.width, 720);
  const rows = bars.filter((b) => Number.isFinite(b.ratio));
  if (rows.length === 0) return emptySvg(title, "No ratios to plot", width, 160);
  const targeted = rows.some((b) => targetOf(b) !== undefined);
  const keys: Key[] = [
    { text: targeted ? "within target" : "ratio", colour: BLUE, mark: "bar" },
    ...(targeted ? [{ text: "over target", colour: ORANGE, mark: "bar" as const }] : []),
    { text: "baseline (1×)", colour: "#222" },
    ...(targeted ? [{ text: "target", colour: GREEN, mark: "dash" as const }] : []),
  ];
  const key = legend(keys, 16, 46, width - 16);
  const labelWidth = Math.min(width * 0.4, maxOf(rows.map((b) => textWidth(b.name))) + 12);
  const chars = Math.floor((labelWidth - 12) / 6.6 + 0.01);
  const shorten = (name: string) =>
    name.length > chars ? `${name.slice(0, Math.max(1, chars - 1))}…` : name;
  const valueText = (b: RatioBar, target = targetOf(b)) =>
    `${label(round(b.ratio, 2))}×${target !== undefined ? ` (target ${label(round(target, 2))}×)` : ""}`;
  const rowHeight = 28;
  const top = key.bottom + 14;
  // Room on the right for the value label of a bar that reaches the end of the axis.
  const valueRoom = Math.min(width * 0.3, maxOf(rows.map((b) => textWidth(valueText(b)))) + 14);
  const bottom = top + rows.length * rowHeight;
  const box: Box = { left: 16 + labelWidth, right: width - valueRoom, top, bottom };
  const values = rows.flatMap((b) => [b.ratio, targetOf(b) ?? b.ratio]);
  const x = linearAxis(
    Math.min(0, minOf(values)),
    Math.max(1, maxOf(values)),
    box.left,
    box.right,
    6,
  );
  const one = n(x.at(1));
  // Layers: bars, then the baseline and targets over them, then labels with a halo on top.
  const rects: string[] = [];
  const lines = [
    `<line class="baseline" x1="${one}" x2="${one}" y1="${n(top)}" y2="${n(bottom)}" stroke="#222" stroke-width="1.5"/>`,
  ];
  const labels: string[] = [];
  rows.forEach((b, i) => {
    const cy = top + i * rowHeight + rowHeight / 2;
    const target = targetOf(b);
    const [x1, x2] = [Math.min(x.at(0), x.at(b.ratio)), Math.max(x.at(0), x.at(b.ratio))];
    const fill = target !== undefined && b.ratio > target ? ORANGE : BLUE;
    rects.push(
      `<rect class="bar" x="${n(x1)}" y="${n(cy - 8)}" width="${n(x2 - x1)}" height="16" fill="${fill}"/>`,
    );
    if (target !== undefined) {
      const at = n(x.at(target));
      lines.push(
        `<line class="target" x1="${at}" x2="${at}" y1="${n(cy - 12)}" y2="${n(cy + 12)}" stroke="${GREEN}" stroke-width="2" stroke-dasharray="4 2"/>`,
      );
    }
    // After the bar, its target and the baseline, so no line runs through the figure.
    const valueAt = Math.max(x2, x.at(1), target === undefined ? x2 : x.at(target)) + 6;
    labels.push(
      `<text x="${n(box.left - 8)}" y="${n(cy)}" dy="0.32em" text-anchor="end">${esc(shorten(b.name))}</text>`,
      `<text class="value" x="${n(valueAt)}" y="${n(cy)}" dy="0.32em" ${HALO}>${esc(valueText(b, target))}</text>`,
    );
  });
  return svg(width, bottom + 50, title, [
    ...xTicks(box, x, "×"),
    frame(box),
    ...rects,
    ...lines,
    ...labels,
    ...key.parts,
    ...axisTitles(box, "Ratio against baseline (×)"),
  ]);
}
