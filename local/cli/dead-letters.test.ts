import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Order } from "../../core/orders/order";
import {
  orderCreatedEvent,
  queueDepth,
  runConsumers,
  sendToQueue,
} from "../../test/support/consumer-harness";
import {
  aProduct,
  asAdmin,
  createTestShop,
  eventually,
  type TestShop,
} from "../../test/support/test-shop";
import { deadLetterQueues, peekDeadLetters, redriveDeadLetters } from "./dead-letters";

let shop: TestShop;

beforeAll(async () => {
  shop = await createTestShop();
  await shop.putProducts([aProduct({ productId: "kite", stock: 10 })]);
});
afterAll(() => shop.destroy());

describe("dead letters", () => {
  it("names every DLQ of the topology with the queue its messages came from", () => {
    expect(deadLetterQueues()).toEqual(
      expect.arrayContaining([
        { name: "fraud-dlq", source: "fraud" },
        { name: "analytics-dlq", source: "analytics-subscription" },
        expect.objectContaining({ name: "orders-stream-failures", note: expect.any(String) }),
      ]),
    );
  });

  it("lists what waits in a DLQ, and redrives it to be processed", async () => {
    const result = await shop.services().orders.placeOrder(asAdmin, {
      customerId: "stranded",
      items: [{ productId: "kite", quantity: 1 }],
    });
    if (result.kind !== "placed") throw new Error(JSON.stringify(result));
    const order: Order = result.order;
    const dlq = shop.provisioned.queues.fraud.deadLetterUrl;
    // As if the fraud consumer had failed on it three times.
    await sendToQueue(shop, dlq, [orderCreatedEvent(order)]);

    const letters = await peekDeadLetters(shop.local.sqs, shop.prefix, "fraud-dlq");
    expect(letters).toEqual([
      expect.objectContaining({
        eventType: "order_created",
        eventId: `${order.orderId}:order_created`,
        orderId: order.orderId,
      }),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await queueDepth(shop, dlq)).toBe(1);

    const fraud = await runConsumers(shop, ["fraud"], {
      env: { PAYMENT_LATENCY_MS: "0" },
    });
    try {
      const fraudDlq = deadLetterQueues().find((q) => q.name === "fraud-dlq");
      if (!fraudDlq) throw new Error("no fraud DLQ");
      expect(await redriveDeadLetters(shop.local.sqs, shop.prefix, fraudDlq)).toBe(1);
      expect(await queueDepth(shop, dlq)).toBe(0);
      const { orders } = shop.services();
      await eventually(
        () => orders.getOrder(asAdmin, order.orderId),
        (o) => o?.status === "CONFIRMED",
        { what: "CONFIRMED" },
      );
    } finally {
      await fraud.stop();
    }
  });

  it("refuses to redrive the stream's failure reports", async () => {
    const reports = deadLetterQueues().find((q) => q.name === "orders-stream-failures");
    if (!reports) throw new Error("no stream failure queue");
    await expect(redriveDeadLetters(shop.local.sqs, shop.prefix, reports)).rejects.toThrow(
      /cannot be redriven/,
    );
  });
});
