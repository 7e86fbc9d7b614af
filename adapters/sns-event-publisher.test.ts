import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import type { ShopEvent } from "../core/shared/events";
import { createTestShop, type TestShop } from "../test/support/test-shop";
import { SnsEventPublisher } from "./sns-event-publisher";

let shop: TestShop;
let publisher: SnsEventPublisher;

const orderCreated: ShopEvent = {
  eventId: "evt-1",
  eventType: "order_created",
  version: 1,
  occurredAt: "2026-11-24T10:00:00.000Z",
  data: {
    orderId: "o-1",
    customerId: "c-1",
    status: "PENDING",
    items: [
      { productId: "p", productName: "P", quantity: 1, unitPriceCents: 100, lineTotalCents: 100 },
    ],
    totalCents: 100,
    currency: "USD",
    createdAt: "2026-11-24T10:00:00.000Z",
  },
};

beforeAll(async () => {
  shop = await createTestShop();
  publisher = new SnsEventPublisher(shop.local.sns, shop.provisioned.topicArn);
});
afterAll(() => shop.destroy());

describe("SnsEventPublisher", () => {
  it("publishes the event as the body with its type as the event_type attribute", async () => {
    const probe = await shop.subscribeProbe(["order_created"]);
    await publisher.publish(orderCreated);
    const [message] = await probe.receive(1);
    expect(JSON.parse(message?.Body ?? "")).toEqual(orderCreated);
    expect(message?.MessageAttributes?.event_type).toMatchObject({
      DataType: "String",
      StringValue: "order_created",
    });
  });

  it("refuses an event that breaks the schema, and publishes nothing", async () => {
    const probe = await shop.subscribeProbe(["order_created"]);
    const broken = { ...orderCreated, data: { ...orderCreated.data, totalCents: -5 } } as ShopEvent;
    await expect(publisher.publish(broken)).rejects.toThrow(ZodError);
    expect(await probe.countArriving(1000)).toBe(0);
  });
});
