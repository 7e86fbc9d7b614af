import { describe, expect, it } from "vitest";
import { distributionOf } from "./load";

describe("a run's latency distribution", () => {
  it("reads each whole percentile off autocannon's percentiles, linear between them", () => {
    const latency = {
      min: 1,
      p1: 1,
      p2_5: 2,
      p10: 4,
      p25: 5,
      p50: 10,
      p75: 20,
      p90: 30,
      p97_5: 40,
      p99: 50,
      max: 90,
    };
    const d = distributionOf(latency);
    expect(d).toHaveLength(100);
    expect(d[0]).toBe(1); // p1
    expect(d[9]).toBe(4); // p10
    expect(d[49]).toBe(10); // p50
    expect(d[98]).toBe(50); // p99
    expect(d[99]).toBe(90); // max
    // Between p50 (10) and p75 (20): p60 is 14.
    expect(d[59]).toBeCloseTo(14);
    // Never decreasing, as a distribution.
    expect(d.every((v, i) => i === 0 || v >= (d[i - 1] ?? 0))).toBe(true);
  });

  it("leaves out percentiles autocannon did not report", () => {
    const d = distributionOf({ min: 2, p50: 4, max: 6 });
    expect(d[49]).toBe(4);
    expect(d[0]).toBeCloseTo(2.04);
    expect(d.some(Number.isNaN)).toBe(false);
  });
});
