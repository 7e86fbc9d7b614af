import type { OrderCreatedData } from "./events";

/** Sales counters of one day, over all products and per product. */
export interface DailySales {
  readonly day: string;
  readonly orders: number;
  readonly units: number;
  readonly revenueCents: number;
  readonly products: readonly ProductSales[];
}

export interface ProductSales {
  readonly productId: string;
  readonly orders: number;
  readonly units: number;
  readonly revenueCents: number;
}

export interface AnalyticsRepository {
  /**
   * Adds one order to its day's counters, atomically and at most once per event id.
   * Returns "duplicate" when this event was counted before.
   */
  countOrder(eventId: string, order: OrderCreatedData): Promise<"counted" | "duplicate">;
  getDailySales(day: string): Promise<DailySales>;
}

/** The UTC day of an ISO-8601 instant, such as 2026-11-24. */
export function dayOf(instant: string): string {
  return instant.slice(0, 10);
}
