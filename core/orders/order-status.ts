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

/**
 * Orders in these statuses will never ship, so their units belong back in stock. The
 * repository's release is conditional on exactly this list.
 */
export const STOCK_RELEASING_STATUSES = [
  "REJECTED",
  "CANCELLED",
] as const satisfies readonly OrderStatus[];

export function releasesStock(status: OrderStatus): boolean {
  return (STOCK_RELEASING_STATUSES as readonly OrderStatus[]).includes(status);
}
