import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MailOutbox } from "../adapters/outbox-mailer";
import type { Poller } from "../local/lambda/sqs-poller";
import {
  peekBodies,
  queueDepth,
  runConsumers,
  sendToQueue,
  statusChangedEvent,
} from "../test/support/consumer-harness";
import { createTestShop, eventually, type TestShop } from "../test/support/test-shop";

let shop: TestShop;
let consumers: Poller;
let outbox: MailOutbox;

const anOrder = (orderId: string) => ({
  orderId,
  customerId: "mail-customer",
  items: [
    {
      productId: "p-1",
      productName: "Teapot <Deluxe>",
      quantity: 2,
      unitPriceCents: 1250,
      lineTotalCents: 2500,
    },
  ],
  totalCents: 2500,
});

beforeAll(async () => {
  shop = await createTestShop();
  consumers = await runConsumers(shop, ["email"]);
  outbox = new MailOutbox(shop.local.document, shop.provisioned.tableNames.mailOutbox);
});
afterAll(async () => {
  await consumers.stop();
  shop.destroy();
});

describe("the email consumer", () => {
  it("renders a text and an HTML message for a confirmed order", async () => {
    await sendToQueue(shop, shop.provisioned.queues.email.url, [
      statusChangedEvent("order_confirmed", anOrder("mail-1"), "PENDING", "CONFIRMED"),
    ]);
    const [message] = await eventually(
      () => outbox.forOrder("mail-1"),
      (m) => m.length === 1,
    );
    expect(message).toMatchObject({
      eventType: "order_confirmed",
      to: "mail-customer@customers.example.com",
      subject: "Your order is confirmed (order mail-1)",
    });
    expect(message?.text).toContain("2 x Teapot <Deluxe> ($25.00)");
    expect(message?.html).toContain("2 x Teapot &lt;Deluxe&gt; ($25.00)");
  });

  it("sends one message when the same event arrives twice", async () => {
    const event = statusChangedEvent("order_shipped", anOrder("mail-2"), "CONFIRMED", "SHIPPED", 4);
    await sendToQueue(shop, shop.provisioned.queues.email.url, [event]);
    await sendToQueue(shop, shop.provisioned.queues.email.url, [event]);
    await eventually(
      () => queueDepth(shop, shop.provisioned.queues.email.url),
      (depth) => depth === 0,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await outbox.forOrder("mail-2")).toHaveLength(1);
  });

  it("sends one message per order and event, even with different event ids", async () => {
    const first = statusChangedEvent(
      "order_cancelled",
      anOrder("mail-3"),
      "PENDING",
      "CANCELLED",
      2,
    );
    const again = { ...first, eventId: "another-id-for-the-same-change" };
    await sendToQueue(shop, shop.provisioned.queues.email.url, [first, again]);
    await eventually(
      () => queueDepth(shop, shop.provisioned.queues.email.url),
      (depth) => depth === 0,
    );
    expect(await outbox.forOrder("mail-3")).toHaveLength(1);
  });

  it("moves a poison record to the DLQ after three receives, and still mails the rest of its batch", async () => {
    await sendToQueue(shop, shop.provisioned.queues.email.url, [
      statusChangedEvent("order_confirmed", anOrder("mail-4"), "PENDING", "CONFIRMED"),
      "this is not an event",
      statusChangedEvent("order_rejected", anOrder("mail-5"), "PENDING", "REJECTED"),
    ]);
    await eventually(
      () => queueDepth(shop, shop.provisioned.queues.email.deadLetterUrl),
      (d) => d === 1,
      {
        what: "the poison record in the DLQ",
      },
    );
    expect(await peekBodies(shop, shop.provisioned.queues.email.deadLetterUrl)).toEqual([
      "this is not an event",
    ]);
    expect(await outbox.forOrder("mail-4")).toHaveLength(1);
    expect(await outbox.forOrder("mail-5")).toHaveLength(1);
    expect(await queueDepth(shop, shop.provisioned.queues.email.url)).toBe(0);
  });
});
