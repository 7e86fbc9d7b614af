import { describe, expect, it } from "vitest";
import { InvalidTransitionError } from "./errors";
import {
  assertTransition,
  canTransition,
  isFinal,
  ORDER_STATUSES,
  type OrderStatus,
  releasesStock,
} from "./order-status";

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
    expect(["REJECTED", "SHIPPED", "CANCELLED"].every((s) => isFinal(s as OrderStatus))).toBe(true);
    expect(isFinal("PENDING")).toBe(false);
  });

  it("throws a typed error naming the order and the refused move", () => {
    expect(() => assertTransition("o-1", "REJECTED", "SHIPPED")).toThrow(InvalidTransitionError);
    expect(() => assertTransition("o-1", "REJECTED", "SHIPPED")).toThrow(
      "order o-1 cannot move from REJECTED to SHIPPED",
    );
    expect(() => assertTransition("o-1", "PENDING", "CONFIRMED")).not.toThrow();
  });

  it("returns stock only for orders that will never ship", () => {
    expect(ORDER_STATUSES.filter(releasesStock)).toEqual(["REJECTED", "CANCELLED"]);
  });
});
