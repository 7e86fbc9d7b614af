import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ReceiveMessageCommand, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoOrderRepository } from "../../adapters/dynamo-order-repository";
import { setAsideMessage } from "../../consumers/stream-consumer";
import type { Order } from "../../core/orders/order";
import type { ShopEvent } from "../../core/shared/events";
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

    const letters = await peekDeadLetters(shop.endpoints.snsSqs, shop.prefix, "fraud-dlq");
    expect(letters).toEqual([
      expect.objectContaining({
        eventType: "order_created",
        eventId: `${order.orderId}:order_created`,
        orderId: order.orderId,
      }),
    ]);
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
    expect(
      await peekDeadLetters(shop.endpoints.snsSqs, shop.prefix, "orders-stream-failures"),
    ).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          eventType: "stream INSERT",
          orderId: order.orderId,
          reason: "then unreadable",
        }),
      ]),
    );

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
      () => peekDeadLetters(shop.endpoints.snsSqs, shop.prefix, "orders-stream-failures"),
      (letters) => letters.length === 1 && letters[0]?.orderId === "corrupt",
      { what: "only the corrupt record left" },
    );
  });

  it("lists the same messages with the same receive count however often it lists, and only the consumer's receives", async () => {
    const inventory = shop.provisioned.queues.inventory.url;
    const analytics = shop.provisioned.directSubscriptions.analytics?.url;
    if (!analytics) throw new Error("no analytics subscription queue");
    const event = orderCreatedEvent(
      anOrderOwingItsCreation({
        orderId: `poison-${Date.now()}`,
        customerId: "poison",
        productId: "kite",
      }),
    );
    // A poison event: its consumers fail on it every time, until each redrive policy moves it.
    expect(await poison(inventory, [event])).toEqual([3]);
    expect(await poison(analytics, [event])).toEqual([3]);

    for (const dlq of ["inventory-dlq", "analytics-dlq"]) {
      const first = await peekDeadLetters(shop.endpoints.snsSqs, shop.prefix, dlq);
      expect(first.filter((letter) => letter.eventId === event.eventId)).toEqual([
        expect.objectContaining({ receiveCount: 3 }),
      ]);
      expect(await peekDeadLetters(shop.endpoints.snsSqs, shop.prefix, dlq)).toEqual(first);
    }
  });

  it("redrives every message right after a listing", async () => {
    const email = shop.provisioned.queues.email;
    const events = ["first", "second"].map((n) =>
      orderCreatedEvent(
        anOrderOwingItsCreation({
          orderId: `redrive-${n}-${Date.now()}`,
          customerId: n,
          productId: "kite",
        }),
      ),
    );
    expect(await poison(email.url, events)).toEqual([3, 3]);

    const listed = await peekDeadLetters(shop.endpoints.snsSqs, shop.prefix, "email-dlq");
    expect(listed.map((letter) => letter.eventId)).toEqual(
      expect.arrayContaining(events.map((event) => event.eventId)),
    );
    const emailDlq = deadLetterQueues().find((q) => q.name === "email-dlq");
    if (!emailDlq) throw new Error("no email DLQ");
    expect(await redriveDeadLetters(shop.local.sqs, shop.prefix, emailDlq)).toBe(listed.length);
    expect(await peekDeadLetters(shop.endpoints.snsSqs, shop.prefix, "email-dlq")).toEqual([]);
    expect(await queueDepth(shop, email.url)).toBe(listed.length);
  });
});

/** `npm run dlq -- <args>`, as a person types it. */
async function dlq(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("npm", ["run", "-s", "dlq", "--", ...args], {
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("npm run dlq", () => {
  it("prints its usage on --help", async () => {
    const help = await dlq("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: npm run dlq [-- redrive <name>|all]");
    expect(help.stdout).toContain("fraud-dlq, inventory-dlq");
  }, 60_000);

  it("answers a word it does not know with what it takes, and lists nothing", async () => {
    const unknown = await dlq("wat");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split("\n")[0]).toBe("npm run dlq: unknown command wat");
    expect(unknown.stderr).toContain("Usage: npm run dlq");
    expect(unknown.stdout).toBe("");
    const queue = await dlq("redrive", "nope");
    expect(queue.code).toBe(2);
    expect(queue.stderr.split("\n")[0]).toBe("npm run dlq: no DLQ named nope");
  }, 60_000);
});

const run = promisify(execFile);

/**
 * Sends the events to a queue, then receives everything in it and deletes nothing, as a
 * consumer that fails every time would, until the queue's redrive policy has moved it all to
 * the DLQ (what earlier tests left there too). Returns how many times each event was received.
 */
async function poison(queueUrl: string, events: readonly ShopEvent[]): Promise<number[]> {
  const { Successful = [] } = await shop.local.sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: events.map((event, i) => ({ Id: String(i), MessageBody: JSON.stringify(event) })),
    }),
  );
  const receives = new Map(Successful.map((sent) => [sent.MessageId ?? "", 0]));
  for (let round = 0; round < 50; round++) {
    const { Messages = [] } = await shop.local.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
      }),
    );
    if (Messages.length === 0) return [...receives.values()];
    for (const { MessageId = "" } of Messages) {
      const count = receives.get(MessageId);
      if (count !== undefined) receives.set(MessageId, count + 1);
    }
  }
  throw new Error(`${queueUrl} still holds messages after 50 receives`);
}
