import type { EventType, ShopEvent, ShopEventOf } from "../shared/events";
import type { Order } from "./order";
import type { OrderStatus } from "./order-status";

/**
 * `order_created` for an order. Its id is derived from the order, so whoever publishes it
 * (the mutation, the stream processor, the reconciler) publishes the very same event, and
 * consumers drop the repeats.
 */
export function orderCreatedEvent(order: Order): ShopEventOf<"order_created"> {
  return {
    eventId: `${order.orderId}:order_created`,
    eventType: "order_created",
    version: 1,
    occurredAt: order.createdAt,
    ...correlationOf(order),
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

/** The event each status announces, if it announces one. */
export const STATUS_EVENTS: Partial<Record<OrderStatus, EventType>> = {
  CONFIRMED: "order_confirmed",
  REJECTED: "order_rejected",
  SHIPPED: "order_shipped",
  CANCELLED: "order_cancelled",
};

/** The event of a status change; its id names the order's version, so a replay repeats it. */
export function statusChangedEvent(eventType: EventType, before: Order, after: Order): ShopEvent {
  return {
    eventId: `${after.orderId}:${eventType}:v${after.version}`,
    eventType,
    version: 1,
    occurredAt: after.updatedAt,
    ...correlationOf(after),
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

/** The event a change from `before` to `after` owes, if its new status announces one. */
export function eventOfStatusChange(before: Order, after: Order): ShopEvent | undefined {
  const eventType = STATUS_EVENTS[after.status];
  return eventType ? statusChangedEvent(eventType, before, after) : undefined;
}

/** An order's events carry the correlation id of the request that placed it. */
function correlationOf(order: Order): { correlationId?: string } {
  return order.correlationId ? { correlationId: order.correlationId } : {};
}
