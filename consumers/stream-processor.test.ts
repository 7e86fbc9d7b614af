import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoHistoryRepository } from "../adapters/dynamo-history-repository";
import { DynamoOrderRepository } from "../adapters/dynamo-order-repository";
import type { Order } from "../core/orders/order";
import { OrderLifecycle } from "../core/orders/order-lifecycle";
import type { OrderService } from "../core/orders/order-service";
import { shopEventSchema } from "../core/shared/events";
import type { Poller } from "../local/lambda/sqs-poller";
import { peekBodies, queueDepth, runConsumers } from "../test/support/consumer-harness";
import {
  aProduct,
  asAdmin,
  createTestShop,
  eventually,
  type Probe,
  type TestShop,
} from "../test/support/test-shop";

let shop: TestShop;
let consumer: Poller;
let orders: OrderService;
let repository: DynamoOrderRepository;
let lifecycle: OrderLifecycle;
let history: DynamoHistoryRepository;
let statusEvents: Probe;
let invocations = 0;

beforeAll(async () => {
  shop = await createTestShop();
  await shop.putProducts([aProduct({ productId: "vase", stock: 100 })]);
  orders = shop.services().orders;
  repository = new DynamoOrderRepository(shop.local.document, shop.provisioned.tableNames);
  lifecycle = new OrderLifecycle(repository, { now: () => new Date() });
  history = new DynamoHistoryRepository(
    shop.local.document,
    shop.provisioned.tableNames.orderHistory,
  );
  statusEvents = await shop.subscribeProbe(["order_confirmed", "order_shipped", "order_cancelled"]);
  // Every batch is delivered twice, as a retried stream batch would be.
  consumer = await runConsumers(shop, ["streamProcessor"], {
    wrap: (_, handler) => async (event, context) => {
      invocations++;
      await handler(event, context);
      return handler(event, context);
    },
  });
});
afterAll(async () => {
  await consumer.stop();
  shop.destroy();
});

async function place(customerId: string): Promise<Order> {
  const result = await orders.placeOrder(asAdmin, {
    customerId,
    items: [{ productId: "vase", quantity: 1 }],
  });
  if (result.kind !== "placed") throw new Error(JSON.stringify(result));
  return result.order;
}

describe("the stream processor", () => {
  it("publishes each status change and records the history once, though every batch arrives twice", async () => {
    const order = await place("streamer");
    await lifecycle.changeStatus(order.orderId, "CONFIRMED", "fraud");
    await lifecycle.shipOrder(asAdmin, order.orderId);

    const messages = await statusEvents.receive(4, 15_000);
    const events = messages.map((m) => shopEventSchema.parse(JSON.parse(m.Body ?? "")));
    // Delivered twice, published twice, with the same ids: consumers drop the repeats.
    expect(new Set(events.map((e) => e.eventId))).toEqual(
      new Set([`${order.orderId}:order_confirmed:v2`, `${order.orderId}:order_shipped:v3`]),
    );
    expect(events.find((e) => e.eventType === "order_shipped")?.data).toMatchObject({
      orderId: order.orderId,
      previousStatus: "CONFIRMED",
      status: "SHIPPED",
    });

    const entries = await eventually(
      () => history.list(order.orderId),
      (h) => h.length >= 3,
      { what: "history" },
    );
    expect(entries.map((e) => [e.change, e.actor, e.fromStatus, e.toStatus])).toEqual([
      ["CREATED", "admin:test", undefined, "PENDING"],
      ["STATUS_CHANGED", "fraud", "PENDING", "CONFIRMED"],
      ["STATUS_CHANGED", "admin:test", "CONFIRMED", "SHIPPED"],
    ]);
    expect(invocations).toBeGreaterThan(0);
  });

  it("announces an order the mutation could not, then clears the mark", async () => {
    const created = await shop.subscribeProbe(["order_created"]);
    const order = await place("unannounced");
    await created.receive(1);
    await repository.markCreationUnannounced(order.orderId);
    const [message] = await created.receive(1, 15_000);
    expect(shopEventSchema.parse(JSON.parse(message?.Body ?? "")).eventId).toBe(
      `${order.orderId}:order_created`,
    );
    await eventually(
      () =>
        shop.local.document.send(
          new GetCommand({
            TableName: shop.provisioned.tableNames.orders,
            Key: { orderId: order.orderId },
          }),
        ),
      (result) => result.Item !== undefined && result.Item.unannouncedEvent === undefined,
      { what: "the mark cleared" },
    );
  });

  it("sends a record it cannot read to the on-failure destination after its retries, and goes on", async () => {
    await shop.local.document.send(
      new PutCommand({
        TableName: shop.provisioned.tableNames.orders,
        Item: { orderId: "corrupt", status: "WEIRD" },
      }),
    );
    const after = await place("after-the-poison");
    const failures = shop.provisioned.failureQueues.streamFailures.url;
    await eventually(
      () => queueDepth(shop, failures),
      (depth) => depth === 1,
      {
        what: "the on-failure destination",
        timeoutMs: 30_000,
      },
    );
    const [report] = await peekBodies(shop, failures);
    expect(JSON.parse(report ?? "{}")).toMatchObject({
      requestContext: { condition: "RetryAttemptsExhausted" },
      DDBStreamBatchInfo: { batchSize: 1 },
    });
    const entries = await eventually(
      () => history.list(after.orderId),
      (h) => h.length === 1,
      {
        what: "the next order's history",
      },
    );
    expect(entries[0]?.change).toBe("CREATED");
  });
});
