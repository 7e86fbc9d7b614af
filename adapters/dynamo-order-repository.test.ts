import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Order } from "../core/orders/order";
import { InvalidCursorError } from "../core/shared/errors";
import { aProduct, createTestShop, type TestShop } from "../test/support/test-shop";
import { DynamoOrderRepository } from "./dynamo-order-repository";

let shop: TestShop;
let repository: DynamoOrderRepository;
let sequence = 0;

function anOrder(overrides: Partial<Order> = {}): Order {
  sequence++;
  const createdAt = new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)).toISOString();
  return {
    orderId: `order-${sequence}`,
    customerId: "cust-1",
    status: "PENDING",
    items: [
      {
        productId: "widget",
        productName: "Widget",
        quantity: 2,
        unitPriceCents: 500,
        lineTotalCents: 1000,
      },
    ],
    totalCents: 1000,
    currency: "USD",
    createdAt,
    updatedAt: createdAt,
    version: 1,
    ...overrides,
  };
}

beforeAll(async () => {
  shop = await createTestShop();
  await shop.putProducts([
    aProduct({ productId: "widget", stock: 5 }),
    aProduct({ productId: "gone", stock: 5 }),
  ]);
  repository = new DynamoOrderRepository(shop.local.document, shop.provisioned.tableNames);
});
afterAll(() => shop.destroy());

describe("DynamoOrderRepository.placeOrder", () => {
  it("writes the order and the reservation together", async () => {
    const order = anOrder();
    expect(await repository.placeOrder(order)).toEqual({ kind: "placed" });
    expect(await repository.getOrder(order.orderId)).toEqual(order);
    expect(await shop.stockOf("widget")).toBe(3);
  });

  it("reports the stock it found when the condition fails, and writes nothing", async () => {
    const order = anOrder({
      items: [
        {
          productId: "widget",
          productName: "Widget",
          quantity: 4,
          unitPriceCents: 500,
          lineTotalCents: 2000,
        },
      ],
    });
    expect(await repository.placeOrder(order)).toEqual({
      kind: "insufficientStock",
      productId: "widget",
      available: 3,
    });
    expect(await repository.getOrder(order.orderId)).toBeUndefined();
    expect(await shop.stockOf("widget")).toBe(3);
  });

  it("reports a product deleted since it was priced", async () => {
    await shop.local.document.send(
      new DeleteCommand({
        TableName: shop.provisioned.tableNames.products,
        Key: { productId: "gone" },
      }),
    );
    const order = anOrder({
      items: [
        {
          productId: "gone",
          productName: "Gone",
          quantity: 1,
          unitPriceCents: 500,
          lineTotalCents: 500,
        },
      ],
    });
    expect(await repository.placeOrder(order)).toEqual({
      kind: "productNotFound",
      productId: "gone",
    });
  });

  it("refuses a second claim on a live idempotency key, but takes over an expired one", async () => {
    await shop.putProducts([aProduct({ productId: "widget", stock: 1000 })]);
    const claim = { key: "createOrder#cust-1#abc", requestHash: "h1", expiresAt: 4_000_000_000 };
    const first = anOrder();
    expect(await repository.placeOrder(first, claim)).toEqual({ kind: "placed" });
    expect(await repository.placeOrder(anOrder(), claim)).toEqual({ kind: "idempotencyKeyTaken" });
    expect(await repository.getIdempotencyRecord(claim.key)).toEqual({
      ...claim,
      orderId: first.orderId,
    });

    const expired = { key: "createOrder#cust-1#old", requestHash: "h1", expiresAt: 1 };
    expect(await repository.placeOrder(anOrder(), expired)).toEqual({ kind: "placed" });
    const again = anOrder();
    expect(await repository.placeOrder(again, { ...expired, expiresAt: 4_000_000_000 })).toEqual({
      kind: "placed",
    });
    expect((await repository.getIdempotencyRecord(expired.key))?.orderId).toBe(again.orderId);
  });
});

describe("DynamoOrderRepository.listCustomerOrders", () => {
  it("lists a customer's orders newest first, a page at a time", async () => {
    await shop.putProducts([aProduct({ productId: "widget", stock: 1000 })]);
    const placed: Order[] = [];
    for (let i = 0; i < 5; i++) {
      const order = anOrder({ customerId: "lister" });
      await repository.placeOrder(order);
      placed.push(order);
    }
    const first = await repository.listCustomerOrders("lister", { first: 3 });
    expect(first.hasNextPage).toBe(true);
    const after = first.edges.at(-1)?.cursor;
    const second = await repository.listCustomerOrders("lister", {
      first: 3,
      ...(after ? { after } : {}),
    });
    expect(second.hasNextPage).toBe(false);
    const ids = [...first.edges, ...second.edges].map((e) => e.node.orderId);
    expect(ids).toEqual(placed.map((o) => o.orderId).reverse());
    expect((await repository.listCustomerOrders("nobody", { first: 3 })).edges).toEqual([]);
  });

  it("pages backward through the same orders, in the same order, as forward", async () => {
    await shop.putProducts([aProduct({ productId: "widget", stock: 1000 })]);
    const placed: Order[] = [];
    for (let i = 0; i < 7; i++) {
      const order = anOrder({ customerId: "walker" });
      await repository.placeOrder(order);
      placed.push(order);
    }
    const newestFirst = placed.map((o) => o.orderId).reverse();

    const forward: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await repository.listCustomerOrders("walker", {
        first: 3,
        ...(after ? { after } : {}),
      });
      forward.push(...page.edges.map((e) => e.node.orderId));
      // Paging forward, what comes before is not looked for.
      expect(page.hasPreviousPage ?? false).toBe(false);
      if (!page.hasNextPage) break;
      after = page.edges.at(-1)?.cursor;
    }
    expect(forward).toEqual(newestFirst);

    const pages: string[][] = [];
    let before: string | undefined;
    for (;;) {
      const page = await repository.listCustomerOrders("walker", {
        last: 3,
        ...(before ? { before } : {}),
      });
      pages.unshift(page.edges.map((e) => e.node.orderId));
      // Paging backward, what comes after is not looked for.
      expect(page.hasNextPage).toBe(false);
      if (!page.hasPreviousPage) break;
      before = page.edges[0]?.cursor;
    }
    // The list's end first (the 3 oldest), then back to its start (the newest one).
    expect(pages).toEqual([newestFirst.slice(0, 1), newestFirst.slice(1, 4), newestFirst.slice(4)]);

    const exactlyAll = await repository.listCustomerOrders("walker", { last: 7 });
    expect(exactlyAll.edges.map((e) => e.node.orderId)).toEqual(newestFirst);
    expect(exactlyAll.hasPreviousPage).toBe(false);
    expect((await repository.listCustomerOrders("nobody", { last: 3 })).edges).toEqual([]);
  });

  it("refuses another customer's cursor, either way", async () => {
    await shop.putProducts([aProduct({ productId: "widget", stock: 1000 })]);
    await repository.placeOrder(anOrder({ customerId: "owner" }));
    const cursor = (await repository.listCustomerOrders("owner", { first: 1 })).edges[0]?.cursor;
    if (!cursor) throw new Error("no cursor");
    await expect(
      repository.listCustomerOrders("intruder", { first: 3, after: cursor }),
    ).rejects.toThrow(InvalidCursorError);
    await expect(
      repository.listCustomerOrders("intruder", { last: 3, before: cursor }),
    ).rejects.toThrow(InvalidCursorError);
  });
});
