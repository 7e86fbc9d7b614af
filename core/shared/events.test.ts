import { describe, expect, it } from "vitest";
import type { Order } from "../orders/order";
import { eventOfStatusChange, orderCreatedEvent } from "../orders/order-events";
import { MAX_REASON_LENGTH } from "../orders/order-lifecycle";
import {
  EVENT_LIMITS,
  EVENT_TYPE_ATTRIBUTE,
  type ShopEvent,
  type ShopEventOf,
  shopEventSchema,
} from "./events";

/** SNS's limit on a message, its attributes included; SQS and Lambda's async payload match it. */
const SNS_MAX_BYTES = 256 * 1024;
/** What SNS wraps around a message delivered to a direct subscriber (ids, ARNs, signature). */
const ENVELOPE_BYTES = 4 * 1024;
/** DynamoDB's limit on an item: the order, with every event it still owes. */
const DYNAMODB_ITEM_MAX_BYTES = 400 * 1024;

/**
 * Text at its longest and costliest: on the wire a control character is escaped to six
 * bytes of JSON (\u0001); in DynamoDB a character of the Basic Multilingual Plane such as
 * "€" takes three bytes of UTF-8, the most per UTF-16 unit that string lengths count.
 */
const costliest = {
  json: (length: number) => "\u0001".repeat(length),
  dynamodb: (length: number) => "€".repeat(length),
};

/** The largest order the shop can hold: every line, every field at its limit. */
function largestOrder(text: (length: number) => string): Order {
  const at = "2026-01-01T00:00:00.000Z";
  const big = Number.MAX_SAFE_INTEGER;
  return {
    orderId: text(EVENT_LIMITS.idLength),
    customerId: text(EVENT_LIMITS.idLength),
    status: "PENDING",
    items: Array.from({ length: EVENT_LIMITS.lines }, () => ({
      productId: text(EVENT_LIMITS.idLength),
      productName: text(EVENT_LIMITS.productNameLength),
      quantity: big,
      unitPriceCents: big,
      lineTotalCents: big,
    })),
    totalCents: big,
    currency: "USD",
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
}

/** Every event an order can owe at once: its creation and the two status changes after it. */
function everyEventOwed(text: (length: number) => string): ShopEvent[] {
  const created = largestOrder(text);
  const confirmed: Order = { ...created, status: "CONFIRMED", version: 2 };
  const cancelled: Order = {
    ...confirmed,
    status: "CANCELLED",
    statusReason: text(MAX_REASON_LENGTH),
    version: 3,
  };
  return [
    orderCreatedEvent(created),
    eventOfStatusChange(created, confirmed),
    eventOfStatusChange(confirmed, cancelled),
  ].filter((event): event is ShopEvent => event !== undefined);
}

const utf8 = (text: string) => Buffer.byteLength(text, "utf8");

/** An item's size as DynamoDB counts it: names and string values in UTF-8, numbers up to 21 bytes. */
function dynamoBytes(value: unknown): number {
  if (typeof value === "string") return utf8(value);
  if (typeof value === "number") return 21;
  if (typeof value === "boolean" || value === null || value === undefined) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum, v) => sum + 1 + dynamoBytes(v), 0);
  return (
    3 +
    Object.entries(value as Record<string, unknown>).reduce(
      (sum, [name, v]) => sum + 1 + utf8(name) + dynamoBytes(v),
      0,
    )
  );
}

describe("the largest event the shop can make", () => {
  it("is valid, and fits an SNS message with room for its envelope", () => {
    const events = everyEventOwed(costliest.json);
    expect(events.map((e) => e.eventType)).toEqual([
      "order_created",
      "order_confirmed",
      "order_cancelled",
    ]);
    for (const event of events) {
      expect(shopEventSchema.safeParse(event).success).toBe(true);
      const bytes =
        utf8(JSON.stringify(event)) +
        utf8(EVENT_TYPE_ATTRIBUTE) +
        utf8("String") +
        utf8(event.eventType);
      expect(bytes).toBeLessThan(SNS_MAX_BYTES - ENVELOPE_BYTES);
    }
  });

  it("cannot be made bigger: one line more, or a longer name or reason, is refused", () => {
    const [created, , cancelled] = everyEventOwed(costliest.json) as [
      ShopEventOf<"order_created">,
      ShopEvent,
      ShopEvent,
    ];
    const line = created.data.items[0];
    const longer = (event: ShopEvent, data: Record<string, unknown>) =>
      shopEventSchema.safeParse({ ...event, data: { ...event.data, ...data } }).success;
    expect(longer(created, { items: [...created.data.items, line] })).toBe(false);
    expect(longer(created, { items: [{ ...line, productName: costliest.json(201) }] })).toBe(false);
    expect(longer(cancelled, { reason: costliest.json(MAX_REASON_LENGTH + 1) })).toBe(false);
  });

  it("fits in its order's item, with every other event the order can owe at once", () => {
    const order = largestOrder(costliest.dynamodb);
    const owed = Object.fromEntries(
      everyEventOwed(costliest.dynamodb).map((event) => [event.eventId, event]),
    );
    const item = { ...order, owed: { _: true, ...owed }, owedShard: 7, owedSince: order.createdAt };
    expect(dynamoBytes(item)).toBeLessThan(DYNAMODB_ITEM_MAX_BYTES);
  });
});

describe("the largest catalog change", () => {
  /** A product at every limit, changed in every field, by the longest actor. */
  function largestChange(text: (length: number) => string) {
    const state = () => ({
      name: text(EVENT_LIMITS.productNameLength),
      description: text(EVENT_LIMITS.descriptionLength),
      category: text(EVENT_LIMITS.labelLength),
      brand: text(EVENT_LIMITS.labelLength),
      priceCents: Number.MAX_SAFE_INTEGER,
      currency: "USD",
      archived: false,
    });
    const at = "2026-01-01T00:00:00.000Z";
    const actor = `admin:${text(EVENT_LIMITS.idLength)}`;
    const changed: ShopEvent = {
      eventId: `product_changed:${text(36)}`,
      eventType: "product_changed",
      version: 1,
      occurredAt: at,
      data: {
        productId: text(EVENT_LIMITS.idLength),
        change: "UPDATED",
        version: Number.MAX_SAFE_INTEGER,
        before: state(),
        after: state(),
        actor,
        changedAt: at,
      },
    };
    const adjusted: ShopEvent = {
      eventId: `stock_adjusted:${text(36)}`,
      eventType: "stock_adjusted",
      version: 1,
      occurredAt: at,
      data: {
        productId: text(EVENT_LIMITS.idLength),
        delta: -Number.MAX_SAFE_INTEGER,
        stockBefore: Number.MAX_SAFE_INTEGER,
        stockAfter: 0,
        reason: text(EVENT_LIMITS.reasonLength),
        actor,
        adjustedAt: at,
      },
    };
    return { changed, adjusted, state };
  }

  it("is valid, and fits an SNS message with room for its envelope", () => {
    const { changed, adjusted } = largestChange(costliest.json);
    for (const event of [changed, adjusted]) {
      expect(shopEventSchema.safeParse(event).success, event.eventType).toBe(true);
      expect(utf8(JSON.stringify(event))).toBeLessThan(SNS_MAX_BYTES - ENVELOPE_BYTES);
    }
    const longer = shopEventSchema.safeParse({
      ...adjusted,
      data: { ...adjusted.data, reason: costliest.json(EVENT_LIMITS.reasonLength + 1) },
    });
    expect(longer.success).toBe(false);
  });

  it("fits in its history entry, with the product before and after", () => {
    const { changed, state } = largestChange(costliest.dynamodb);
    const entry = {
      productId: costliest.dynamodb(EVENT_LIMITS.idLength),
      entryId: `2026-01-01T00:00:00.000Z#${costliest.dynamodb(36)}`,
      at: "2026-01-01T00:00:00.000Z",
      actor: `admin:${costliest.dynamodb(EVENT_LIMITS.idLength)}`,
      change: "UPDATED",
      summary: costliest.dynamodb(200),
      before: state(),
      after: state(),
      event: changed,
      owedShard: "owed",
      owedSince: "2026-01-01T00:00:00.000Z",
    };
    expect(dynamoBytes(entry)).toBeLessThan(DYNAMODB_ITEM_MAX_BYTES);
  });
});
