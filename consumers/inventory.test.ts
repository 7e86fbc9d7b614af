import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoOrderRepository } from "../adapters/dynamo-order-repository";
import type { Order } from "../core/orders/order";
import { OrderLifecycle } from "../core/orders/order-lifecycle";
import type { OrderService } from "../core/orders/order-service";
import type { Poller } from "../local/lambda/sqs-poller";
import {
  orderCreatedEvent,
  peekBodies,
  queueDepth,
  runConsumers,
  sendToQueue,
  statusChangedEvent,
} from "../test/support/consumer-harness";
import {
  aProduct,
  asAdmin,
  createTestShop,
  eventually,
  type TestShop,
} from "../test/support/test-shop";

let shop: TestShop;
let consumers: Poller;
let orders: OrderService;
let lifecycle: OrderLifecycle;

beforeAll(async () => {
  shop = await createTestShop();
  await shop.putProducts([
    aProduct({ productId: "chair", stock: 30 }),
    aProduct({ productId: "desk", stock: 30 }),
    aProduct({ productId: "rare-lamp", stock: 6 }),
  ]);
  orders = shop.services().orders;
  lifecycle = new OrderLifecycle(
    new DynamoOrderRepository(shop.local.document, shop.provisioned.tableNames),
    {
      now: () => new Date(),
    },
  );
  consumers = await runConsumers(shop, ["inventory"]);
});
afterAll(async () => {
  await consumers.stop();
  shop.destroy();
});

async function place(productId: string, quantity: number): Promise<Order> {
  const result = await orders.placeOrder(asAdmin, {
    customerId: "stock-keeper",
    items: [{ productId, quantity }],
  });
  if (result.kind !== "placed") throw new Error(JSON.stringify(result));
  return result.order;
}

const queue = () => shop.provisioned.queues.inventory;

describe("the inventory consumer", () => {
  it("returns a cancelled order's units exactly once, however often the event arrives", async () => {
    const order = await place("chair", 4);
    expect(await shop.stockOf("chair")).toBe(26);
    await lifecycle.cancelOrder(asAdmin, order.orderId, "test");
    const cancelled = statusChangedEvent("order_cancelled", order, "PENDING", "CANCELLED");
    await sendToQueue(shop, queue().url, [cancelled, cancelled]);
    await sendToQueue(shop, queue().url, [
      { ...cancelled, eventId: "a-redelivery-with-another-id" },
    ]);
    await eventually(
      () => shop.stockOf("chair"),
      (stock) => stock === 30,
      { what: "the stock back" },
    );
    await eventually(
      () => queueDepth(shop, queue().url),
      (depth) => depth === 0,
    );
    expect(await shop.stockOf("chair")).toBe(30);
    expect((await orders.getOrder(asAdmin, order.orderId))?.stockReleased).toBe(true);
  });

  it("returns a rejected order's units", async () => {
    const order = await place("desk", 5);
    await lifecycle.changeStatus(order.orderId, "REJECTED", "fraud", { reason: "test" });
    await sendToQueue(shop, queue().url, [
      statusChangedEvent("order_rejected", order, "PENDING", "REJECTED"),
    ]);
    await eventually(
      () => shop.stockOf("desk"),
      (stock) => stock === 30,
      { what: "the stock back" },
    );
  });

  it("leaves stock alone for an order that is not rejected or cancelled", async () => {
    const order = await place("desk", 2);
    await sendToQueue(shop, queue().url, [
      statusChangedEvent("order_cancelled", order, "PENDING", "CANCELLED"),
    ]);
    await eventually(
      () => queueDepth(shop, queue().url),
      (depth) => depth === 0,
    );
    expect(await shop.stockOf("desk")).toBe(28);
    expect((await orders.getOrder(asAdmin, order.orderId))?.stockReleased).toBeUndefined();
  });

  it("flags a product whose stock falls under the threshold", async () => {
    const order = await place("rare-lamp", 3);
    await sendToQueue(shop, queue().url, [orderCreatedEvent(order)]);
    const flagged = await eventually(
      () =>
        shop.local.document.send(
          new GetCommand({
            TableName: shop.provisioned.tableNames.products,
            Key: { productId: "rare-lamp" },
          }),
        ),
      (result) => result.Item?.lowStock === true,
      { what: "the low-stock flag" },
    );
    expect(flagged.Item).toMatchObject({ stock: 3, lowStock: true });
  });

  it("moves a poison record to the DLQ after three receives, and still handles the rest of its batch", async () => {
    const order = await place("chair", 1);
    await lifecycle.cancelOrder(asAdmin, order.orderId, "test");
    await sendToQueue(shop, queue().url, [
      '{"eventType": "order_cancelled"}',
      statusChangedEvent("order_cancelled", order, "PENDING", "CANCELLED"),
    ]);
    await eventually(
      () => queueDepth(shop, queue().deadLetterUrl),
      (depth) => depth === 1,
      { what: "the DLQ" },
    );
    expect(await peekBodies(shop, queue().deadLetterUrl)).toEqual([
      '{"eventType": "order_cancelled"}',
    ]);
    expect(await shop.stockOf("chair")).toBe(30);
  });
});
