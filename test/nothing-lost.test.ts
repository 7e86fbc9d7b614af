import type { SNSEvent, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoOrderRepository } from "../adapters/dynamo-order-repository";
import { OrderLifecycle } from "../core/orders/order-lifecycle";
import type { EventType } from "../core/shared/events";
import { type ConsumerName, consumers, queueSubscriptions } from "../infra/topology";
import type { Poller } from "../local/lambda/sqs-poller";
import { queueDepth, runConsumers } from "./support/consumer-harness";
import {
  aProduct,
  asAdmin,
  createTestShop,
  eventually,
  type Probe,
  type TestShop,
} from "./support/test-shop";

let shop: TestShop;
let sources: Poller;
let everything: Probe;
const processed: Record<string, Set<string>> = {};

/** Share of consumer invocations that fail before doing anything, like a transient fault. */
const FAULT_RATE = 0.25;

const EVENT_CONSUMERS = [
  "fraud",
  "inventory",
  "email",
  "analytics",
  "liveUpdates",
] as const satisfies readonly ConsumerName[];

function eventTypesOf(name: (typeof EVENT_CONSUMERS)[number]): readonly EventType[] {
  const source = consumers[name].source;
  if (source.kind === "sns") return source.eventTypes;
  if (source.kind === "sqs")
    return queueSubscriptions.find((s) => s.queue === source.queue)?.eventTypes ?? [];
  return [];
}

beforeAll(async () => {
  shop = await createTestShop();
  await shop.putProducts([
    aProduct({ productId: "widget", priceCents: 1500, stock: 500 }),
    aProduct({ productId: "yacht", priceCents: 800_000, stock: 50 }),
  ]);
  everything = await shop.subscribeProbe([
    "order_created",
    "order_confirmed",
    "order_rejected",
    "order_shipped",
    "order_cancelled",
  ]);
  sources = await runConsumers(shop, ["streamProcessor", ...EVENT_CONSUMERS], {
    env: { PAYMENT_LATENCY_MS: "0" },
    wrap: (name, handler) => async (event, context) => {
      if (name === "streamProcessor") return handler(event, context);
      if (Math.random() < FAULT_RATE) throw new Error("injected transient failure");
      const result = await handler(event, context);
      const done = processed[name] ?? new Set<string>();
      processed[name] = done;
      if (name === "analytics") {
        for (const record of (event as SNSEvent).Records) done.add(record.Sns.MessageId);
      } else {
        const failed = new Set(
          ((result as SQSBatchResponse).batchItemFailures ?? []).map((f) => f.itemIdentifier),
        );
        for (const record of (event as SQSEvent).Records)
          if (!failed.has(record.messageId)) done.add(record.messageId);
      }
      return result;
    },
  });
});
afterAll(async () => {
  await sources.stop();
  shop.destroy();
});

describe("nothing is lost", () => {
  it("accounts for every event after a burst: published = processed + in a DLQ, for each consumer", async () => {
    const { orders } = shop.services();
    const lifecycle = new OrderLifecycle(
      new DynamoOrderRepository(shop.local.document, shop.provisioned.tableNames),
      {
        now: () => new Date(),
      },
    );
    const placed = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        orders.placeOrder(asAdmin, {
          customerId: `burst-${i}`,
          items: [{ productId: i % 6 === 0 ? "yacht" : "widget", quantity: 1 + (i % 3) }],
        }),
      ),
    );
    const ids = placed.map((r) => (r.kind === "placed" ? r.order.orderId : ""));
    expect(ids.every(Boolean)).toBe(true);

    const published: { type: string }[] = [];
    const queues = [
      ...Object.values(shop.provisioned.queues).map((q) => q.url),
      ...Object.values(shop.provisioned.directSubscriptions).map((q) => q.url),
    ];
    // Settled: every consumer queue drained and no more events arriving.
    const settle = () =>
      eventually(
        async () => {
          const arrived = await everything.receive(1000, 1500);
          published.push(
            ...arrived.map((m) => ({ type: m.MessageAttributes?.event_type?.StringValue ?? "" })),
          );
          const depths = await Promise.all(queues.map((url) => queueDepth(shop, url)));
          return { arrived: arrived.length, pending: depths.reduce((a, b) => a + b, 0) };
        },
        (state) => state.arrived === 0 && state.pending === 0,
        { what: "the system to settle", timeoutMs: 90_000, intervalMs: 0 },
      );
    await settle();

    // Some confirmed orders are cancelled and some shipped, so every event type flows.
    const confirmed = (await Promise.all(ids.map((id) => orders.getOrder(asAdmin, id)))).filter(
      (o) => o?.status === "CONFIRMED",
    );
    for (const [i, order] of confirmed.entries()) {
      if (!order) continue;
      if (i % 3 === 0) await lifecycle.cancelOrder(asAdmin, order.orderId, "test");
      else if (i % 3 === 1) await lifecycle.shipOrder(asAdmin, order.orderId);
    }
    await settle();

    for (const name of EVENT_CONSUMERS) {
      const types = eventTypesOf(name);
      const deliveredToIt = published.filter((e) => types.includes(e.type as EventType)).length;
      const deadLetterUrl =
        name === "analytics"
          ? shop.provisioned.failureQueues.analyticsDeadLetter.url
          : shop.provisioned.queues[name].deadLetterUrl;
      const inDlq = await queueDepth(shop, deadLetterUrl);
      const done = processed[name]?.size ?? 0;
      console.info(`${name}: published ${deliveredToIt}, processed ${done}, in its DLQ ${inDlq}`);
      expect({ consumer: name, published: deliveredToIt, accounted: done + inDlq }).toEqual({
        consumer: name,
        published: deliveredToIt,
        accounted: deliveredToIt,
      });
      expect(deliveredToIt).toBeGreaterThan(0);
    }
    const types = new Set(published.map((e) => e.type));
    expect(types).toEqual(
      new Set([
        "order_created",
        "order_confirmed",
        "order_rejected",
        "order_shipped",
        "order_cancelled",
      ]),
    );
  }, 180_000);
});
