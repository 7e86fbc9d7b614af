import * as z from "zod";

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
  "product_changed",
  "stock_adjusted",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The SNS message attribute that carries the event type, for subscription filters. */
export const EVENT_TYPE_ATTRIBUTE = "event_type";

/**
 * The SNS message attribute that carries the event's correlation id (also in the body), so
 * it can be read from a delivery without parsing the message.
 */
export const CORRELATION_ID_ATTRIBUTE = "correlation_id";

/**
 * A correlation id ties together everything one order flow caused, across functions: the
 * API takes the caller's `x-correlation-id` when it is one of these, and makes one when not.
 */
export const CORRELATION_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;

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
  /** A product's description, its longest field. */
  descriptionLength: 2000,
  /** A product's category and brand. */
  labelLength: 100,
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

/** A product as a catalog event carries it: every field the catalog keeps, bounded. */
const productStateSchema = z.object({
  name: z.string().max(EVENT_LIMITS.productNameLength),
  description: z.string().max(EVENT_LIMITS.descriptionLength),
  category: z.string().max(EVENT_LIMITS.labelLength),
  brand: z.string().max(EVENT_LIMITS.labelLength),
  priceCents: z.number().int().nonnegative(),
  currency: z.string().length(3),
  archived: z.boolean(),
});
export type ProductState = z.infer<typeof productStateSchema>;

/** Payload of `product_changed`: a product created, changed or archived, before and after. */
export const productChangedDataSchema = z.object({
  productId: id,
  change: z.enum(["CREATED", "UPDATED", "ARCHIVED"]),
  version: z.number().int().positive(),
  before: productStateSchema.optional(),
  after: productStateSchema,
  actor: z.string().max(EVENT_LIMITS.idLength + 10),
  changedAt: z.iso.datetime(),
});
export type ProductChangedData = z.infer<typeof productChangedDataSchema>;

/** Payload of `stock_adjusted`: a restock (delta > 0) or a write-off (delta < 0) by hand. */
export const stockAdjustedDataSchema = z.object({
  productId: id,
  delta: z.number().int(),
  stockBefore: z.number().int().nonnegative(),
  stockAfter: z.number().int().nonnegative(),
  reason: z.string().max(EVENT_LIMITS.reasonLength),
  actor: z.string().max(EVENT_LIMITS.idLength + 10),
  adjustedAt: z.iso.datetime(),
});
export type StockAdjustedData = z.infer<typeof stockAdjustedDataSchema>;

const envelope = <T extends EventType, D extends z.ZodType>(eventType: T, data: D) =>
  z.object({
    eventId: z.string().min(1).max(200),
    eventType: z.literal(eventType),
    version: z.literal(1),
    occurredAt: z.iso.datetime(),
    /**
     * The flow the event belongs to: for an order's events, the correlation id of the request
     * that placed it. Absent from events made before correlation ids existed.
     */
    correlationId: z.string().regex(CORRELATION_ID_PATTERN).optional(),
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
  envelope("product_changed", productChangedDataSchema),
  envelope("stock_adjusted", stockAdjustedDataSchema),
]);
export type ShopEvent = z.infer<typeof shopEventSchema>;
export type ShopEventOf<T extends EventType> = Extract<ShopEvent, { eventType: T }>;

/** The order an event is about; undefined for catalog events. */
export function orderIdOf(event: ShopEvent): string | undefined {
  return "orderId" in event.data ? event.data.orderId : undefined;
}
