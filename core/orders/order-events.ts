import type { EventType, ShopEvent, ShopEventOf } from "../shared/events";
import type { Order } from "./order";

/**
 * `order_created` for an order. Its id is derived from the order, so the mutation and the
 * stream processor (announcing from the outbox mark) publish the very same event.
 */
export function orderCreatedEvent(order: Order): ShopEventOf<"order_created"> {
  return {
    eventId: `${order.orderId}:order_created`,
    eventType: "order_created",
    version: 1,
    occurredAt: order.createdAt,
    data: {
      orderId: order.orderId,
      customerId: order.customerId,
      status: "PENDING",
      items: [...order.items],
      totalCents: order.totalCents,
      currency: order.currency,
      createdAt: order.createdAt,
    },
  };
}

/** The event of a status change; its id names the order's version, so a replay repeats it. */
export function statusChangedEvent(eventType: EventType, before: Order, after: Order): ShopEvent {
  return {
    eventId: `${after.orderId}:${eventType}:v${after.version}`,
    eventType,
    version: 1,
    occurredAt: after.updatedAt,
    data: {
      orderId: after.orderId,
      customerId: after.customerId,
      previousStatus: before.status,
      status: after.status,
      ...(after.statusReason ? { reason: after.statusReason } : {}),
      totalCents: after.totalCents,
      currency: after.currency,
      items: [...after.items],
      changedAt: after.updatedAt,
    },
  } as ShopEvent;
}
