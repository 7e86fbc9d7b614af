import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphqlEvent, invoke } from "./support/api-events";
import {
  aProduct,
  createTestShop,
  MANY_CONTAINERS_IN_ONE_PROCESS,
  type TestShop,
} from "./support/test-shop";

let shop: TestShop;

beforeAll(async () => {
  shop = await createTestShop();
  await shop.putProducts([aProduct({ productId: "flash-sale", priceCents: 4999, stock: 20 })]);
});
afterAll(() => shop.destroy());

const CREATE_ORDER = `mutation($input: CreateOrderInput!) {
  createOrder(input: $input) { __typename ... on Order { id } ... on InsufficientStock { available } }
}`;

describe("no overselling", () => {
  it("places exactly 20 of 200 concurrent orders for a product with stock 20, and leaves stock 0", async () => {
    const api = shop.api(MANY_CONTAINERS_IN_ONE_PROCESS);
    const created = await shop.subscribeProbe(["order_created"]);
    // 200 customers, each with its own token, each ordering as itself.
    const buyers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => shop.authorization({ customer: `buyer-${i}` })),
    );
    const responses = await Promise.all(
      buyers.map((buyer) =>
        invoke(
          api,
          graphqlEvent(
            CREATE_ORDER,
            { input: { items: [{ productId: "flash-sale", quantity: 1 }] } },
            buyer,
          ),
        ),
      ),
    );
    const typenames = responses.map(
      (r) =>
        (r.json as { data?: { createOrder?: { __typename: string } } }).data?.createOrder
          ?.__typename,
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(typenames.filter((t) => t === "Order")).toHaveLength(20);
    expect(typenames.filter((t) => t === "InsufficientStock")).toHaveLength(180);
    expect(await shop.stockOf("flash-sale")).toBe(0);
    expect(await shop.orderCount()).toBe(20);
    expect(await created.receive(20, 20_000)).toHaveLength(20);
  });
});
