import { IdempotencyConfig } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoOrderRepository } from "../adapters/dynamo-order-repository";
import type { Order } from "../core/orders/order";
import type { OrderService } from "../core/orders/order-service";
import { consumers } from "../infra/topology";
import { buildFunction } from "../local/lambda/functions";
import { createLambdaContext } from "../local/lambda/lambda-context";
import type { Poller } from "../local/lambda/sqs-poller";
import { toSqsRecord } from "../local/lambda/sqs-poller";
import {
  orderCreatedEvent,
  peekBodies,
  queueDepth,
  runConsumers,
  sendToQueue,
} from "../test/support/consumer-harness";
import { sequentialSteps, startCountingProxy } from "../test/support/counting-proxy";
import {
  aProduct,
  asAdmin,
  createTestShop,
  eventually,
  type TestShop,
} from "../test/support/test-shop";

let shop: TestShop;
let orders: OrderService;
const running: Poller[] = [];

/** The fraud consumer's payment settings, with an instant provider unless told otherwise. */
function withPayment(settings: Record<string, string>) {
  return { env: { PAYMENT_LATENCY_MS: "0", ...settings } };
}

beforeAll(async () => {
  shop = await createTestShop();
  await shop.putProducts([
    aProduct({ productId: "book", priceCents: 2000, stock: 1000 }),
    aProduct({ productId: "diamond", priceCents: 250_000, stock: 10 }),
  ]);
  orders = shop.services().orders;
});
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  shop.destroy();
});

async function place(customerId: string, productId: string, quantity = 1): Promise<Order> {
  const result = await orders.placeOrder(asAdmin, { customerId, items: [{ productId, quantity }] });
  if (result.kind !== "placed") throw new Error(JSON.stringify(result));
  return result.order;
}

async function decided(orderId: string) {
  return eventually(
    () => orders.getOrder(asAdmin, orderId),
    (o) => o?.status !== "PENDING",
    { what: `a decision on ${orderId}` },
  );
}

const queue = () => shop.provisioned.queues.fraud;

describe("the fraud consumer's round trips", () => {
  it("decides an order in at most 4 DynamoDB round trips one after another", async () => {
    const dynamodb = await startCountingProxy(shop.endpoints.dynamodb, { latencyMs: 25 });
    try {
      const handler = await buildFunction<SQSEvent, SQSBatchResponse>(
        consumers.fraud,
        shop.envFor(consumers.fraud, {
          PAYMENT_LATENCY_MS: "0",
          AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url,
        }),
        { logger: shop.logger },
      );
      // A returning customer, so the look at its past finds orders.
      await place("counted", "book");
      const order = await place("counted", "book");
      const confirmations = await shop.subscribeProbe(["order_confirmed"]);
      dynamodb.take();
      const message = {
        MessageId: "m-1",
        ReceiptHandle: "r-1",
        Body: JSON.stringify(orderCreatedEvent(order)),
      };
      const response = await handler(
        { Records: [toSqsRecord(message, shop.provisioned.queues.fraud.arn)] },
        createLambdaContext("fraud", 30_000),
      );
      expect(response.batchItemFailures).toEqual([]);
      expect((await orders.getOrder(asAdmin, order.orderId))?.status).toBe("CONFIRMED");
      const steps = sequentialSteps(dynamodb.take());
      // The claim; the order and the customer's past side by side; the decision with its
      // assessment (and the event it owes) in one write; then, once that event is published,
      // the claim completed beside the event log's notes and the event's clearing.
      expect(steps.map((step) => step.map((call) => call.action).sort())).toEqual([
        ["PutItem"],
        ["GetItem", "Query", "Query"],
        ["UpdateItem"],
        ["PutItem", "PutItem", "UpdateItem", "UpdateItem"],
      ]);
      // Its event was published by the consumer itself, and is no longer owed.
      const [published] = await confirmations.receive(1);
      expect(JSON.parse(published?.Body ?? "{}")).toMatchObject({
        eventType: "order_confirmed",
        data: { orderId: order.orderId },
      });
      const table = new DynamoOrderRepository(shop.local.document, shop.provisioned.tableNames);
      expect((await table.getOrder(order.orderId))?.owed).toBeUndefined();
    } finally {
      await dynamodb.close();
    }
  });
});

describe("the fraud consumer", () => {
  it("confirms a low-risk order once its payment is authorized, once however often the event arrives", async () => {
    const consumer = await runConsumers(shop, ["fraud"], withPayment({}));
    const order = await place("regular", "book");
    const event = orderCreatedEvent(order);
    await sendToQueue(shop, queue().url, [event, event]);
    const confirmed = await decided(order.orderId);
    await eventually(
      () => queueDepth(shop, queue().url),
      (depth) => depth === 0,
    );
    expect(confirmed).toMatchObject({
      status: "CONFIRMED",
      updatedBy: "fraud",
      fraudAssessment: {
        decision: "APPROVE",
        score: 10,
        reasons: ["first order from this customer"],
      },
      paymentAuthorizationId: expect.stringMatching(/^auth_/),
    });
    // created (1), then assessed and confirmed in one write (2): the duplicate changed nothing.
    expect((await orders.getOrder(asAdmin, order.orderId))?.version).toBe(2);
    expect(await queueDepth(shop, queue().deadLetterUrl)).toBe(0);
    await consumer.stop();
  });

  it("rejects a high-risk order with its score and reasons", async () => {
    const consumer = await runConsumers(shop, ["fraud"], withPayment({}));
    const order = await place("big-spender", "diamond");
    await sendToQueue(shop, queue().url, [orderCreatedEvent(order)]);
    const rejected = await decided(order.orderId);
    expect(rejected?.status).toBe("REJECTED");
    expect(rejected?.fraudAssessment?.decision).toBe("REJECT");
    expect(rejected?.statusReason).toMatch(/^fraud risk 75: order value over \$2,000; first order/);
    await consumer.stop();
  });

  it("rejects an order whose payment is declined", async () => {
    const consumer = await runConsumers(
      shop,
      ["fraud"],
      withPayment({ PAYMENT_DECLINE_RATE: "1" }),
    );
    const order = await place("declined-card", "book");
    await sendToQueue(shop, queue().url, [orderCreatedEvent(order)]);
    const rejected = await decided(order.orderId);
    expect(rejected).toMatchObject({
      status: "REJECTED",
      statusReason: "payment declined: card declined by issuer",
    });
    await consumer.stop();
  });

  it("gives up on a hung provider within its budget, and the order waits in the DLQ still PENDING", async () => {
    const consumer = await runConsumers(
      shop,
      ["fraud"],
      withPayment({
        PAYMENT_LATENCY_MS: "60000",
        PAYMENT_TIMEOUT_MS: "150",
        PAYMENT_MAX_ATTEMPTS: "2",
      }),
    );
    const order = await place("hung", "book");
    const started = Date.now();
    await sendToQueue(shop, queue().url, [orderCreatedEvent(order)]);
    await eventually(
      () => queueDepth(shop, queue().deadLetterUrl),
      (depth) => depth === 1,
      { what: "the DLQ" },
    );
    // Three receives of two 150 ms attempts each: nowhere near the provider's 60 s.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await orders.getOrder(asAdmin, order.orderId))?.status).toBe("PENDING");
    await consumer.stop();
  });

  it("moves a poison record to the DLQ after three receives, and still decides the rest of its batch", async () => {
    const consumer = await runConsumers(shop, ["fraud"], withPayment({}));
    const before = await queueDepth(shop, queue().deadLetterUrl);
    const order = await place("batch-mate", "book");
    await sendToQueue(shop, queue().url, ["{not json", orderCreatedEvent(order)]);
    expect((await decided(order.orderId))?.status).toBe("CONFIRMED");
    await eventually(
      () => queueDepth(shop, queue().deadLetterUrl),
      (depth) => depth === before + 1,
      { what: "the DLQ" },
    );
    expect(await peekBodies(shop, queue().deadLetterUrl)).toContain("{not json");
    await consumer.stop();
  });

  it("retries, never drops, an event whose claim nobody is behind, and decides it once the claim expires", async () => {
    // What an attempt leaves when DynamoDB carries out its claim after the attempt gave
    // up waiting: the event claimed IN PROGRESS, and no one handling it.
    const order = await place("ghost-claim", "book");
    const event = orderCreatedEvent(order);
    const claims = new DynamoDBPersistenceLayer({
      tableName: shop.provisioned.tableNames.consumerIdempotency,
      awsSdkV3Client: shop.local.dynamodb,
    });
    claims.configure({
      config: new IdempotencyConfig({ eventKeyJmesPath: "eventId" }),
      keyPrefix: "fraud",
    });
    // Longer than a record waits on a claim within its invocation (2 s).
    const claimMs = 4000;
    await claims.saveInProgress(event, claimMs);
    const claimed = Date.now();
    const consumer = await runConsumers(shop, ["fraud"], {
      ...withPayment({}),
      retryDelaySeconds: 2,
    });
    await sendToQueue(shop, queue().url, [event]);
    const confirmed = await decided(order.orderId);
    expect(confirmed?.status).toBe("CONFIRMED");
    expect(Date.now() - claimed).toBeGreaterThanOrEqual(claimMs);
    expect(shop.logger.lines).toContainEqual(
      expect.objectContaining({
        message: "another delivery holds this event's claim; retried later",
        extra: expect.objectContaining({ eventId: event.eventId }),
      }),
    );
    await consumer.stop();
  });
});
