import type { OrderCreatedData, StockAdjustedData } from "../shared/events";
import type { DailySales } from "./daily-sales";

/** Reads a day's sales counters. */
export interface DailySalesReader {
  getDailySales(day: string): Promise<DailySales>;
}

/** How fast each product sells: its orders in one minute. */
export interface OrderRateReader {
  /** Orders of each product created in the UTC minute (`2026-11-24T21:05`); none are absent. */
  productOrdersInMinute(minute: string): Promise<ReadonlyMap<string, number>>;
}

export interface AnalyticsRepository extends DailySalesReader, OrderRateReader {
  /**
   * Adds one order to its day's counters, atomically and at most once per event id.
   * Returns "duplicate" when this event was counted before.
   */
  countOrder(eventId: string, order: OrderCreatedData): Promise<"counted" | "duplicate">;
  /**
   * Adds a write-off (a negative adjustment) to its day's write-offs, at most once per event
   * id; a restock is not a write-off and counts nothing.
   */
  countStockAdjustment(
    eventId: string,
    adjustment: StockAdjustedData,
  ): Promise<"counted" | "duplicate" | "notAWriteOff">;
}
