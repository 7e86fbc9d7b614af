import { describe, expect, it } from "vitest";
import type { Order } from "./order";
import { eventOfStatusChange, orderCreatedEvent } from "./order-events";

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
};

describe("the events an order owes", () => {
  it("names order_created after the order, so every publisher publishes the same event", () => {
    expect(orderCreatedEvent(placed).eventId).toBe("o-1:order_created");
    expect(orderCreatedEvent({ ...placed, version: 7 })).toEqual(orderCreatedEvent(placed));
  });

  it("names a status change after the order's version, and carries its reason", () => {
    const rejected: Order = {
      ...placed,
      status: "REJECTED",
      version: 3,
      statusReason: "payment declined",
      updatedAt: "2026-11-24T10:00:02.000Z",
    };
    expect(eventOfStatusChange(placed, rejected)).toMatchObject({
      eventId: "o-1:order_rejected:v3",
      eventType: "order_rejected",
      data: {
        previousStatus: "PENDING",
        status: "REJECTED",
        reason: "payment declined",
        changedAt: "2026-11-24T10:00:02.000Z",
      },
    });
  });

  it("announces no status the customer and the consumers do not act on", () => {
    expect(eventOfStatusChange(placed, { ...placed, version: 2 })).toBeUndefined();
  });
});
