import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LocalLogger } from "../process/console-logger";
import { startSchedule } from "./schedule";

const quiet: LocalLogger = { info: () => {}, warn: () => {}, error: () => {} };
const MINUTE = 60_000;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A schedule of every minute that slows to every 10 minutes after 5 idle ones. */
function everyMinute(lastActivity: () => number) {
  const runs: number[] = [];
  const started = Date.now();
  const schedule = startSchedule({
    name: "reconciler",
    everyMs: MINUTE,
    whileIdle: { lastActivity, afterMs: 5 * MINUTE, everyMs: 10 * MINUTE },
    timeoutSeconds: 60,
    logger: quiet,
    handler: async () => {
      runs.push((Date.now() - started) / MINUTE);
    },
  });
  return { runs, schedule };
}

describe("the local schedule", () => {
  it("runs every minute while consumers are at work", async () => {
    const { runs, schedule } = everyMinute(() => Date.now());
    await vi.advanceTimersByTimeAsync(30 * MINUTE);
    expect(runs).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    await schedule.stop();
  });

  it("on an idle stack, runs at its first minute and then every 10 minutes", async () => {
    const { runs, schedule } = everyMinute(() => Number.NEGATIVE_INFINITY);
    await vi.advanceTimersByTimeAsync(30 * MINUTE);
    expect(runs).toEqual([1, 11, 21]);
    await schedule.stop();
  });

  it("is back to every minute with the first consumer invocation, and slows again 5 idle minutes later", async () => {
    let lastActivity = Number.NEGATIVE_INFINITY;
    const { runs, schedule } = everyMinute(() => lastActivity);
    await vi.advanceTimersByTimeAsync(4.5 * MINUTE);
    lastActivity = Date.now();
    await vi.advanceTimersByTimeAsync(25.5 * MINUTE);
    // Idle: minute 1; busy from 4.5 to 9.5 (5 idle minutes); then every 10 from the last run.
    expect(runs).toEqual([1, 5, 6, 7, 8, 9, 19, 29]);
    await schedule.stop();
  });

  it("keeps its pace idle or not without the idle setting (tests, benchmarks)", async () => {
    const runs: number[] = [];
    const schedule = startSchedule({
      name: "reconciler",
      everyMs: 1000,
      timeoutSeconds: 60,
      logger: quiet,
      handler: async () => {
        runs.push(Date.now());
      },
    });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toHaveLength(10);
    await schedule.stop();
  });
});
