import type { ProductState, ShopEvent } from "../shared/events";
import type { Product } from "./product";

/** `STOCK_SPREAD`: the stock moved into buckets (a hot product), or back onto the product. */
export type ProductChange = "CREATED" | "UPDATED" | "ARCHIVED" | "STOCK_ADJUSTED" | "STOCK_SPREAD";

/**
 * One change of the catalog: who made it, when, the product before and after, and the
 * event it owes. The entry is written in the same transaction as the change, so the event
 * is owed from the moment the change exists (the catalog's outbox), and it stays owed until
 * published.
 */
export interface ProductHistoryEntry {
  readonly productId: string;
  /** Sorts the product's entries oldest first: the instant, then the change's id. */
  readonly entryId: string;
  readonly at: string;
  readonly actor: string;
  readonly change: ProductChange;
  readonly summary: string;
  /** What the product was, for every change but its creation. */
  readonly before?: ProductState | undefined;
  readonly after: ProductState;
  readonly stockBefore?: number | undefined;
  readonly stockAfter?: number | undefined;
  readonly reason?: string | undefined;
  readonly event: ShopEvent;
}

/** What a catalog event says about a product: everything but its live stock. */
export function stateOf(product: Product): ProductState {
  return {
    name: product.name,
    description: product.description,
    category: product.category,
    brand: product.brand,
    priceCents: product.priceCents,
    currency: product.currency,
    archived: product.archived === true,
  };
}
