/** What the fraud check looks at. */
export interface FraudFeatures {
  readonly totalCents: number;
  readonly itemCount: number;
  /** The customer's other orders placed in the hour before this one. */
  readonly ordersInLastHour: number;
  /** No earlier order from this customer. */
  readonly isFirstOrder: boolean;
}

export type FraudDecision = "APPROVE" | "REJECT";

export interface FraudAssessment {
  /** 0 (no risk seen) to 100. */
  readonly score: number;
  readonly decision: FraudDecision;
  /** Why the score is what it is, one phrase per rule that fired. */
  readonly reasons: readonly string[];
  readonly assessedAt: string;
}

/** Orders scoring this much or more are rejected. */
export const FRAUD_REJECT_THRESHOLD = 70;

const RULES: readonly {
  readonly points: number;
  readonly reason: string;
  readonly applies: (f: FraudFeatures) => boolean;
}[] = [
  { points: 45, reason: "order value over $2,000", applies: (f) => f.totalCents > 200_000 },
  {
    points: 15,
    reason: "order value over $500",
    applies: (f) => f.totalCents > 50_000 && f.totalCents <= 200_000,
  },
  { points: 25, reason: "more than 20 units", applies: (f) => f.itemCount > 20 },
  {
    points: 45,
    reason: "5 or more orders in the last hour",
    applies: (f) => f.ordersInLastHour >= 5,
  },
  {
    points: 20,
    reason: "3 or 4 orders in the last hour",
    applies: (f) => f.ordersInLastHour >= 3 && f.ordersInLastHour < 5,
  },
  { points: 10, reason: "first order from this customer", applies: (f) => f.isFirstOrder },
  {
    points: 20,
    reason: "first order over $1,000",
    applies: (f) => f.isFirstOrder && f.totalCents > 100_000,
  },
];

/**
 * Scores an order from its features with additive rules. Transparent on purpose: every
 * point has a reason a person can read on the order.
 */
export function scoreOrder(features: FraudFeatures, assessedAt: string): FraudAssessment {
  const fired = RULES.filter((rule) => rule.applies(features));
  const score = Math.min(
    100,
    fired.reduce((sum, rule) => sum + rule.points, 0),
  );
  return {
    score,
    decision: score >= FRAUD_REJECT_THRESHOLD ? "REJECT" : "APPROVE",
    reasons: fired.map((rule) => rule.reason),
    assessedAt,
  };
}
