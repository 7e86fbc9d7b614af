import { InvalidTransitionError } from "./errors";

export const ORDER_STATUSES = ["PENDING", "CONFIRMED", "REJECTED", "SHIPPED", "CANCELLED"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * The order lifecycle. Each status names the statuses it may move to; everything else is
 * forbidden, which is what keeps a late or duplicated event from moving an order back.
 */
const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  PENDING: ["CONFIRMED", "REJECTED", "CANCELLED"],
  CONFIRMED: ["SHIPPED", "CANCELLED"],
  REJECTED: [],
  SHIPPED: [],
  CANCELLED: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(orderId: string, from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) {
    throw new InvalidTransitionError(orderId, from, to);
  }
}

/** Statuses from which no further change is possible. */
export function isFinal(status: OrderStatus): boolean {
  return TRANSITIONS[status].length === 0;
}

/** Orders in these statuses will never ship, so their units belong back in stock. */
export function releasesStock(status: OrderStatus): boolean {
  return status === "REJECTED" || status === "CANCELLED";
}
