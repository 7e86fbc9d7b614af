/** Sales counters of one day, over all products and per product. */
export interface DailySales {
  readonly day: string;
  readonly orders: number;
  readonly units: number;
  readonly revenueCents: number;
  readonly products: readonly ProductSales[];
  /** Stock adjustments that took units away (damaged, lost, expired), and how many units. */
  readonly stockWriteOffs: number;
  readonly unitsWrittenOff: number;
}

export interface ProductSales {
  readonly productId: string;
  readonly orders: number;
  readonly units: number;
  readonly revenueCents: number;
}

/** The UTC day of an ISO-8601 instant, such as 2026-11-24. */
export function dayOf(instant: string): string {
  return instant.slice(0, 10);
}

/** The UTC minute of an ISO-8601 instant, such as 2026-11-24T21:05. */
export function minuteOf(instant: string): string {
  return new Date(instant).toISOString().slice(0, 16);
}
