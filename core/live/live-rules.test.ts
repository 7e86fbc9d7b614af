import { describe, expect, it } from "vitest";
import { ANONYMOUS, type Viewer } from "../shared/viewer";
import {
  CONNECTION_TTL_SECONDS,
  customerTopic,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  mayGoLive,
  orderTopic,
  topicsOf,
  watchMyOrders,
  watchOrder,
} from "./live-rules";

const alice: Viewer = { kind: "customer", customerId: "alice" };
const bob: Viewer = { kind: "customer", customerId: "bob" };
const admin: Viewer = { kind: "admin", subject: "ops" };

describe("live topics", () => {
  it("file an order's change under the order and under its customer", () => {
    expect(topicsOf({ orderId: "o-1", customerId: "alice" })).toEqual([
      "order#o-1",
      "customer#alice",
    ]);
    expect(orderTopic("o-1")).toBe("order#o-1");
    expect(customerTopic("alice")).toBe("customer#alice");
  });

  it("keep an order's and a customer's topics apart even when their ids are equal", () => {
    expect(orderTopic("same")).not.toBe(customerTopic("same"));
  });
});

describe("the limits", () => {
  it("outlive API Gateway's two-hour connections, and not by much", () => {
    expect(CONNECTION_TTL_SECONDS).toBe(2 * 3600 + 300);
    expect(MAX_SUBSCRIPTIONS_PER_CONNECTION).toBe(10);
  });
});

describe("who may watch what", () => {
  it("refuses anonymous callers at connection_init, and lets any signed-in viewer in", () => {
    expect(mayGoLive(ANONYMOUS)).toBe(false);
    expect(mayGoLive(alice)).toBe(true);
    expect(mayGoLive(admin)).toBe(true);
  });

  it("lets a customer watch its own order, and an admin any order", () => {
    expect(watchOrder(alice, "o-1", "alice")).toEqual({ topic: "order#o-1" });
    expect(watchOrder(admin, "o-1", "alice")).toEqual({ topic: "order#o-1" });
  });

  it("answers another customer's order exactly as an order that does not exist", () => {
    const others = watchOrder(bob, "o-1", "alice");
    expect(others).toEqual({ refused: "order o-1 does not exist" });
    expect(watchOrder(bob, "o-1", undefined)).toEqual(others);
    expect(watchOrder(admin, "o-2", undefined)).toEqual({ refused: "order o-2 does not exist" });
    expect(watchOrder(ANONYMOUS, "o-1", "alice")).toEqual(others);
  });

  it("gives myOrders a customer's own topic, and refuses it to viewers who name no customer", () => {
    expect(watchMyOrders(alice)).toEqual({ topic: "customer#alice" });
    expect(watchMyOrders(admin)).toHaveProperty("refused");
    expect(watchMyOrders(ANONYMOUS)).toHaveProperty("refused");
  });
});
