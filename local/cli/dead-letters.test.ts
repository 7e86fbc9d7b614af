import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoOrderRepository } from "../../adapters/dynamo-order-repository";
import { setAsideMessage } from "../../consumers/stream-consumer";
import type { Order } from "../../core/orders/order";
import { consumers } from "../../infra/topology";
import {
  anOrderOwingItsCreation,
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
import {
  deadLetterQueues,
  peekDeadLetters,
  redriveDeadLetters,
  redriveStreamFailures,
  replayThroughStreamProcessor,
} from "./dead-letters";

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
        expect.objectContaining({ name: "orders-stream-failures", replaysTo: "streamProcessor" }),
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

  it("hands the stream records set aside back to the stream processor, and keeps what fails again", async () => {
    // An order that owes its order_created, and the INSERT record of it, as set aside by a
    // stream processor that could not handle it then.
    const repository = new DynamoOrderRepository(shop.local.document, shop.provisioned.tableNames);
    const order = anOrderOwingItsCreation({
      orderId: `set-aside-${Date.now()}`,
      customerId: "set-aside",
      productId: "kite",
    });
    const owed = orderCreatedEvent(order);
    await repository.placeOrder(order);
    const { Item } = await shop.local.document.send(
      new GetCommand({
        TableName: shop.provisioned.tableNames.orders,
        Key: { orderId: order.orderId },
      }),
    );
    const record = (image: Record<string, unknown>): DynamoDBRecord => ({
      eventName: "INSERT",
      dynamodb: {
        Keys: { orderId: { S: String(image.orderId) } },
        NewImage: marshall(image, { removeUndefinedValues: true }) as never,
        SequenceNumber: "1",
      },
    });
    const failures = shop.provisioned.failureQueues.streamFailures.url;
    await shop.local.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: failures,
        Entries: [record(Item ?? {}), record({ orderId: "corrupt", status: "NOT A STATUS" })].map(
          (r, i) => ({
            Id: String(i),
            MessageBody: JSON.stringify(setAsideMessage(r, "streamProcessor", "then unreadable")),
          }),
        ),
      }),
    );
    expect(await peekDeadLetters(shop.local.sqs, shop.prefix, "orders-stream-failures")).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          eventType: "stream INSERT",
          orderId: order.orderId,
          reason: "then unreadable",
        }),
      ]),
    );
    await new Promise((resolve) => setTimeout(resolve, 2500));

    const created = await shop.subscribeProbe(["order_created"]);
    const replay = await replayThroughStreamProcessor(shop.envFor(consumers.streamProcessor));
    expect(await redriveStreamFailures(shop.local.sqs, shop.prefix, replay)).toEqual({
      processed: 2,
      failed: 0,
      unreadable: 0,
    });
    // The good one went through: its event is published, and no longer owed.
    const [message] = await created.receive(1);
    expect(JSON.parse(message?.Body ?? "{}")).toMatchObject({ eventId: owed.eventId });
    expect((await repository.getOrder(order.orderId))?.owed).toBeUndefined();
    // The corrupt one was set aside again, under a new message: the one left.
    await eventually(
      () => peekDeadLetters(shop.local.sqs, shop.prefix, "orders-stream-failures"),
      (letters) => letters.length === 1 && letters[0]?.orderId === "corrupt",
      { what: "only the corrupt record left" },
    );
  });
});
