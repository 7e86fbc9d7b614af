import { requireAdmin } from "../shared/access";
import { ContentionError } from "../shared/errors";
import type { ShopEvent } from "../shared/events";
import type { Clock, EventPublisher, IdGenerator, Logger } from "../shared/ports";
import { actorOf, type Viewer } from "../shared/viewer";
import type { CatalogAdminRepository, ProductHistoryRepository } from "./ports";
import type { Product } from "./product";
import { type ProductChange, type ProductHistoryEntry, stateOf } from "./product-history";
import {
  type ProductInput,
  parseWith,
  productIdSchema,
  productInputSchema,
  productUpdateSchema,
  stockAdjustmentSchema,
  stockBucketsSchema,
} from "./product-input";

/** The outcome of a catalog change: the product as it now is, or why nothing changed. */
export type CatalogResult =
  | { readonly kind: "changed"; readonly product: Product }
  | { readonly kind: "invalidProduct"; readonly field: string; readonly reason: string }
  | { readonly kind: "productAlreadyExists"; readonly productId: string }
  | { readonly kind: "productNotFound"; readonly productId: string }
  | {
      readonly kind: "versionConflict";
      readonly productId: string;
      readonly expectedVersion: number;
      readonly currentVersion: number;
    }
  | {
      readonly kind: "insufficientStock";
      readonly productId: string;
      readonly requested: number;
      readonly available: number;
    };

/** What an import did with one row. */
export type ImportOutcome = "created" | "updated" | "unchanged" | "conflict";

/** A stock adjustment rereads and retries this often while orders keep moving the stock. */
const MAX_ATTEMPTS = 25;

export interface CatalogAdminDeps {
  readonly products: CatalogAdminRepository;
  readonly history: ProductHistoryRepository;
  readonly publisher: EventPublisher;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
}

/**
 * Running the catalog: products created, described, priced, restocked, written off and
 * archived, by admins only. Every change is written with its history entry in one
 * transaction, and the entry owes the change's event (`product_changed`, `stock_adjusted`)
 * until it is published: at once here, or by the reconciler if this process dies first.
 */
export class CatalogAdminService {
  constructor(private readonly deps: CatalogAdminDeps) {}

  createProduct(viewer: Viewer, input: unknown): Promise<CatalogResult> {
    const actor = actorOf(requireAdmin(viewer));
    const parsed = parseWith(productInputSchema, input);
    if (!parsed.ok) return Promise.resolve({ kind: "invalidProduct", ...parsed });
    return this.create(parsed.value, actor);
  }

  async updateProduct(viewer: Viewer, productId: string, input: unknown): Promise<CatalogResult> {
    const actor = actorOf(requireAdmin(viewer));
    const id = parseWith(productIdSchema, productId);
    if (!id.ok) return { kind: "invalidProduct", field: "id", reason: id.reason };
    const parsed = parseWith(productUpdateSchema, input);
    if (!parsed.ok) return { kind: "invalidProduct", ...parsed };
    const { expectedVersion, price, ...fields } = parsed.value;
    const current = await this.deps.products.getProductForChange(id.value);
    if (!current) return { kind: "productNotFound", productId: id.value };
    if (current.version !== expectedVersion) {
      return conflict(current, expectedVersion);
    }
    const wanted: Product = {
      ...current,
      ...(definedOnly(fields) as Partial<Product>),
      ...(price ? { priceCents: price.amountCents, currency: price.currency } : {}),
    };
    if (sameDescription(current, wanted)) return { kind: "changed", product: current };
    const written = await this.rewrite(current, wanted, "UPDATED", actor);
    if (written) return { kind: "changed", product: written };
    const now = await this.deps.products.getProductForChange(id.value);
    return now ? conflict(now, expectedVersion) : { kind: "productNotFound", productId: id.value };
  }

  /**
   * Restocks (delta > 0) or writes off (delta < 0). The write names the stock it read, so
   * an order that moved the stock meanwhile makes it read and try again; an order never
   * finds less stock than it was promised, and the stock never goes below zero.
   */
  async adjustStock(
    viewer: Viewer,
    input: { productId: string; delta: number; reason: string },
  ): Promise<CatalogResult> {
    const actor = actorOf(requireAdmin(viewer));
    const parsed = parseWith(stockAdjustmentSchema, input);
    if (!parsed.ok) return { kind: "invalidProduct", ...parsed };
    const { productId, delta, reason } = parsed.value;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const current = await this.deps.products.getProductForChange(productId);
      if (!current) return { kind: "productNotFound", productId };
      const stockAfter = current.stock + delta;
      if (stockAfter < 0) {
        return {
          kind: "insufficientStock",
          productId,
          requested: -delta,
          available: current.stock,
        };
      }
      const entry = this.stockEntry("STOCK_ADJUSTED", actor, current, {
        delta,
        reason,
        summary: `${delta > 0 ? "restocked" : "wrote off"} ${Math.abs(delta)} (${current.stock} -> ${stockAfter}): ${reason}`,
      });
      const written = await this.deps.products.adjustStock(productId, delta, current.stock, entry);
      if (written === "notFound") return { kind: "productNotFound", productId };
      if (written === "written") {
        await this.announce(entry);
        return { kind: "changed", product: { ...current, stock: stockAfter } };
      }
    }
    throw new ContentionError(`stock of ${productId} kept moving under ${MAX_ATTEMPTS} attempts`);
  }

  /**
   * Marks a product hot, its stock spread evenly over `buckets` (2 to MAX_STOCK_BUCKETS)
   * that orders draw from side by side, or cold again (0 or 1), its stock back on the
   * product. The whole stock moves in one transaction that names the total it read, so an
   * order landing meanwhile makes it read and try again, and not a unit is lost or made.
   * Asking a hot product for the buckets it has evens them out again (orders drain some
   * faster than others); a cold product asked to be cold is left alone.
   */
  async setStockBuckets(
    viewer: Viewer,
    input: { productId: string; buckets: number },
  ): Promise<CatalogResult> {
    const actor = actorOf(requireAdmin(viewer));
    const parsed = parseWith(stockBucketsSchema, input);
    if (!parsed.ok) return { kind: "invalidProduct", ...parsed };
    const { productId } = parsed.value;
    // One bucket is the product's own stock: it takes no spreading.
    const buckets = parsed.value.buckets >= 2 ? parsed.value.buckets : undefined;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const current = await this.deps.products.getProductForChange(productId);
      if (!current) return { kind: "productNotFound", productId };
      if (buckets === undefined && current.stockBuckets === undefined) {
        return { kind: "changed", product: current };
      }
      const summary = buckets
        ? `spread ${current.stock} in stock over ${buckets} buckets`
        : `gathered ${current.stock} in stock from ${current.stockBuckets} buckets onto the product`;
      // The total does not move: to those who follow stock events, this is an adjustment by 0.
      const entry = this.stockEntry("STOCK_SPREAD", actor, current, { delta: 0, summary });
      const written = await this.deps.products.spreadStock(
        productId,
        buckets ?? 0,
        current.stock,
        entry,
      );
      if (written === "notFound") return { kind: "productNotFound", productId };
      if (written === "written") {
        await this.announce(entry);
        const { stockBuckets: _, ...product } = current;
        return {
          kind: "changed",
          product: buckets ? { ...product, stockBuckets: buckets } : product,
        };
      }
    }
    throw new ContentionError(`stock of ${productId} kept moving under ${MAX_ATTEMPTS} attempts`);
  }

  /** How many buckets a product's stock is spread over (none: it is not hot). Admins only. */
  stockBucketsOf(viewer: Viewer, product: Product): number | undefined {
    requireAdmin(viewer);
    return product.stockBuckets;
  }

  /**
   * Withdraws a product from sale: hidden from the listings, refused by new orders; orders
   * that have it keep their lines. Archiving an archived product changes nothing.
   */
  async archiveProduct(viewer: Viewer, productId: string): Promise<CatalogResult> {
    const actor = actorOf(requireAdmin(viewer));
    const id = parseWith(productIdSchema, productId);
    if (!id.ok) return { kind: "invalidProduct", field: "id", reason: id.reason };
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const current = await this.deps.products.getProductForChange(id.value);
      if (!current) return { kind: "productNotFound", productId: id.value };
      if (current.archived) return { kind: "changed", product: current };
      const written = await this.rewrite(
        current,
        { ...current, archived: true },
        "ARCHIVED",
        actor,
      );
      if (written) return { kind: "changed", product: written };
    }
    throw new ContentionError(`product ${id.value} kept changing under ${MAX_ATTEMPTS} attempts`);
  }

  /** A product's changes, oldest first. Admins only. */
  history(viewer: Viewer, productId: string): Promise<readonly ProductHistoryEntry[]> {
    requireAdmin(viewer);
    return this.deps.history.history(productId);
  }

  /**
   * Loads rows (already checked with `productInputSchema`, each with an id): a new id is
   * created with its stock; a known one is brought to the row's description and price, its
   * stock left alone (orders move it; `adjustStock` is how a person does); a row that matches
   * the product changes nothing. So importing the same rows twice changes nothing the second time.
   * `createOnly` adds what is missing and leaves every existing product as it is.
   */
  async importProduct(
    row: ProductInput & { id: string },
    actor: string,
    mode: "upsert" | "createOnly" = "upsert",
  ): Promise<ImportOutcome> {
    const current = await this.deps.products.getProductForChange(row.id);
    if (!current) {
      const created = await this.create(row, actor);
      if (created.kind === "changed") return "created";
      return "conflict";
    }
    if (mode === "createOnly") return "unchanged";
    const wanted: Product = {
      ...current,
      name: row.name,
      description: row.description,
      category: row.category,
      brand: row.brand,
      priceCents: row.price.amountCents,
      currency: row.price.currency,
    };
    if (sameDescription(current, wanted)) return "unchanged";
    return (await this.rewrite(current, wanted, "UPDATED", actor)) ? "updated" : "conflict";
  }

  private async create(input: ProductInput, actor: string): Promise<CatalogResult> {
    const productId = input.id ?? this.deps.ids.newId();
    const change = this.newChange("CREATED", actor);
    const product: Product = {
      productId,
      name: input.name,
      description: input.description,
      category: input.category,
      brand: input.brand,
      priceCents: input.price.amountCents,
      currency: input.price.currency,
      stock: input.stock,
      createdAt: change.at,
      updatedAt: change.at,
      version: 1,
      updatedBy: actor,
    };
    const entry = this.productChangedEntry(change, undefined, product);
    const written = await this.deps.products.createProduct(product, {
      ...entry,
      stockAfter: product.stock,
    });
    if (written !== "written") return { kind: "productAlreadyExists", productId };
    await this.announce(entry);
    return { kind: "changed", product };
  }

  /** Writes `wanted` over `current` as the next version; undefined when someone got there first. */
  private async rewrite(
    current: Product,
    wanted: Product,
    kind: "UPDATED" | "ARCHIVED",
    actor: string,
  ): Promise<Product | undefined> {
    const change = this.newChange(kind, actor);
    const next: Product = {
      ...wanted,
      version: current.version + 1,
      updatedAt: change.at,
      updatedBy: actor,
    };
    const entry = this.productChangedEntry(change, current, next);
    const written = await this.deps.products.updateProduct(next, current.version, entry);
    if (written !== "written") return undefined;
    await this.announce(entry);
    return next;
  }

  private productChangedEntry(
    change: ReturnType<CatalogAdminService["newChange"]>,
    before: Product | undefined,
    after: Product,
  ): ProductHistoryEntry {
    const kind = change.kind as "CREATED" | "UPDATED" | "ARCHIVED";
    const event: ShopEvent = {
      eventId: `product_changed:${change.id}`,
      eventType: "product_changed",
      version: 1,
      occurredAt: change.at,
      data: {
        productId: after.productId,
        change: kind,
        version: after.version,
        ...(before ? { before: stateOf(before) } : {}),
        after: stateOf(after),
        actor: change.actor,
        changedAt: change.at,
      },
    };
    return {
      ...change.entry(after.productId),
      summary: summarize(kind, before, after),
      ...(before ? { before: stateOf(before) } : {}),
      after: stateOf(after),
      event,
    };
  }

  /**
   * A stock change's history entry, owing its `stock_adjusted` event: the product is as it
   * was, its stock moved by `delta`. `reason`, when a person gave one, is recorded as well;
   * the event's reason is otherwise the summary.
   */
  private stockEntry(
    kind: ProductChange,
    actor: string,
    current: Product,
    move: { readonly delta: number; readonly summary: string; readonly reason?: string },
  ): ProductHistoryEntry {
    const change = this.newChange(kind, actor);
    const state = stateOf(current);
    const stockAfter = current.stock + move.delta;
    const event: ShopEvent = {
      eventId: `stock_adjusted:${change.id}`,
      eventType: "stock_adjusted",
      version: 1,
      occurredAt: change.at,
      data: {
        productId: current.productId,
        delta: move.delta,
        stockBefore: current.stock,
        stockAfter,
        reason: move.reason ?? move.summary,
        actor,
        adjustedAt: change.at,
      },
    };
    return {
      ...change.entry(current.productId),
      summary: move.summary,
      before: state,
      after: state,
      stockBefore: current.stock,
      stockAfter,
      ...(move.reason === undefined ? {} : { reason: move.reason }),
      event,
    };
  }

  private newChange(kind: ProductChange, actor: string) {
    const at = this.deps.clock.now().toISOString();
    const id = this.deps.ids.newId();
    return {
      kind,
      id,
      at,
      actor,
      entry: (productId: string) => ({
        productId,
        entryId: `${at}#${id}`,
        at,
        actor,
        change: kind,
      }),
    };
  }

  /** Publishes the change's event now; if that fails, the reconciler publishes it from the entry. */
  private async announce(entry: ProductHistoryEntry): Promise<void> {
    try {
      await this.deps.publisher.publish(entry.event);
      await this.deps.history.markPublished(entry.productId, entry.entryId);
    } catch (error) {
      this.deps.logger.warn("catalog event not published at once; the reconciler will", {
        productId: entry.productId,
        eventId: entry.event.eventId,
        error: String(error),
      });
    }
  }
}

function conflict(current: Product, expectedVersion: number): CatalogResult {
  return {
    kind: "versionConflict",
    productId: current.productId,
    expectedVersion,
    currentVersion: current.version,
  };
}

function sameDescription(a: Product, b: Product): boolean {
  const left = stateOf(a);
  const right = stateOf(b);
  return (Object.keys(left) as (keyof typeof left)[]).every((key) => left[key] === right[key]);
}

function definedOnly<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

function summarize(
  kind: "CREATED" | "UPDATED" | "ARCHIVED",
  before: Product | undefined,
  after: Product,
): string {
  if (kind === "CREATED") return `created with ${after.stock} in stock`;
  if (kind === "ARCHIVED") return "archived: withdrawn from sale";
  const changed = (Object.keys(stateOf(after)) as (keyof ReturnType<typeof stateOf>)[]).filter(
    (key) => before && stateOf(before)[key] !== stateOf(after)[key],
  );
  return `changed ${changed.join(", ")}`;
}
