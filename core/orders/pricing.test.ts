import { describe, expect, it } from "vitest";
import type { Product } from "../catalog/product";
import { MAX_ORDER_TOTAL_CENTS, priceOrder } from "./pricing";

function product(productId: string, priceCents: number, stock: number): Product {
  return {
    productId,
    name: `Name of ${productId}`,
    category: "Test",
    brand: "Acme",
    description: "",
    priceCents,
    currency: "USD",
    stock,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    version: 1,
  };
}

const catalog = new Map([
  ["a", product("a", 1999, 10)],
  ["b", product("b", 250, 3)],
]);

describe("priceOrder", () => {
  it("prices each line and the total in whole cents", () => {
    expect(
      priceOrder(
        [
          { productId: "a", quantity: 3 },
          { productId: "b", quantity: 2 },
        ],
        catalog,
      ),
    ).toEqual({
      kind: "priced",
      lines: [
        {
          productId: "a",
          productName: "Name of a",
          quantity: 3,
          unitPriceCents: 1999,
          lineTotalCents: 5997,
        },
        {
          productId: "b",
          productName: "Name of b",
          quantity: 2,
          unitPriceCents: 250,
          lineTotalCents: 500,
        },
      ],
      totalCents: 6497,
    });
  });

  it("reports the first product the catalog does not have", () => {
    expect(
      priceOrder(
        [
          { productId: "a", quantity: 1 },
          { productId: "zzz", quantity: 1 },
        ],
        catalog,
      ),
    ).toEqual({
      kind: "productNotFound",
      productId: "zzz",
    });
  });

  it("reports a line that asks for more than the stock holds, with what is left", () => {
    expect(priceOrder([{ productId: "b", quantity: 4 }], catalog)).toEqual({
      kind: "insufficientStock",
      productId: "b",
      requested: 4,
      available: 3,
    });
  });

  it("sells the last unit", () => {
    expect(priceOrder([{ productId: "b", quantity: 3 }], catalog).kind).toBe("priced");
  });

  it("refuses a total beyond the maximum order value", () => {
    const pricey = new Map([["p", product("p", MAX_ORDER_TOTAL_CENTS / 10 + 1, 1000)]]);
    expect(priceOrder([{ productId: "p", quantity: 10 }], pricey)).toEqual({
      kind: "totalTooLarge",
      totalCents: MAX_ORDER_TOTAL_CENTS + 10,
    });
  });
});
