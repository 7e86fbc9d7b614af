import type { EventType, ShopEvent } from "../shared/events";
import { cents, formatMoney } from "../shared/money";
import { type Order, type OrderHistoryEntry, unitsIn } from "./order";
import { orderCreatedEvent, statusChangedEvent } from "./order-events";
import type { OrderStatus } from "./order-status";

/** An order as stored, with the outbox mark the stream processor reads. */
export interface StoredOrder extends Order {
  readonly unannouncedEvent?: string | undefined;
}

export interface OrderChange {
  readonly eventName: "INSERT" | "MODIFY" | "REMOVE";
  readonly oldImage?: StoredOrder | undefined;
  readonly newImage?: StoredOrder | undefined;
}

export interface ChangeEffects {
  /** Events to publish, with ids derived from the change so a redelivery repeats them exactly. */
  readonly events: readonly ShopEvent[];
  readonly history: readonly OrderHistoryEntry[];
  /** The order's creation was announced from its mark, which can now go. */
  readonly clearsUnannounced: boolean;
}

const STATUS_EVENTS: Partial<Record<OrderStatus, EventType>> = {
  CONFIRMED: "order_confirmed",
  REJECTED: "order_rejected",
  SHIPPED: "order_shipped",
  CANCELLED: "order_cancelled",
};

/**
 * What one change to the orders table means: the table is the outbox for every event
 * after `order_created`, and the source of each order's history.
 */
export function effectsOf(change: OrderChange): ChangeEffects {
  const { oldImage, newImage } = change;
  const events: ShopEvent[] = [];
  const history: OrderHistoryEntry[] = [];
  let clearsUnannounced = false;

  if (change.eventName === "REMOVE" && oldImage) {
    history.push({
      ...entryBase(oldImage, `${pad(oldImage.version)}-deleted`),
      change: "DELETED",
      summary: "Order deleted",
    });
    return { events, history, clearsUnannounced };
  }
  if (!newImage) return { events, history, clearsUnannounced };

  if (change.eventName === "INSERT") {
    const units = unitsIn(newImage);
    history.push({
      ...entryBase(newImage),
      change: "CREATED",
      summary: `Order placed: ${units} units, ${formatMoney(cents(newImage.totalCents))}`,
      toStatus: newImage.status,
    });
  }

  if (newImage.unannouncedEvent === "order_created" && !oldImage?.unannouncedEvent) {
    events.push(orderCreatedEvent(newImage));
    clearsUnannounced = true;
  }

  if (change.eventName === "MODIFY" && oldImage) {
    if (!oldImage.fraudAssessment && newImage.fraudAssessment) {
      const { score, decision, reasons } = newImage.fraudAssessment;
      history.push({
        ...entryBase(newImage),
        change: "FRAUD_ASSESSED",
        summary: `Fraud score ${score} (${decision})${reasons.length ? `: ${reasons.join("; ")}` : ""}`,
      });
    }
    if (oldImage.status !== newImage.status) {
      const eventType = STATUS_EVENTS[newImage.status];
      if (eventType) events.push(statusChangedEvent(eventType, oldImage, newImage));
      history.push({
        ...entryBase(newImage),
        change: "STATUS_CHANGED",
        summary: `${oldImage.status} -> ${newImage.status}${newImage.statusReason ? `: ${newImage.statusReason}` : ""}`,
        fromStatus: oldImage.status,
        toStatus: newImage.status,
      });
    }
    if (!oldImage.stockReleased && newImage.stockReleased) {
      const units = unitsIn(newImage);
      history.push({
        ...entryBase(newImage),
        change: "STOCK_RELEASED",
        summary: `${units} units returned to stock`,
      });
    }
  }
  return { events, history, clearsUnannounced };
}

function pad(version: number): string {
  return String(version).padStart(6, "0");
}

function entryBase(order: StoredOrder, entryId = pad(order.version)) {
  return { orderId: order.orderId, entryId, at: order.updatedAt, actor: order.updatedBy ?? "api" };
}
