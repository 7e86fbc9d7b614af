import { describe, expect, it } from "vitest";
import { formatSpread, median, percentile, spread } from "./stats";

describe("benchmark statistics", () => {
  it("takes nearest-rank percentiles and medians without sorting the input in place", () => {
    const values = [5, 1, 4, 2, 3];
    expect(median(values)).toBe(3);
    expect(percentile(values, 99)).toBe(5);
    expect(percentile(values, 0)).toBe(1);
    expect(values).toEqual([5, 1, 4, 2, 3]);
    expect(Number.isNaN(median([]))).toBe(true);
  });

  it("reports a median with its range", () => {
    expect(spread([12, 10, 30])).toEqual({ median: 12, min: 10, max: 30 });
    expect(formatSpread(spread([1.26, 1.04, 2]), " ms")).toBe("1.3 ms (1-2)");
  });
});
