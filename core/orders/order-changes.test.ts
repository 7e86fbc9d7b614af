import { describe, expect, it } from "vitest";
import type { Order } from "./order";
import { effectsOf } from "./order-changes";

const placed: Order = {
  orderId: "o-1",
  customerId: "c-1",
  status: "PENDING",
  items: [
    { productId: "p", productName: "P", quantity: 2, unitPriceCents: 500, lineTotalCents: 1000 },
  ],
  totalCents: 1000,
  currency: "USD",
  createdAt: "2026-11-24T10:00:00.000Z",
  updatedAt: "2026-11-24T10:00:00.000Z",
  version: 1,
  updatedBy: "customer:c-1",
  owed: { "o-1:order_created": { eventId: "o-1:order_created" } },
};

describe("what a change of the orders table means", () => {
  it("records a new order in its history, and owes its order_created", () => {
    const effects = effectsOf({ eventName: "INSERT", newImage: placed });
    expect(effects.owedEventIds).toEqual(["o-1:order_created"]);
    expect(effects.history).toEqual([
      expect.objectContaining({
        entryId: "000001",
        change: "CREATED",
        toStatus: "PENDING",
        actor: "customer:c-1",
      }),
    ]);
  });

  it("owes exactly the events a change added to the outbox, and records the status change", () => {
    const confirmed: Order = {
      ...placed,
      status: "CONFIRMED",
      version: 3,
      updatedBy: "fraud",
      updatedAt: "2026-11-24T10:00:02.000Z",
      owed: { ...placed.owed, "o-1:order_confirmed:v3": { eventId: "o-1:order_confirmed:v3" } },
    };
    const effects = effectsOf({
      eventName: "MODIFY",
      oldImage: { ...placed, version: 2 },
      newImage: confirmed,
    });
    // order_created was owed before this change: its own record delivers it.
    expect(effects.owedEventIds).toEqual(["o-1:order_confirmed:v3"]);
    expect(effects.history.map((e) => [e.change, e.fromStatus, e.toStatus, e.actor])).toEqual([
      ["STATUS_CHANGED", "PENDING", "CONFIRMED", "fraud"],
    ]);
  });

  it("owes nothing when a delivered event leaves the outbox", () => {
    const delivered = effectsOf({
      eventName: "MODIFY",
      oldImage: placed,
      newImage: { ...placed, owed: {} },
    });
    expect(delivered).toEqual({ owedEventIds: [], history: [] });
  });

  it("records the fraud assessment and the return of stock, without events", () => {
    const assessed = {
      ...placed,
      version: 2,
      fraudAssessment: {
        score: 10,
        decision: "APPROVE" as const,
        reasons: ["first order"],
        assessedAt: placed.createdAt,
      },
    };
    expect(
      effectsOf({ eventName: "MODIFY", oldImage: placed, newImage: assessed }).history[0]?.summary,
    ).toBe("Fraud score 10 (APPROVE): first order");
    const released = effectsOf({
      eventName: "MODIFY",
      oldImage: { ...placed, status: "CANCELLED" },
      newImage: { ...placed, status: "CANCELLED", stockReleased: true, version: 4 },
    });
    expect(released.owedEventIds).toEqual([]);
    expect(released.history[0]).toMatchObject({
      change: "STOCK_RELEASED",
      summary: "2 units returned to stock",
    });
  });

  it("records a deletion", () => {
    expect(effectsOf({ eventName: "REMOVE", oldImage: placed }).history[0]).toMatchObject({
      change: "DELETED",
      entryId: "000001-deleted",
    });
  });
});
