import type { Currency } from "./money";
import type { OrderStatus } from "./order-status";
import type { Page } from "./page";

export interface OrderLine {
  readonly productId: string;
  /** The name at the time of the order, so the order reads the same if the catalog changes. */
  readonly productName: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
  readonly lineTotalCents: number;
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
  /** Bumped by every write; status changes are conditional on it. */
  readonly version: number;
}

/** A page of a customer's orders. */
export type OrderPage = Page<Order>;
