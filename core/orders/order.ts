import type { FraudAssessment } from "../fraud/fraud-scoring";
import type { Currency } from "../shared/money";
import type { Page } from "../shared/page";
import type { OrderStatus } from "./order-status";

export interface OrderLine {
  readonly productId: string;
  /** The name at the time of the order, so the order reads the same if the catalog changes. */
  readonly productName: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
  readonly lineTotalCents: number;
  /**
   * The stock bucket of a hot product the line's units were taken from, so a release puts
   * them back there. Absent: they came from the product's own stock.
   */
  readonly stockBucket?: number | undefined;
}

export interface Order {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly items: readonly OrderLine[];
  readonly totalCents: number;
  readonly currency: Currency;
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * The correlation id of the request that placed the order: every event of the order
   * carries it, and every log line those events cause, in every function.
   */
  readonly correlationId?: string | undefined;
  /** Bumped by every write; status changes are conditional on it. */
  readonly version: number;
  /** Who made the latest change: `customer:<id>`, `admin:<subject>`, `fraud`, `inventory`. */
  readonly updatedBy?: string | undefined;
  /** Why the order is in its status, when that needs saying (rejections, cancellations). */
  readonly statusReason?: string | undefined;
  readonly fraudAssessment?: FraudAssessment | undefined;
  readonly paymentAuthorizationId?: string | undefined;
  /** Set once the units of an order that will never ship are back in stock. */
  readonly stockReleased?: boolean | undefined;
  /**
   * The outbox: events this order owes the topic, by event id, written in the same write
   * as the change that owes them and removed once published. What is here after a grace
   * period is published again by the reconciler.
   */
  readonly owed?: Readonly<Record<string, unknown>> | undefined;
}

/** One change in an order's life, as the stream processor recorded it. */
export interface OrderHistoryEntry {
  readonly orderId: string;
  /** The order's version after the change, zero-padded so entries sort in order. */
  readonly entryId: string;
  readonly at: string;
  readonly actor: string;
  readonly change: "CREATED" | "STATUS_CHANGED" | "FRAUD_ASSESSED" | "STOCK_RELEASED" | "DELETED";
  readonly summary: string;
  readonly fromStatus?: string | undefined;
  readonly toStatus?: string | undefined;
}

/** A page of a customer's orders. */
export type OrderPage = Page<Order>;

/** How many units an order (or an order event) holds across its lines. */
export function unitsIn(order: {
  readonly items: readonly { readonly quantity: number }[];
}): number {
  return order.items.reduce((sum, line) => sum + line.quantity, 0);
}
