import type { Page, PageRequest } from "../shared/page";
import type { Product } from "./product";
import type { ProductHistoryEntry } from "./product-history";

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

/** The outcome of a conditional catalog write; the service turns each into a result. */
export type CatalogWrite = "written" | "conditionFailed" | "notFound";

/**
 * Catalog changes, each written with its history entry in one transaction: the entry holds
 * the event the change owes until it is published (`markPublished`).
 */
export interface CatalogAdminRepository extends ProductRepository {
  /** Writes a new product; `conditionFailed` when its id is taken. */
  createProduct(product: Product, entry: ProductHistoryEntry): Promise<CatalogWrite>;
  /** Rewrites what the product is, if its version is still `expectedVersion`; stock untouched. */
  updateProduct(
    product: Product,
    expectedVersion: number,
    entry: ProductHistoryEntry,
  ): Promise<CatalogWrite>;
  /**
   * Moves the stock by `delta`, if it is still `expectedStock` (orders may move it
   * meanwhile). A hot product's buckets are each set to an even share of the new total.
   */
  adjustStock(
    productId: string,
    delta: number,
    expectedStock: number,
    entry: ProductHistoryEntry,
  ): Promise<CatalogWrite>;
  /**
   * Moves the whole stock, if it is still `expectedStock`, into `buckets` even shares (2 to
   * MAX_STOCK_BUCKETS: the product is hot), or with 0 or 1 back onto the product itself,
   * in one transaction with the entry. `conditionFailed` when an order moved the stock
   * meanwhile: read again and retry.
   */
  spreadStock(
    productId: string,
    buckets: number,
    expectedStock: number,
    entry: ProductHistoryEntry,
  ): Promise<CatalogWrite>;
  /** A product as stored, archived or not, read consistently. */
  getProductForChange(productId: string): Promise<Product | undefined>;
  /** Every product, archived ones included, in id order, a batch at a time. */
  allProducts(): AsyncIterable<readonly Product[]>;
}

export interface ProductHistoryRepository {
  /** The product's changes, oldest first. */
  history(productId: string): Promise<readonly ProductHistoryEntry[]>;
  /** The event is out: the entry no longer owes it. */
  markPublished(productId: string, entryId: string): Promise<void>;
  /** Entries whose event has been owed since before `instant`, oldest first. */
  owingSince(instant: string): AsyncIterable<ProductHistoryEntry>;
}
