import { describe, expect, it } from "vitest";
import { canTransition, ORDER_STATUSES, type OrderStatus, releasesStock } from "./order-status";

const allowed: [OrderStatus, OrderStatus][] = [
  ["PENDING", "CONFIRMED"],
  ["PENDING", "REJECTED"],
  ["PENDING", "CANCELLED"],
  ["CONFIRMED", "SHIPPED"],
  ["CONFIRMED", "CANCELLED"],
];

describe("the order state machine", () => {
  it("allows exactly the lifecycle's transitions", () => {
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        const expected = allowed.some(([f, t]) => f === from && t === to);
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(expected);
      }
    }
  });

  it("never moves an order backwards or out of a final status", () => {
    expect(canTransition("CONFIRMED", "PENDING")).toBe(false);
    expect(canTransition("SHIPPED", "CANCELLED")).toBe(false);
    expect(canTransition("REJECTED", "CONFIRMED")).toBe(false);
    for (const final of ["REJECTED", "SHIPPED", "CANCELLED"] as const) {
      expect(
        ORDER_STATUSES.filter((to) => canTransition(final, to)),
        final,
      ).toEqual([]);
    }
  });

  it("returns stock only for orders that will never ship", () => {
    expect(ORDER_STATUSES.filter(releasesStock)).toEqual(["REJECTED", "CANCELLED"]);
  });
});
