import type { Currency } from "../shared/money";
import type { Page } from "../shared/page";

/** A product in the catalog. `stock` is the number of units that can still be sold. */
export interface Product {
  readonly productId: string;
  readonly name: string;
  readonly category: string;
  readonly brand: string;
  readonly description: string;
  readonly priceCents: number;
  readonly currency: Currency;
  readonly stock: number;
  /**
   * A hot product's stock is spread over this many buckets (2 to MAX_STOCK_BUCKETS), each
   * taking its own share of the orders, so one product can sell faster than a single
   * stored item can be written. `stock` is then their sum. Absent: the stock is in one place.
   */
  readonly stockBuckets?: number | undefined;
  /** Set by the inventory consumer when stock fell under the low-stock threshold. */
  readonly lowStock?: boolean | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * Grows with every change of what the product is (its description, its price, archiving);
   * `updateProduct` must name the version it read. Stock moves do not change it.
   */
  readonly version: number;
  /** Withdrawn from sale: hidden from the listings and refused by new orders. */
  readonly archived?: boolean | undefined;
  /** Who made the last catalog change, as its history names them. */
  readonly updatedBy?: string | undefined;
}

/**
 * The most buckets a hot product's stock may be spread over. Each bucket is its own
 * partition key and takes about 500 orders a second, so 16 is far past any one product's
 * sale; a spread rewrites every bucket in one transaction and every read sums them all.
 */
export const MAX_STOCK_BUCKETS = 16;

/** A page of the catalog. */
export type ProductPage = Page<Product>;
