import { describe, expect, it } from "vitest";
import { effectsOf, type StoredOrder } from "./order-changes";

const placed: StoredOrder = {
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
  updatedBy: "api",
};

describe("what a change of the orders table means", () => {
  it("records a new order in its history without announcing it (the mutation did)", () => {
    const effects = effectsOf({ eventName: "INSERT", newImage: placed });
    expect(effects.events).toEqual([]);
    expect(effects.history).toEqual([
      expect.objectContaining({
        entryId: "000001",
        change: "CREATED",
        toStatus: "PENDING",
        actor: "api",
      }),
    ]);
  });

  it("publishes a status change with an id derived from the order's version", () => {
    const confirmed = {
      ...placed,
      status: "CONFIRMED" as const,
      version: 3,
      updatedBy: "fraud",
      updatedAt: "2026-11-24T10:00:02.000Z",
    };
    const effects = effectsOf({
      eventName: "MODIFY",
      oldImage: { ...placed, version: 2 },
      newImage: confirmed,
    });
    expect(effects.events).toEqual([
      expect.objectContaining({
        eventId: "o-1:order_confirmed:v3",
        eventType: "order_confirmed",
        data: expect.objectContaining({
          previousStatus: "PENDING",
          status: "CONFIRMED",
          changedAt: "2026-11-24T10:00:02.000Z",
        }),
      }),
    ]);
    expect(effects.history.map((e) => [e.change, e.fromStatus, e.toStatus, e.actor])).toEqual([
      ["STATUS_CHANGED", "PENDING", "CONFIRMED", "fraud"],
    ]);
  });

  it("carries the reason of a rejection", () => {
    const rejected = {
      ...placed,
      status: "REJECTED" as const,
      statusReason: "payment declined",
      version: 2,
    };
    const [event] = effectsOf({ eventName: "MODIFY", oldImage: placed, newImage: rejected }).events;
    expect(event?.data).toMatchObject({ reason: "payment declined" });
  });

  it("announces an order marked as unannounced, once, and clears the mark", () => {
    const marked = { ...placed, unannouncedEvent: "order_created", version: 2 };
    const effects = effectsOf({ eventName: "MODIFY", oldImage: placed, newImage: marked });
    expect(effects.events.map((e) => e.eventId)).toEqual(["o-1:order_created"]);
    expect(effects.clearsUnannounced).toBe(true);
    const cleared = effectsOf({
      eventName: "MODIFY",
      oldImage: marked,
      newImage: { ...marked, unannouncedEvent: undefined },
    });
    expect(cleared).toEqual({ events: [], history: [], clearsUnannounced: false });
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
    expect(released.events).toEqual([]);
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
