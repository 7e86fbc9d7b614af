import type { CatalogAdminRepository } from "../core/catalog/ports";
import type { Product } from "../core/catalog/product";
import type { ProductHistoryEntry } from "../core/catalog/product-history";
import type { Page, PageRequest } from "../core/shared/page";

/** How long a catalog read is served from a container's memory. */
export const CATALOG_CACHE_TTL_MS = 1000;
/** At most this many reads are remembered (product ids and listing pages are caller-chosen). */
export const CATALOG_CACHE_MAX_ENTRIES = 5000;

interface Entry {
  readonly expires: number;
  readonly value: Promise<unknown>;
}

/**
 * The catalog as the api's container reads it for display: `getProduct` and `listProducts`
 * answers are kept for `ttlMs` and shared by the requests that arrive meanwhile (one read
 * from DynamoDB per key and second, however many callers). Everything that decides an order
 * or a change bypasses it: `getProducts` (the consistent read an order is priced from),
 * `getProductForChange` and `allProducts` go straight to the table, and the stock itself is
 * checked inside the order's transaction. A change made through this container clears the
 * cache at once; a change made anywhere else (another container, an order's stock
 * decrement, the catalog loader) shows within `ttlMs`.
 */
export class CatalogReadCache implements CatalogAdminRepository {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly table: CatalogAdminRepository,
    private readonly options: {
      readonly ttlMs?: number;
      readonly maxEntries?: number;
      readonly now?: () => number;
    } = {},
  ) {}

  getProduct(productId: string): Promise<Product | undefined> {
    return this.remember(`product\u0000${productId}`, () => this.table.getProduct(productId));
  }

  listProducts(request: PageRequest & { readonly category?: string }): Promise<Page<Product>> {
    const page =
      "last" in request
        ? `last\u0000${request.last}\u0000${request.before ?? ""}`
        : `first\u0000${request.first}\u0000${request.after ?? ""}`;
    const key = `list\u0000${page}\u0000${request.category ?? ""}`;
    return this.remember(key, () => this.table.listProducts(request));
  }

  getProducts(productIds: readonly string[]): Promise<ReadonlyMap<string, Product>> {
    return this.table.getProducts(productIds);
  }

  getProductForChange(productId: string): Promise<Product | undefined> {
    return this.table.getProductForChange(productId);
  }

  allProducts(): AsyncIterable<readonly Product[]> {
    return this.table.allProducts();
  }

  createProduct(product: Product, entry: ProductHistoryEntry) {
    return this.clearingAfter(this.table.createProduct(product, entry));
  }

  updateProduct(product: Product, expectedVersion: number, entry: ProductHistoryEntry) {
    return this.clearingAfter(this.table.updateProduct(product, expectedVersion, entry));
  }

  adjustStock(productId: string, delta: number, expectedStock: number, entry: ProductHistoryEntry) {
    return this.clearingAfter(this.table.adjustStock(productId, delta, expectedStock, entry));
  }

  spreadStock(
    productId: string,
    buckets: number,
    expectedStock: number,
    entry: ProductHistoryEntry,
  ) {
    return this.clearingAfter(this.table.spreadStock(productId, buckets, expectedStock, entry));
  }

  /** Forgets every read (after a change this container made). */
  clear(): void {
    this.entries.clear();
  }

  private async clearingAfter<T>(write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      this.clear();
    }
  }

  private remember<T>(key: string, read: () => Promise<T>): Promise<T> {
    const now = (this.options.now ?? Date.now)();
    const found = this.entries.get(key);
    if (found && found.expires > now) return found.value as Promise<T>;
    if (found) this.entries.delete(key);
    const value = read();
    // A failed read is not remembered: the next caller tries the table again.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    const maxEntries = this.options.maxEntries ?? CATALOG_CACHE_MAX_ENTRIES;
    while (this.entries.size >= maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.entries.set(key, { expires: now + (this.options.ttlMs ?? CATALOG_CACHE_TTL_MS), value });
    return value;
  }
}
