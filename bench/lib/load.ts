import autocannon from "autocannon";

export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly rps: number;
  /** Server CPU time per request, µs. */
  readonly cpuMicrosPerRequest: number;
  /** The latency at each whole percentile 1-100 (ms), for the distribution charts. */
  readonly distribution: readonly number[];
}

/** autocannon's percentiles of a run, as [percentile, ms] pairs (its histogram's own). */
const KNOWN = [
  [0, "min"],
  [1, "p1"],
  [2.5, "p2_5"],
  [10, "p10"],
  [25, "p25"],
  [50, "p50"],
  [75, "p75"],
  [90, "p90"],
  [97.5, "p97_5"],
  [99, "p99"],
  [100, "max"],
] as const;

/**
 * The latency at each whole percentile, read off autocannon's percentiles (linear between
 * the ones it reports), so runs can be drawn as distributions without keeping every sample.
 */
export function distributionOf(latency: Readonly<Record<string, number>>): number[] {
  const points = KNOWN.map(([p, key]) => [p, Number(latency[key])] as const).filter(([, ms]) =>
    Number.isFinite(ms),
  );
  return Array.from({ length: 100 }, (_, i) => {
    const p = i + 1;
    const upper = points.findIndex(([q]) => q >= p);
    if (upper <= 0) return points[Math.max(0, upper)]?.[1] ?? Number.NaN;
    const [p0, v0] = points[upper - 1] ?? [0, Number.NaN];
    const [p1, v1] = points[upper] ?? [100, Number.NaN];
    return p1 === p0 ? v1 : v0 + ((v1 - v0) * (p - p0)) / (p1 - p0);
  });
}

export interface LoadOptions {
  readonly url: string;
  readonly path: string;
  readonly method?: "GET" | "POST";
  readonly body?: string | ((i: number) => string);
  /** Headers of every request, or of the i-th request. */
  readonly headers?: Record<string, string> | ((i: number) => Record<string, string>);
  readonly connections: number;
  readonly durationSeconds?: number;
  readonly amount?: number;
}

async function cpuMicros(url: string): Promise<number> {
  return ((await (await fetch(`${url}/__cpu`)).json()) as { micros: number }).micros;
}

/** One autocannon run against a server, with the server's CPU time charged per request. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  let counter = 0;
  const { body, headers } = options;
  const perRequest = typeof body === "function" || typeof headers === "function";
  const cpuBefore = await cpuMicros(options.url);
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.durationSeconds ?? 5 }),
    requests: [
      {
        method: options.method ?? "GET",
        path: options.path,
        headers: {
          "content-type": "application/json",
          ...(typeof headers === "function" ? {} : headers),
        },
        ...(perRequest
          ? {
              setupRequest: (request: autocannon.Request) => {
                const i = counter++;
                return {
                  ...request,
                  ...(typeof headers === "function"
                    ? { headers: { ...request.headers, ...headers(i) } }
                    : {}),
                  ...(typeof body === "function" ? { body: body(i) } : body ? { body } : {}),
                };
              },
            }
          : body
            ? { body }
            : {}),
      },
    ],
  });
  const cpuAfter = await cpuMicros(options.url);
  const requests = result.requests.total;
  return {
    requests,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    rps: result.requests.average,
    cpuMicrosPerRequest: requests > 0 ? (cpuAfter - cpuBefore) / requests : Number.NaN,
    distribution: distributionOf(result.latency as unknown as Record<string, number>),
  };
}
