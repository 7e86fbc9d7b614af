import { describe, expect, it } from "vitest";
import { MAX_LINES_PER_ORDER, MAX_QUANTITY_PER_LINE, parseOrderRequest } from "./order-input";

const valid = { customerId: "cust-1", items: [{ productId: "prod-0001", quantity: 2 }] };

function rejection(input: unknown) {
  const result = parseOrderRequest(input);
  if (result.ok) throw new Error("expected the request to be refused");
  return { field: result.field, reason: result.reason };
}

describe("parseOrderRequest", () => {
  it("accepts a well-formed request", () => {
    expect(parseOrderRequest(valid)).toEqual({ ok: true, request: valid });
  });

  it("merges repeated products into one line and sorts lines by product", () => {
    const result = parseOrderRequest({
      customerId: "cust-1",
      items: [
        { productId: "prod-0002", quantity: 1 },
        { productId: "prod-0001", quantity: 2 },
        { productId: "prod-0002", quantity: 3 },
      ],
    });
    expect(result).toEqual({
      ok: true,
      request: {
        customerId: "cust-1",
        items: [
          { productId: "prod-0001", quantity: 2 },
          { productId: "prod-0002", quantity: 4 },
        ],
      },
    });
  });

  it("names the field and the reason of the first problem", () => {
    expect(rejection({ items: valid.items })).toEqual({
      field: "customerId",
      reason: "is required",
    });
    expect(rejection({ ...valid, customerId: "   " })).toEqual({
      field: "customerId",
      reason: "is required",
    });
    expect(rejection({ ...valid, items: [] })).toEqual({
      field: "items",
      reason: "must contain at least one item",
    });
    expect(rejection({ ...valid, items: "prod-0001" })).toEqual({
      field: "items",
      reason: "must be a list of items",
    });
    expect(rejection({ ...valid, items: [{ productId: "prod-0001", quantity: 0 }] })).toEqual({
      field: "items[0].quantity",
      reason: "must be at least 1",
    });
    expect(rejection({ ...valid, items: [{ productId: "prod-0001", quantity: 1.5 }] })).toEqual({
      field: "items[0].quantity",
      reason: "must be a whole number",
    });
    expect(rejection({ ...valid, items: [{ productId: "prod-0001", quantity: "2" }] })).toEqual({
      field: "items[0].quantity",
      reason: "must be a whole number",
    });
    expect(rejection({ ...valid, items: [{ quantity: 1 }] })).toEqual({
      field: "items[0].productId",
      reason: "is required",
    });
    expect(rejection(["not", "an", "object"])).toEqual({
      field: "input",
      reason: "must be a JSON object",
    });
  });

  it("caps quantities per line, also after merging repeated products", () => {
    expect(
      rejection({ ...valid, items: [{ productId: "p", quantity: MAX_QUANTITY_PER_LINE + 1 }] }),
    ).toEqual({ field: "items[0].quantity", reason: `must be at most ${MAX_QUANTITY_PER_LINE}` });
    const half = Math.ceil((MAX_QUANTITY_PER_LINE + 1) / 2);
    expect(
      rejection({
        ...valid,
        items: [
          { productId: "p", quantity: half },
          { productId: "p", quantity: half },
        ],
      }).field,
    ).toBe("items");
  });

  it("caps the number of lines so an order fits in one transaction", () => {
    const items = Array.from({ length: MAX_LINES_PER_ORDER + 1 }, (_, i) => ({
      productId: `p${i}`,
      quantity: 1,
    }));
    expect(rejection({ ...valid, items })).toEqual({
      field: "items",
      reason: `must contain at most ${MAX_LINES_PER_ORDER} items`,
    });
  });

  it("refuses idempotency keys that are empty, too long or not printable", () => {
    expect(rejection({ ...valid, idempotencyKey: "" }).field).toBe("idempotencyKey");
    expect(rejection({ ...valid, idempotencyKey: "x".repeat(256) }).field).toBe("idempotencyKey");
    expect(rejection({ ...valid, idempotencyKey: "has space" }).field).toBe("idempotencyKey");
    expect(parseOrderRequest({ ...valid, idempotencyKey: "retry-42" }).ok).toBe(true);
  });
});
