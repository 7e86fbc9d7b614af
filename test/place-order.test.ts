import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoOrderRepository } from "../adapters/dynamo-order-repository";
import type { OrderService, PlaceOrderResult } from "../core/orders/order-service";
import { shopEventSchema } from "../core/shared/events";
import { httpEvent, invoke } from "./support/api-events";
import {
  aProduct,
  asAdmin,
  createTestShop,
  eventually,
  type Probe,
  type TestShop,
} from "./support/test-shop";

let shop: TestShop;
let orders: OrderService;
let created: Probe;

beforeAll(async () => {
  shop = await createTestShop();
  await shop.putProducts([
    aProduct({ productId: "lamp", name: "Desk Lamp", priceCents: 2599, stock: 10 }),
    aProduct({ productId: "mug", name: "Mug", priceCents: 899, stock: 5 }),
    aProduct({ productId: "rare", name: "Rare Print", priceCents: 50000, stock: 1 }),
    aProduct({ productId: "idem", priceCents: 100, stock: 100 }),
    aProduct({ productId: "race", priceCents: 100, stock: 100 }),
    aProduct({ productId: "note", priceCents: 100, stock: 100 }),
  ]);
  orders = shop.services().orders;
  created = await shop.subscribeProbe(["order_created"]);
});
afterAll(() => shop.destroy());

function placed(result: PlaceOrderResult) {
  if (result.kind !== "placed")
    throw new Error(`expected a placed order, got ${JSON.stringify(result)}`);
  return result.order;
}

describe("placing an order against DynamoDB Local and the SNS/SQS emulator", () => {
  it("stores a PENDING order, takes its units off stock and announces order_created", async () => {
    const order = placed(
      await orders.placeOrder(asAdmin, {
        customerId: "alice",
        items: [
          { productId: "lamp", quantity: 2 },
          { productId: "mug", quantity: 1 },
        ],
      }),
    );
    expect(order).toMatchObject({
      customerId: "alice",
      status: "PENDING",
      totalCents: 2 * 2599 + 899,
    });

    const { Item } = await shop.local.document.send(
      new GetCommand({
        TableName: shop.provisioned.tableNames.orders,
        Key: { orderId: order.orderId },
      }),
    );
    expect(Item).toMatchObject({ orderId: order.orderId, status: "PENDING", version: 1 });
    expect(await shop.stockOf("lamp")).toBe(8);
    expect(await shop.stockOf("mug")).toBe(4);

    const [message] = await created.receive(1);
    expect(message?.MessageAttributes?.event_type?.StringValue).toBe("order_created");
    const event = shopEventSchema.parse(JSON.parse(message?.Body ?? "{}"));
    expect(event).toMatchObject({
      eventType: "order_created",
      data: { orderId: order.orderId, customerId: "alice", totalCents: 6097, status: "PENDING" },
    });
  });

  it("does not deliver order_created to a subscription filtered on other event types", async () => {
    const confirmed = await shop.subscribeProbe(["order_confirmed"]);
    placed(
      await orders.placeOrder(asAdmin, {
        customerId: "bob",
        items: [{ productId: "lamp", quantity: 1 }],
      }),
    );
    expect(await created.receive(1)).toHaveLength(1);
    expect(await confirmed.countArriving(1500)).toBe(0);
  });

  it("refuses more units than the stock holds, and changes nothing at all", async () => {
    const ordersBefore = await shop.orderCount();
    const result = await orders.placeOrder(asAdmin, {
      customerId: "carol",
      items: [
        { productId: "mug", quantity: 1 },
        { productId: "rare", quantity: 2 },
      ],
    });
    expect(result).toEqual({
      kind: "insufficientStock",
      productId: "rare",
      requested: 2,
      available: 1,
    });
    expect(await shop.stockOf("mug")).toBe(4);
    expect(await shop.stockOf("rare")).toBe(1);
    expect(await shop.orderCount()).toBe(ordersBefore);
    expect(await created.countArriving(1000)).toBe(0);
  });

  it("refuses an unknown product, and changes nothing at all", async () => {
    const ordersBefore = await shop.orderCount();
    const result = await orders.placeOrder(asAdmin, {
      customerId: "carol",
      items: [
        { productId: "mug", quantity: 1 },
        { productId: "no-such-product", quantity: 1 },
      ],
    });
    expect(result).toEqual({ kind: "productNotFound", productId: "no-such-product" });
    expect(await shop.stockOf("mug")).toBe(4);
    expect(await shop.orderCount()).toBe(ordersBefore);
  });

  it("refuses invalid input before reading anything", async () => {
    const ordersBefore = await shop.orderCount();
    expect(
      await orders.placeOrder(asAdmin, {
        customerId: "carol",
        items: [{ productId: "mug", quantity: -1 }],
      }),
    ).toEqual({
      kind: "invalidOrder",
      field: "items[0].quantity",
      reason: "must be at least 1",
    });
    expect(await shop.stockOf("mug")).toBe(4);
    expect(await shop.orderCount()).toBe(ordersBefore);
  });

  it("answers a retry with the same idempotency key with the same order, reserving once", async () => {
    const request = {
      customerId: "dave",
      items: [{ productId: "idem", quantity: 3 }],
      idempotencyKey: "k-1",
    };
    const first = await orders.placeOrder(asAdmin, request);
    const retry = await orders.placeOrder(asAdmin, request);
    expect(first).toMatchObject({ kind: "placed", replayed: false });
    expect(retry).toMatchObject({ kind: "placed", replayed: true });
    expect(placed(retry).orderId).toBe(placed(first).orderId);
    expect(await shop.stockOf("idem")).toBe(97);
    expect(await created.receive(1)).toHaveLength(1);
    expect(await created.countArriving(1000)).toBe(0);
  });

  it("refuses the same idempotency key with a different request, and changes nothing", async () => {
    const ordersBefore = await shop.orderCount();
    const result = await orders.placeOrder(asAdmin, {
      customerId: "dave",
      items: [{ productId: "idem", quantity: 4 }],
      idempotencyKey: "k-1",
    });
    expect(result).toEqual({ kind: "idempotencyKeyReused", idempotencyKey: "k-1" });
    expect(await shop.stockOf("idem")).toBe(97);
    expect(await shop.orderCount()).toBe(ordersBefore);
  });

  it("scopes idempotency keys to the customer", async () => {
    const other = await orders.placeOrder(asAdmin, {
      customerId: "erin",
      items: [{ productId: "idem", quantity: 3 }],
      idempotencyKey: "k-1",
    });
    expect(other).toMatchObject({ kind: "placed", replayed: false });
    expect(await shop.stockOf("idem")).toBe(94);
    await created.receive(1);
  });

  it("reserves once when retries with the same key race each other", async () => {
    const request = {
      customerId: "frank",
      items: [{ productId: "race", quantity: 1 }],
      idempotencyKey: "race-1",
    };
    const results = await Promise.all(
      Array.from({ length: 10 }, () => orders.placeOrder(asAdmin, request)),
    );
    const ids = new Set(results.map((r) => placed(r).orderId));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.kind === "placed" && !r.replayed)).toHaveLength(1);
    expect(await shop.stockOf("race")).toBe(99);
    await created.receive(1);
  });

  it("keeps the order, its order_created still owed in the order, when the topic cannot be reached", async () => {
    const unreachable = shop.services({
      ORDER_EVENTS_TOPIC_ARN: `${shop.provisioned.topicArn}-missing`,
    }).orders;
    const order = placed(
      await unreachable.placeOrder(asAdmin, {
        customerId: "gina",
        items: [{ productId: "lamp", quantity: 1 }],
      }),
    );
    const { Item } = await shop.local.document.send(
      new GetCommand({
        TableName: shop.provisioned.tableNames.orders,
        Key: { orderId: order.orderId },
      }),
    );
    // The outbox still holds the event: the stream processor (or the reconciler) delivers it.
    expect(Item).toMatchObject({
      status: "PENDING",
      version: 1,
      owed: {
        [`${order.orderId}:order_created`]: expect.objectContaining({ eventType: "order_created" }),
      },
      owedSince: order.createdAt,
    });
    expect(shop.logger.lines).toContainEqual(
      expect.objectContaining({
        level: "warn",
        extra: expect.objectContaining({ orderId: order.orderId }),
      }),
    );
  });
});

describe("a status change made through the api", () => {
  it("is published at once, without waiting for the orders stream", async () => {
    const cancelled = await shop.subscribeProbe(["order_cancelled"]);
    const order = placed(
      await orders.placeOrder(asAdmin, {
        customerId: "carol",
        items: [{ productId: "mug", quantity: 1 }],
      }),
    );
    const result = await shop
      .services()
      .lifecycle.cancelOrder(asAdmin, order.orderId, "changed mind");
    expect(result.kind).toBe("changed");
    // No stream processor runs in this file: the event can only have come from the api.
    const [message] = await cancelled.receive(1);
    expect(JSON.parse(message?.Body ?? "{}")).toMatchObject({
      eventType: "order_cancelled",
      data: { orderId: order.orderId, reason: "changed mind" },
    });
    const repository = new DynamoOrderRepository(shop.local.document, shop.provisioned.tableNames);
    await eventually(
      async () => (await repository.getOrder(order.orderId))?.owed,
      (owed) => owed === undefined,
      {
        what: "the published events cleared from the order",
      },
    );
  });
});

describe("an order's correlation id", () => {
  const placeThroughApi = (headers: Record<string, string>, productId = "note") =>
    shop.authorization({ customer: "dora" }).then((authorization) =>
      invoke(
        shop.api(),
        httpEvent({
          method: "POST",
          path: "/orders",
          headers: { "content-type": "application/json", ...authorization, ...headers },
          body: JSON.stringify({ items: [{ product_id: productId, quantity: 1 }] }),
        }),
      ),
    );

  it("is the caller's x-correlation-id: answered, kept on the order, in its event's body and attributes", async () => {
    const probe = await shop.subscribeProbe(["order_created"]);
    const response = await placeThroughApi({ "x-correlation-id": "checkout-7f3a" });
    expect(response.status).toBe(201);
    expect(response.headers["x-correlation-id"]).toBe("checkout-7f3a");
    const orderId = (response.json as { order_id: string }).order_id;

    const { Item } = await shop.local.document.send(
      new GetCommand({ TableName: shop.provisioned.tableNames.orders, Key: { orderId } }),
    );
    expect(Item?.correlationId).toBe("checkout-7f3a");
    const [message] = await probe.receive(1);
    expect(message?.MessageAttributes?.correlation_id?.StringValue).toBe("checkout-7f3a");
    expect(shopEventSchema.parse(JSON.parse(message?.Body ?? "{}"))).toMatchObject({
      correlationId: "checkout-7f3a",
      data: { orderId },
    });
  });

  it("is made from the request's id when the caller gives none, or one that is not a bounded token", async () => {
    for (const given of [
      {},
      { "x-correlation-id": "two words" },
      { "x-correlation-id": "x".repeat(129) },
    ]) {
      const response = await placeThroughApi(given);
      expect(response.status).toBe(201);
      // httpEvent's request id, as API Gateway's would be.
      expect(response.headers["x-correlation-id"]).toBe("request-id");
      const order = await shop
        .services()
        .orders.getOrder(asAdmin, (response.json as { order_id: string }).order_id);
      expect(order?.correlationId).toBe("request-id");
    }
  });

  it("is answered on every response, a refused one too", async () => {
    const refused = await invoke(
      shop.api(),
      httpEvent({ path: "/orders", headers: { "x-correlation-id": "no-token-1" } }),
    );
    expect(refused.status).toBe(401);
    expect(refused.headers["x-correlation-id"]).toBe("no-token-1");
  });

  it("is carried by the order's later events, whoever makes the change", async () => {
    const cancelled = await shop.subscribeProbe(["order_cancelled"]);
    const response = await placeThroughApi({ "x-correlation-id": "checkout-later" });
    const orderId = (response.json as { order_id: string }).order_id;
    await shop.services().lifecycle.cancelOrder(asAdmin, orderId, "out of time");
    const [message] = await cancelled.receive(1);
    expect(message?.MessageAttributes?.correlation_id?.StringValue).toBe("checkout-later");
    expect(JSON.parse(message?.Body ?? "{}")).toMatchObject({
      eventType: "order_cancelled",
      correlationId: "checkout-later",
    });
  });
});
