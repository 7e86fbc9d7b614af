import { z } from "zod";

/**
 * Every event the shop publishes. The name is also the SNS message attribute
 * `event_type` that subscriptions filter on, so it is part of the wire contract.
 */
export const EVENT_TYPES = [
  "order_created",
  "order_confirmed",
  "order_rejected",
  "order_shipped",
  "order_cancelled",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The SNS message attribute that carries the event type, for subscription filters. */
export const EVENT_TYPE_ATTRIBUTE = "event_type";

/**
 * Events carry references and bounded fields, never unbounded text, so the largest event the
 * shop can produce stays far below SNS's 256 KB message limit (a test computes it): an event
 * that could never be published cannot be made.
 */
export const EVENT_LIMITS = {
  idLength: 128,
  productNameLength: 200,
  reasonLength: 500,
  lines: 50,
} as const;

const id = z.string().min(1).max(EVENT_LIMITS.idLength);

const orderLineSchema = z.object({
  productId: id,
  productName: z.string().max(EVENT_LIMITS.productNameLength),
  quantity: z.number().int().positive(),
  unitPriceCents: z.number().int().nonnegative(),
  lineTotalCents: z.number().int().nonnegative(),
});

/** Payload of `order_created`: everything a consumer needs without reading the table. */
export const orderCreatedDataSchema = z.object({
  orderId: id,
  customerId: id,
  status: z.literal("PENDING"),
  items: z.array(orderLineSchema).min(1).max(EVENT_LIMITS.lines),
  totalCents: z.number().int().nonnegative(),
  currency: z.string().length(3),
  createdAt: z.iso.datetime(),
});
export type OrderCreatedData = z.infer<typeof orderCreatedDataSchema>;

/** Payload of every later status change (`order_confirmed`, `order_shipped`, ...). */
export const orderStatusChangedDataSchema = z.object({
  orderId: id,
  customerId: id,
  previousStatus: z.string().max(20),
  status: z.string().max(20),
  reason: z.string().max(EVENT_LIMITS.reasonLength).optional(),
  totalCents: z.number().int().nonnegative(),
  currency: z.string().length(3),
  items: z.array(orderLineSchema).max(EVENT_LIMITS.lines),
  changedAt: z.iso.datetime(),
});
export type OrderStatusChangedData = z.infer<typeof orderStatusChangedDataSchema>;

const envelope = <T extends EventType, D extends z.ZodType>(eventType: T, data: D) =>
  z.object({
    eventId: z.string().min(1).max(200),
    eventType: z.literal(eventType),
    version: z.literal(1),
    occurredAt: z.iso.datetime(),
    data,
  });

/**
 * The one schema of the message body on the topic: publishers validate before they
 * publish, consumers validate what they receive.
 */
export const shopEventSchema = z.discriminatedUnion("eventType", [
  envelope("order_created", orderCreatedDataSchema),
  envelope("order_confirmed", orderStatusChangedDataSchema),
  envelope("order_rejected", orderStatusChangedDataSchema),
  envelope("order_shipped", orderStatusChangedDataSchema),
  envelope("order_cancelled", orderStatusChangedDataSchema),
]);
export type ShopEvent = z.infer<typeof shopEventSchema>;
export type ShopEventOf<T extends EventType> = Extract<ShopEvent, { eventType: T }>;
