import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoHistoryRepository } from "../adapters/dynamo-history-repository";
import { DynamoOrderRepository } from "../adapters/dynamo-order-repository";
import type { Order } from "../core/orders/order";
import { OrderLifecycle } from "../core/orders/order-lifecycle";
import type { OrderService } from "../core/orders/order-service";
import { shopEventSchema } from "../core/shared/events";
import type { Poller } from "../local/lambda/sqs-poller";
import {
  anOrderOwingItsCreation,
  peekBodies,
  queueDepth,
  runConsumers,
} from "../test/support/consumer-harness";
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

/** A new order as the api writes it: PENDING, owing its order_created. */
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

    const messages = await statusEvents.receive(2, 15_000);
    const events = messages.map((m) => shopEventSchema.parse(JSON.parse(m.Body ?? "")));
    // Each batch arrives twice, but an event leaves the order's outbox once published, so
    // the repeat finds nothing owed and publishes nothing again.
    expect(await statusEvents.countArriving(1500)).toBe(0);
    expect(events.map((e) => e.eventId).sort()).toEqual(
      [`${order.orderId}:order_confirmed:v2`, `${order.orderId}:order_shipped:v3`].sort(),
    );
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

  it("publishes what an order owes when nobody published it (the api died after its transaction)", async () => {
    const created = await shop.subscribeProbe(["order_created"]);
    // Exactly what the transaction of a placed order leaves when its process dies before the
    // publish: the order, its stock taken, and order_created owed in the order itself.
    const order = {
      ...anOrderOwingItsCreation({
        orderId: "killed-after-reserve",
        customerId: "killed",
        productId: "vase",
      }),
      updatedBy: "customer:killed",
    };
    expect(await repository.placeOrder(order)).toEqual({ kind: "placed" });
    const [message] = await created.receive(1, 15_000);
    expect(shopEventSchema.parse(JSON.parse(message?.Body ?? "")).eventId).toBe(
      `${order.orderId}:order_created`,
    );
    await eventually(
      () => repository.getOrder(order.orderId),
      (stored) => stored !== undefined && Object.keys(stored.owed ?? {}).length === 0,
      { what: "the outbox emptied" },
    );
    expect(await created.countArriving(1500)).toBe(0);
  });

  it("sets a record it can never read aside on the on-failure queue, and goes on", async () => {
    await shop.local.document.send(
      new PutCommand({
        TableName: shop.provisioned.tableNames.orders,
        Item: { orderId: "corrupt", status: "WEIRD" },
      }),
    );
    const after = await place("after-the-poison");
    const failures = shop.provisioned.failureQueues.streamFailures.url;
    // Every batch arrives twice here, so the record may be set aside twice: at least once.
    await eventually(
      () => queueDepth(shop, failures),
      (depth) => depth >= 1,
      { what: "the on-failure queue", timeoutMs: 30_000 },
    );
    const reports = (await peekBodies(shop, failures)).map((body) => JSON.parse(body));
    expect(reports.length).toBeGreaterThanOrEqual(1);
    for (const report of reports) {
      expect(report).toMatchObject({
        requestContext: {
          condition: "SetAside",
          reason: expect.stringContaining("CorruptRecordError"),
        },
        record: { eventName: "INSERT", dynamodb: { Keys: { orderId: { S: "corrupt" } } } },
      });
    }
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
