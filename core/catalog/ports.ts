import type { Page, PageRequest } from "../shared/page";
import type { Product } from "./product";

/** The catalog's storage. */
export interface ProductRepository {
  getProduct(productId: string): Promise<Product | undefined>;
  /** Consistent reads of many products at once; unknown ids are absent from the map. */
  getProducts(productIds: readonly string[]): Promise<ReadonlyMap<string, Product>>;
  listProducts(request: PageRequest & { readonly category?: string }): Promise<Page<Product>>;
}

/** Marks products that are running low, for the people who restock them. */
export interface LowStockFlagger {
  /** Marks the product as running low (idempotent). */
  flagLowStock(productId: string): Promise<void>;
}
