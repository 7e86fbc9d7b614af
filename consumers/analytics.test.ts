import { PublishCommand } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoAnalyticsRepository } from "../adapters/dynamo-analytics-repository";
import type { Poller } from "../local/lambda/sqs-poller";
import {
  orderCreatedEvent,
  peekBodies,
  queueDepth,
  runConsumers,
} from "../test/support/consumer-harness";
import { createTestShop, eventually, type TestShop } from "../test/support/test-shop";

let shop: TestShop;
let consumer: Poller;
let analytics: DynamoAnalyticsRepository;

beforeAll(async () => {
  shop = await createTestShop();
  consumer = await runConsumers(shop, ["analytics"]);
  analytics = new DynamoAnalyticsRepository(
    shop.local.document,
    shop.provisioned.tableNames.analytics,
  );
});
afterAll(async () => {
  await consumer.stop();
  shop.destroy();
});

function publish(body: string, eventType = "order_created") {
  return shop.local.sns.send(
    new PublishCommand({
      TopicArn: shop.provisioned.topicArn,
      Message: body,
      MessageAttributes: { event_type: { DataType: "String", StringValue: eventType } },
    }),
  );
}

const line = (productId: string, quantity: number, unitPriceCents: number) => ({
  productId,
  productName: productId,
  quantity,
  unitPriceCents,
  lineTotalCents: quantity * unitPriceCents,
});

describe("the analytics consumer (subscribed to the topic directly)", () => {
  it("counts each order into its day, per product, once however often the event arrives", async () => {
    const event = orderCreatedEvent({
      orderId: "a-1",
      customerId: "c",
      items: [line("pen", 3, 150), line("ink", 1, 900)],
      totalCents: 1350,
      createdAt: "2026-03-01T09:00:00.000Z",
    });
    await publish(JSON.stringify(event));
    await publish(JSON.stringify(event));
    await publish(
      JSON.stringify(
        orderCreatedEvent({
          orderId: "a-2",
          customerId: "c",
          items: [line("pen", 1, 150)],
          totalCents: 150,
          createdAt: "2026-03-01T18:00:00.000Z",
        }),
      ),
    );
    const sales = await eventually(
      () => analytics.getDailySales("2026-03-01"),
      (s) => s.orders >= 2,
      {
        what: "two orders counted",
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await analytics.getDailySales("2026-03-01")).toEqual({
      day: "2026-03-01",
      orders: 2,
      units: 5,
      revenueCents: 1500,
      products: [
        { productId: "ink", orders: 1, units: 1, revenueCents: 900 },
        { productId: "pen", orders: 2, units: 4, revenueCents: 600 },
      ],
      stockWriteOffs: 0,
      unitsWrittenOff: 0,
    });
    expect(sales.orders).toBe(2);
  });

  it("counts each stock write-off into its day, once, and no restock", async () => {
    const adjustment = (id: string, delta: number) => ({
      eventId: `stock_adjusted:${id}`,
      eventType: "stock_adjusted",
      version: 1,
      occurredAt: "2026-03-02T10:00:00.000Z",
      data: {
        productId: "pen",
        delta,
        stockBefore: 50,
        stockAfter: 50 + delta,
        reason: delta < 0 ? "water damage" : "delivery",
        actor: "admin:owner",
        adjustedAt: "2026-03-02T10:00:00.000Z",
      },
    });
    const writeOff = JSON.stringify(adjustment("w-1", -3));
    await publish(writeOff, "stock_adjusted");
    await publish(writeOff, "stock_adjusted");
    await publish(JSON.stringify(adjustment("r-1", 20)), "stock_adjusted");
    await publish(JSON.stringify(adjustment("w-2", -2)), "stock_adjusted");
    const day = await eventually(
      () => analytics.getDailySales("2026-03-02"),
      (s) => s.stockWriteOffs >= 2,
      { what: "two write-offs counted" },
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await analytics.getDailySales("2026-03-02")).toMatchObject({
      orders: 0,
      stockWriteOffs: 2,
      unitsWrittenOff: 5,
    });
    expect(day.unitsWrittenOff).toBe(5);
  });

  it("is not sent events its subscription filters out", async () => {
    await publish(JSON.stringify({ eventType: "order_confirmed" }), "order_confirmed");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await queueDepth(shop, shop.provisioned.failureQueues.analyticsDeadLetter.url)).toBe(0);
  });

  it("sends a poison message to its DLQ after three attempts, and counts the others", async () => {
    await publish("garbage that is no event");
    await publish(
      JSON.stringify(
        orderCreatedEvent({
          orderId: "a-3",
          customerId: "c",
          items: [line("cap", 1, 500)],
          totalCents: 500,
          createdAt: "2026-03-02T10:00:00.000Z",
        }),
      ),
    );
    const dlq = shop.provisioned.failureQueues.analyticsDeadLetter.url;
    await eventually(
      () => queueDepth(shop, dlq),
      (depth) => depth === 1,
      { what: "the DLQ" },
    );
    expect(JSON.parse((await peekBodies(shop, dlq))[0] ?? "{}").Message).toBe(
      "garbage that is no event",
    );
    expect((await analytics.getDailySales("2026-03-02")).orders).toBe(1);
  });
});
