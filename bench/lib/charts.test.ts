import { describe, expect, it } from "vitest";
import { lagOverTimeSvg, latencyDistributionSvg, ratioBarsSvg } from "./charts";
import { percentile } from "./stats";

type Element = { readonly name: string; readonly attrs: Record<string, string> };

/**
 * Checks what an XML parser would: every `<` opens a well-formed tag, tags nest and close,
 * attributes are quoted and unique, `&` only starts an entity, and there is one root. Returns
 * the elements in document order, each with its attributes and the text directly inside it.
 */
function parse(svg: string): (Element & { readonly text: string })[] {
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;
  const bareAmpersand = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[\da-fA-F]+);)/;
  const elements: (Element & { text: string })[] = [];
  const open: (Element & { text: string })[] = [];
  let roots = 0;
  let i = 0;
  while (i < svg.length) {
    const lt = svg.indexOf("<", i);
    const text = svg.slice(i, lt === -1 ? svg.length : lt);
    expect(text, "text with a bare &").not.toMatch(bareAmpersand);
    if (open.length === 0) expect(text.trim(), "text outside the root").toBe("");
    const inner = open.at(-1);
    if (inner) inner.text += text;
    if (lt === -1) break;
    tag.lastIndex = lt;
    const match = tag.exec(svg);
    if (!match) throw new Error(`malformed markup: ${svg.slice(lt, lt + 60)}`);
    const [, closing, name = "", rawAttrs = "", selfClosing] = match;
    if (closing) {
      expect(open.pop()?.name, `closing </${name}>`).toBe(name);
    } else {
      const attrs: Record<string, string> = {};
      for (const [, key = "", value = ""] of rawAttrs.matchAll(/([\w:.-]+)="([^"]*)"/g)) {
        expect(attrs, `duplicate ${key} on <${name}>`).not.toHaveProperty(key);
        expect(value, `attribute ${key} with a bare &`).not.toMatch(bareAmpersand);
        attrs[key] = value;
      }
      if (open.length === 0) roots++;
      const element = { name, attrs, text: "" };
      elements.push(element);
      if (!selfClosing) open.push(element);
    }
    i = tag.lastIndex;
  }
  expect(open, "unclosed elements").toEqual([]);
  expect(roots).toBe(1);
  expect(elements[0]?.name).toBe("svg");
  return elements;
}

const decode = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
const texts = (els: readonly (Element & { text: string })[]) =>
  els.filter((e) => e.name === "text").map((e) => decode(e.text));
const byClass = <T extends Element>(els: readonly T[], cls: string) =>
  els.filter((e) => e.attrs.class === cls);
const num = (e: Element | undefined, attr: string) => Number(e?.attrs[attr]);

function plotBox(els: readonly Element[]) {
  const plot = byClass(els, "plot")[0];
  const left = num(plot, "x");
  const top = num(plot, "y");
  return { left, top, right: left + num(plot, "width"), bottom: top + num(plot, "height") };
}
const pointsOf = (e: Element) =>
  (e.attrs.points ?? "").split(" ").map((pair) => pair.split(",").map(Number) as [number, number]);
/** The y of a tick label on the left axis, by its text. */
const tickY = (els: readonly (Element & { text: string })[], text: string) =>
  num(
    byClass(els, "y-tick").find((e) => decode(e.text) === text),
    "y",
  );

function expectInside(points: readonly [number, number][], box: ReturnType<typeof plotBox>) {
  for (const [x, y] of points) {
    expect(x).toBeGreaterThanOrEqual(box.left);
    expect(x).toBeLessThanOrEqual(box.right);
    expect(y).toBeGreaterThanOrEqual(box.top);
    expect(y).toBeLessThanOrEqual(box.bottom);
  }
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("latency distribution chart", () => {
  const shop = range(10, 45);
  const raw = range(12, 40);
  const svg = latencyDistributionSvg("GET /products", [
    { name: "shop", samples: shop },
    { name: "raw", samples: raw },
  ]);
  const els = parse(svg);

  it("draws one CDF per series with axis titles, percentile marks and a legend of p50 and p99", () => {
    const labels = texts(els);
    expect(labels).toContain("Percentile (%)");
    expect(labels).toContain("Latency (ms)");
    expect(labels).toEqual(expect.arrayContaining(["p50", "p90", "p99"]));
    expect(labels).toContain(
      `shop: p50 ${percentile(shop, 50)} ms · p99 ${percentile(shop, 99)} ms`,
    );
    expect(labels).toContain(`raw: p50 ${percentile(raw, 50)} ms · p99 ${percentile(raw, 99)} ms`);
    expect(byClass(els, "series")).toHaveLength(2);
    expect(byClass(els, "mark")).toHaveLength(3);
  });

  it("keeps every point inside the plot and puts the max sample where the axis says it is", () => {
    const box = plotBox(els);
    const [shopLine] = byClass(els, "series").map(pointsOf);
    expectInside(shopLine ?? [], box);
    const last = shopLine?.at(-1) ?? [0, 0];
    expect(last[0]).toBe(box.right);
    // Linear from 0: the 45 ms maximum sits nine tenths of the way from the 0 tick to the 50 tick.
    const [zero, fifty] = [tickY(els, "0"), tickY(els, "50")];
    expect(zero).toBe(box.bottom);
    expect(last[1]).toBeCloseTo(zero + 0.9 * (fifty - zero), 0);
    // A CDF never goes down: y in SVG coordinates never increases.
    for (const [i, [, y]] of (shopLine ?? []).entries())
      if (i > 0) expect(y).toBeLessThanOrEqual(shopLine?.[i - 1]?.[1] ?? Infinity);
  });

  it("switches to a log scale when the samples span more than 50x", () => {
    const wide = parse(latencyDistributionSvg("tail", [{ name: "a", samples: [2, 3, 5, 8, 120] }]));
    expect(texts(wide)).toContain("Latency (ms, log scale)");
    const [line] = byClass(wide, "series").map(pointsOf);
    expectInside(line ?? [], plotBox(wide));
    const [y100, y200] = [tickY(wide, "100"), tickY(wide, "200")];
    expect(line?.at(-1)?.[1]).toBeCloseTo(
      y100 + (Math.log10(1.2) / Math.log10(2)) * (y200 - y100),
      0,
    );
    const narrow = latencyDistributionSvg("x", [{ name: "a", samples: [2, 3, 5, 8, 80] }]);
    expect(texts(parse(narrow))).toContain("Latency (ms)");
  });

  it("says so instead of plotting when there is nothing to plot", () => {
    for (const [series, message] of [
      [[], "No series to plot"],
      [[{ name: "a", samples: [] }], "No latency samples to plot"],
      [
        [{ name: "a", samples: [Number.NaN, Number.POSITIVE_INFINITY] }],
        "No latency samples to plot",
      ],
    ] as const) {
      const empty = parse(latencyDistributionSvg("empty", series));
      expect(texts(empty)).toContain(message);
      expect(byClass(empty, "series")).toHaveLength(0);
    }
    const oneEmpty = parse(
      latencyDistributionSvg("x", [
        { name: "a", samples: [1, 2] },
        { name: "b", samples: [] },
      ]),
    );
    expect(texts(oneEmpty)).toContain("b: no samples");
    expect(byClass(oneEmpty, "series")).toHaveLength(1);
  });
});

describe("lag over time chart", () => {
  const points = range(0, 59).map((s) => ({
    atSecond: s,
    p50: 100 + s,
    p99: 300 + 2 * s,
    max: 400 + 3 * s,
    rate: 200,
  }));
  const els = parse(lagOverTimeSvg("Pipeline lag", points, { targetMs: 500 }));

  it("draws p50, p99 and max lines, the dashed target and orders/s bars on a second axis", () => {
    const labels = texts(els);
    expect(labels).toEqual(
      expect.arrayContaining(["Seconds since start (s)", "Lag (ms)", "Orders/s", "target 500 ms"]),
    );
    expect(labels).toEqual(expect.arrayContaining(["p50 lag", "p99 lag", "max lag"]));
    const lines = byClass(els, "series");
    expect(lines).toHaveLength(3);
    const box = plotBox(els);
    for (const line of lines) expectInside(pointsOf(line), box);
    expect(byClass(els, "bar")).toHaveLength(60);
    const target = byClass(els, "target")[0];
    expect(target?.attrs["stroke-dasharray"]).toBeTruthy();
    const [zero, top] = [tickY(els, "0"), tickY(els, "600")];
    expect(num(target, "y1")).toBeCloseTo(zero + (500 / 600) * (top - zero), 0);
  });

  it("leaves out what was not measured", () => {
    const plain = parse(lagOverTimeSvg("lag", [{ atSecond: 0, p50: 1, p99: 2 }]));
    expect(texts(plain)).not.toContain("Orders/s");
    expect(byClass(plain, "bar")).toHaveLength(0);
    expect(byClass(plain, "target")).toHaveLength(0);
    expect(byClass(plain, "series")).toHaveLength(2);
    expect(texts(parse(lagOverTimeSvg("lag", [])))).toContain("No lag samples to plot");
  });
});

describe("ratio bars chart", () => {
  const els = parse(
    ratioBarsSvg("Shop against raw", [
      { name: "GET /products p50 vs raw", ratio: 1.15, target: 1.2 },
      { name: "createOrder p99 vs raw", ratio: 2.3, target: 1.5 },
      { name: "throughput", ratio: 0.5 },
    ]),
  );

  it("draws bars proportional to the ratio, a baseline at 1x and a target line per bar", () => {
    const bars = byClass(els, "bar");
    expect(bars).toHaveLength(3);
    const widths = bars.map((b) => num(b, "width"));
    expect((widths[1] ?? 0) / (widths[0] ?? 1)).toBeCloseTo(2.3 / 1.15, 1);
    expect((widths[2] ?? 0) / (widths[0] ?? 1)).toBeCloseTo(0.5 / 1.15, 1);
    expect(bars[0]?.attrs.fill).toBe("#0072B2");
    expect(bars[1]?.attrs.fill).toBe("#D55E00");
    expect(byClass(els, "target")).toHaveLength(2);
    const baseline = byClass(els, "baseline")[0];
    const left = num(bars[0], "x");
    expect((num(baseline, "x1") - left) / (widths[0] ?? 1)).toBeCloseTo(1 / 1.15, 1);
    const labels = texts(els);
    expect(labels).toEqual(
      expect.arrayContaining(["1.15× (target 1.2×)", "2.3× (target 1.5×)", "0.5×"]),
    );
    expect(labels).toContain("Ratio against baseline (×)");
    expect(labels).toContain("GET /products p50 vs raw");
  });

  it("says so when there are no ratios", () => {
    expect(texts(parse(ratioBarsSvg("none", [])))).toContain("No ratios to plot");
  });
});

describe("every chart", () => {
  const nasty = `<b> & "quoted" 'name'`;
  const charts = [
    latencyDistributionSvg(nasty, [{ name: nasty, samples: [1, 2, 3] }]),
    lagOverTimeSvg(nasty, [{ atSecond: 1, p50: 1, p99: 2 }], { targetMs: 5 }),
    ratioBarsSvg(nasty, [{ name: nasty, ratio: 1.5 }]),
  ];

  it("escapes markup in titles and names", () => {
    for (const svg of charts) {
      const els = parse(svg);
      expect(svg).not.toContain("<b>");
      expect(svg).toContain("&lt;b&gt; &amp; &quot;quoted&quot; &#39;name&#39;");
      expect(texts(els)).toContain(nasty);
    }
  });

  it("is a standalone SVG with a white background", () => {
    for (const svg of charts) {
      const [root, title, background] = parse(svg);
      expect(root?.attrs.xmlns).toBe("http://www.w3.org/2000/svg");
      expect(title?.name).toBe("title");
      expect(background?.attrs.fill).toBe("#fff");
    }
  });

  it("never writes NaN or Infinity, whatever the input", () => {
    const odd = [
      latencyDistributionSvg("one", [{ name: "a", samples: [5] }]),
      latencyDistributionSvg("zeros", [{ name: "a", samples: [0, 0, 0] }]),
      latencyDistributionSvg("zero and tail", [{ name: "a", samples: [0, 1, 1000] }]),
      latencyDistributionSvg("mixed", [{ name: "a", samples: [Number.NaN, 3, -1, Infinity] }]),
      latencyDistributionSvg("tiny", [{ name: "a", samples: [1e-6, 2e-6] }], { width: Number.NaN }),
      lagOverTimeSvg("one", [{ atSecond: 0, p50: 0, p99: 0, rate: 0 }], { targetMs: Number.NaN }),
      lagOverTimeSvg("same second", [
        { atSecond: 3, p50: 1, p99: 2, rate: 5 },
        { atSecond: 3, p50: Number.NaN, p99: 2 },
        { atSecond: 3, p50: 1, p99: 4, max: Infinity },
      ]),
      ratioBarsSvg("zero", [{ name: "a", ratio: 0, target: Number.NaN }]),
      ratioBarsSvg("nan", [
        { name: "a", ratio: Number.NaN },
        { name: "b", ratio: -0.5 },
      ]),
      ...charts,
    ];
    for (const svg of odd) {
      parse(svg);
      expect(svg).not.toMatch(/NaN|Infinity/);
    }
  });
});
