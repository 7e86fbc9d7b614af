import { describe, expect, it } from "vitest";
import { FRAUD_REJECT_THRESHOLD, scoreOrder } from "./fraud-scoring";

const at = "2026-11-24T10:00:00.000Z";
const ordinary = { totalCents: 4_999, itemCount: 2, ordersInLastHour: 0, isFirstOrder: false };

describe("fraud scoring", () => {
  it("approves an ordinary order from a returning customer with no risk", () => {
    expect(scoreOrder(ordinary, at)).toEqual({
      score: 0,
      decision: "APPROVE",
      reasons: [],
      assessedAt: at,
    });
  });

  it("gives a reason for every point", () => {
    const assessment = scoreOrder({ ...ordinary, totalCents: 60_000, isFirstOrder: true }, at);
    expect(assessment).toMatchObject({
      score: 25,
      decision: "APPROVE",
      reasons: ["order value over $500", "first order from this customer"],
    });
  });

  it("rejects a large first order", () => {
    const assessment = scoreOrder({ ...ordinary, totalCents: 250_000, isFirstOrder: true }, at);
    expect(assessment.score).toBe(75);
    expect(assessment.decision).toBe("REJECT");
  });

  it("rejects a burst of orders from one customer with a big basket", () => {
    const assessment = scoreOrder({ ...ordinary, ordersInLastHour: 6, itemCount: 30 }, at);
    expect(assessment.reasons).toEqual(["more than 20 units", "5 or more orders in the last hour"]);
    expect(assessment.decision).toBe("REJECT");
  });

  it("decides at the threshold, and caps the score at 100", () => {
    const everything = scoreOrder(
      { totalCents: 1_000_000, itemCount: 100, ordersInLastHour: 9, isFirstOrder: true },
      at,
    );
    expect(everything.score).toBe(100);
    const justBelow = scoreOrder({ ...ordinary, totalCents: 250_000, ordersInLastHour: 3 }, at);
    expect(justBelow.score).toBe(65);
    expect(justBelow.score < FRAUD_REJECT_THRESHOLD && justBelow.decision === "APPROVE").toBe(true);
  });
});
