import { describe, expect, it } from "vitest";
import { orderCreatedEvent } from "../orders/order-events";
import { shopEventSchema } from "./events";
import { describeIssues, formatPath } from "./issues";

const at = "2026-01-01T00:00:00.000Z";
const valid = orderCreatedEvent({
  orderId: "o-1",
  customerId: "c-1",
  status: "PENDING",
  items: [
    {
      productId: "p-1",
      productName: "Lamp",
      quantity: 1,
      unitPriceCents: 100,
      lineTotalCents: 100,
    },
  ],
  totalCents: 100,
  currency: "USD",
  createdAt: at,
  updatedAt: at,
  version: 1,
  updatedBy: "customer:c-1",
});

describe("describing a schema's issues", () => {
  it("names every problem of a poison event at its path, on one line", () => {
    const poison = {
      ...valid,
      eventId: undefined,
      data: { ...valid.data, items: [{ ...valid.data.items[0], quantity: "two" }] },
    };
    const parsed = shopEventSchema.safeParse(poison);
    expect(parsed.success).toBe(false);
    const described = describeIssues(parsed.error?.issues ?? []);
    expect(described).toMatch(/eventId: /);
    expect(described).toMatch(/data\.items\[0\]\.quantity: /);
    expect(described).not.toContain("\n");
  });

  it("counts what it does not name", () => {
    const issues = Array.from({ length: 8 }, (_, i) => ({ path: ["items", i], message: "bad" }));
    expect(describeIssues(issues)).toBe(
      "items[0]: bad; items[1]: bad; items[2]: bad; items[3]: bad; items[4]: bad; and 3 more",
    );
    expect(describeIssues([{ path: [], message: "expected an object" }])).toBe(
      "(the whole value): expected an object",
    );
  });

  it("writes paths as a reader does", () => {
    expect(formatPath(["items", 0, "productId"])).toBe("items[0].productId");
    expect(formatPath([])).toBe("");
  });
});
