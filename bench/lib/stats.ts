/** Small statistics for benchmark rounds: medians and ranges, never single samples. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ??
    Number.NaN
  );
}

export const median = (values: readonly number[]) => percentile(values, 50);

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

export const round = (value: number, digits = 1) => Number(value.toFixed(digits));

export function formatSpread(s: Spread, unit = "", digits = 1): string {
  return `${round(s.median, digits)}${unit} (${round(s.min, digits)}-${round(s.max, digits)})`;
}
