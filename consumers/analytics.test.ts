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
    });
    expect(sales.orders).toBe(2);
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
