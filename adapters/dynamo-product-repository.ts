import { setTimeout as sleep } from "node:timers/promises";
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import * as z from "zod";
import type {
  CatalogAdminRepository,
  CatalogWrite,
  LowStockFlagger,
  ProductHistoryRepository,
} from "../core/catalog/ports";
import { MAX_STOCK_BUCKETS, type Product } from "../core/catalog/product";
import type { ProductHistoryEntry } from "../core/catalog/product-history";
import {
  ContentionError,
  CorruptRecordError,
  InvalidCursorError,
  InvalidInputError,
} from "../core/shared/errors";
import { type ShopEvent, shopEventSchema } from "../core/shared/events";
import { type Page, type PageRequest, readBackward } from "../core/shared/page";
import { decodeCursor, toPage } from "./cursor";
import { queryAll } from "./query-all";
import { productHistoryTable, productsTable } from "./table-definitions";
import { type TransactItems, transactWrite } from "./transactions";

const productItemSchema = z.object({
  productId: z.string(),
  name: z.string(),
  category: z.string(),
  brand: z.string(),
  description: z.string(),
  priceCents: z.number().int().nonnegative(),
  currency: z.literal("USD"),
  stock: z.number().int(),
  lowStock: z.boolean().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  // Products written before versions existed are at their first.
  version: z.number().int().positive().default(1),
  archived: z.boolean().optional(),
  updatedBy: z.string().optional(),
  stockBuckets: z.number().int().min(2).max(MAX_STOCK_BUCKETS).optional(),
});

export function productFromItem(item: Record<string, unknown>): Product {
  const parsed = productItemSchema.safeParse(item);
  if (!parsed.success) {
    throw new CorruptRecordError(`product ${String(item.productId)} is malformed`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

const TABLE_KEY = [productsTable.partitionKey.name];
const CATEGORY_INDEX = productsTable.globalSecondaryIndexes[0];
// An index's LastEvaluatedKey holds the table key and the index key, each name once.
const CATEGORY_KEY = [
  ...new Set([
    productsTable.partitionKey.name,
    CATEGORY_INDEX.partitionKey.name,
    CATEGORY_INDEX.sortKey.name,
  ]),
];
const BATCH_GET_LIMIT = 100;
const MAX_BATCH_ROUNDS = 8;
/** A page of the listing reads at most this many rounds past archived products. */
const MAX_LISTING_ROUNDS = 20;
/** Only products on sale are listed. */
const ON_SALE = {
  FilterExpression: "attribute_not_exists(archived) OR archived = :no",
  ExpressionAttributeValues: { ":no": false },
};
/**
 * The whole-catalog scan also meets the stock buckets of hot products, which are no products.
 * (The category index holds none: they have no category.)
 */
const ON_SALE_IN_TABLE = `attribute_not_exists(bucketOf) AND (${ON_SALE.FilterExpression})`;

export class DynamoProductRepository implements CatalogAdminRepository, LowStockFlagger {
  /**
   * `historyTable` is needed only by a function that changes the catalog; readers (the
   * orders, the inventory consumer) are not told about it.
   */
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly historyTable?: string,
  ) {}

  async getProduct(productId: string): Promise<Product | undefined> {
    return this.readProduct(productId, false);
  }

  async getProducts(productIds: readonly string[]): Promise<ReadonlyMap<string, Product>> {
    const items = await batchGetItems(
      this.client,
      this.tableName,
      [...new Set(productIds)].map((productId) => ({ productId })),
      true,
    );
    const products = await this.summed(
      items.filter((item) => !isStockBucket(item)),
      true,
    );
    return new Map(products.map((product) => [product.productId, product]));
  }

  /** A product, its stock summed over its buckets if it is hot; a bucket is no product. */
  private async readProduct(productId: string, consistent: boolean): Promise<Product | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { productId }, ConsistentRead: consistent }),
    );
    if (!Item || isStockBucket(Item)) return undefined;
    const [product] = await this.summed([Item], consistent);
    return product;
  }

  /** The products of the items, each hot one's stock the sum of its buckets. */
  private async summed(
    items: readonly Record<string, unknown>[],
    consistent: boolean,
  ): Promise<Product[]> {
    return (await this.summedItems(items, consistent)).map(productFromItem);
  }

  private async summedItems(
    items: readonly Record<string, unknown>[],
    consistent: boolean,
  ): Promise<Record<string, unknown>[]> {
    const views = await withBucketStock(this.client, this.tableName, items, consistent);
    return views.map((view) => view.item);
  }

  /**
   * A page of the products on sale. Archived products are filtered out, so one read may
   * bring fewer than a page: reads continue until the page is full (plus one item, which
   * tells whether another page follows) or the table ends. Each item's cursor is its own key.
   * A category is a query, which reads backward as cheaply as forward; the whole catalog is
   * a scan, which has no order to reverse, so it pages forward only.
   */
  async listProducts(request: PageRequest & { category?: string }): Promise<Page<Product>> {
    const backward = "last" in request;
    const byCategory = request.category !== undefined;
    if (backward && !byCategory) {
      throw new InvalidInputError(
        "the whole catalog pages forward only (first and after): name a category to page backward",
      );
    }
    const size = backward ? request.last : request.first;
    const cursor = backward ? request.before : request.after;
    const limit = size + 1;
    const keyNames = byCategory ? CATEGORY_KEY : TABLE_KEY;
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined = cursor
      ? decodeCursor(cursor, keyNames)
      : undefined;
    // Another category's cursor would make DynamoDB fail the query: it is not for this list.
    if (byCategory && startKey && startKey.category !== request.category) {
      throw new InvalidCursorError();
    }
    for (let round = 0; items.length < limit && round < MAX_LISTING_ROUNDS; round++) {
      const common = {
        TableName: this.tableName,
        Limit: limit - items.length,
        ...ON_SALE,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      };
      const page = byCategory
        ? await this.client.send(
            new QueryCommand({
              ...common,
              IndexName: CATEGORY_INDEX.indexName,
              KeyConditionExpression: "category = :category",
              ExpressionAttributeValues: {
                ...ON_SALE.ExpressionAttributeValues,
                ":category": request.category,
              },
              ScanIndexForward: !backward,
            }),
          )
        : await this.client.send(
            new ScanCommand({ ...common, FilterExpression: ON_SALE_IN_TABLE }),
          );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
      if (!startKey) break;
    }
    const read = byCategory
      ? await this.categoryPage(items, size)
      : toPage(await this.summedItems(items, false), size, keyNames, productFromItem);
    return backward ? readBackward(read) : read;
  }

  /**
   * A category's page from its index entries: the index holds only the keys and `archived`
   * (so an order's stock write never touches it), and the products themselves are read from
   * the table, as the orders read them. One archived between the two reads is left out.
   */
  private async categoryPage(
    entries: readonly Record<string, unknown>[],
    size: number,
  ): Promise<Page<Product>> {
    const products = await this.getProducts(
      entries.slice(0, size).map((entry) => String(entry.productId)),
    );
    const onSale = entries.filter((entry, i) => {
      if (i >= size) return true;
      const product = products.get(String(entry.productId));
      return product !== undefined && !product.archived;
    });
    return toPage(onSale, size, CATEGORY_KEY, (entry) => {
      const product = products.get(String(entry.productId));
      if (!product) throw new Error(`product ${String(entry.productId)} left the page`);
      return product;
    });
  }

  async getProductForChange(productId: string): Promise<Product | undefined> {
    return this.readProduct(productId, true);
  }

  async *allProducts(): AsyncIterable<readonly Product[]> {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          ConsistentRead: true,
          FilterExpression: "attribute_not_exists(bucketOf)",
          ExclusiveStartKey,
        }),
      );
      const products = await this.summed(page.Items ?? [], true);
      products.sort((a, b) => a.productId.localeCompare(b.productId));
      if (products.length > 0) yield products;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }

  async createProduct(product: Product, entry: ProductHistoryEntry): Promise<CatalogWrite> {
    const outcome = await transactWrite(
      this.client,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: { ...product },
            ConditionExpression: "attribute_not_exists(productId)",
          },
        },
        this.historyPut(entry),
      ],
      `creating product ${product.productId}`,
    );
    return outcome === "written" ? "written" : "conditionFailed";
  }

  async updateProduct(
    product: Product,
    expectedVersion: number,
    entry: ProductHistoryEntry,
  ): Promise<CatalogWrite> {
    const outcome = await transactWrite(
      this.client,
      [
        {
          Update: {
            TableName: this.tableName,
            Key: { productId: product.productId },
            // Stock is not written: orders keep moving it while the description changes.
            UpdateExpression:
              "SET #name = :name, description = :description, category = :category, " +
              "brand = :brand, priceCents = :priceCents, currency = :currency, " +
              "archived = :archived, version = :version, updatedAt = :updatedAt, updatedBy = :updatedBy",
            ConditionExpression:
              "attribute_exists(productId) AND (version = :expected OR (attribute_not_exists(version) AND :expected = :one))",
            ExpressionAttributeNames: { "#name": "name" },
            ExpressionAttributeValues: {
              ":name": product.name,
              ":description": product.description,
              ":category": product.category,
              ":brand": product.brand,
              ":priceCents": product.priceCents,
              ":currency": product.currency,
              ":archived": product.archived === true,
              ":version": product.version,
              ":updatedAt": product.updatedAt,
              ":updatedBy": product.updatedBy ?? "unknown",
              ":expected": expectedVersion,
              ":one": 1,
            },
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          },
        },
        this.historyPut(entry),
      ],
      `changing product ${product.productId}`,
    );
    return productWrite(outcome);
  }

  async adjustStock(
    productId: string,
    delta: number,
    expectedStock: number,
    entry: ProductHistoryEntry,
  ): Promise<CatalogWrite> {
    const outcome = await transactWrite(
      this.client,
      [
        {
          Update: {
            TableName: this.tableName,
            Key: { productId },
            UpdateExpression: "SET stock = stock + :delta, updatedAt = :at",
            // A hot product's stock is in its buckets: it is adjusted there, below.
            ConditionExpression:
              "attribute_exists(productId) AND attribute_not_exists(stockBuckets) AND stock = :expected",
            ExpressionAttributeValues: {
              ":delta": delta,
              ":expected": expectedStock,
              ":at": entry.at,
            },
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          },
        },
        this.historyPut(entry),
      ],
      `adjusting the stock of ${productId}`,
    );
    const old = outcome === "written" ? undefined : outcome[0]?.Item;
    if (!old || unmarshall(old).stockBuckets === undefined) return productWrite(outcome);
    // Every bucket gets its even share of the new total, so the adjustment also evens out
    // buckets that orders drained unevenly.
    return this.relayStock(productId, expectedStock, entry, (buckets) =>
      buckets === undefined ? undefined : { buckets, total: expectedStock + delta },
    );
  }

  async spreadStock(
    productId: string,
    buckets: number,
    expectedStock: number,
    entry: ProductHistoryEntry,
  ): Promise<CatalogWrite> {
    return this.relayStock(productId, expectedStock, entry, () => ({
      buckets: buckets >= 2 ? buckets : undefined,
      total: expectedStock,
    }));
  }

  /**
   * Rewrites where a product's stock lives and how much it holds, in one transaction with
   * the entry: the product item and every bucket, each conditioned on the value just read
   * (a bucket without stock on staying so), so an order or a release landing between the
   * read and the write cancels it and the caller reads again ("conditionFailed"). The new
   * total goes evenly to the buckets, the remainder to the first, or onto the product when
   * there are none. A bucket no longer used is retired, not deleted: its `stock` attribute
   * removed, which no order can take from and no release can add to (both are conditioned
   * on it), and a Put is a write the functions that change the catalog may already make.
   * `next` learns how many buckets the product has now (none: not hot) and says how many it
   * is to have and their total, or undefined to give up ("conditionFailed").
   */
  private async relayStock(
    productId: string,
    expectedStock: number,
    entry: ProductHistoryEntry,
    next: (
      buckets: number | undefined,
    ) => { readonly buckets: number | undefined; readonly total: number } | undefined,
  ): Promise<CatalogWrite> {
    const bucketKeys = bucketNumbers(MAX_STOCK_BUCKETS).map((k) => stockBucketKey(productId, k));
    const items = await batchGetItems(
      this.client,
      this.tableName,
      [productId, ...bucketKeys].map((key) => ({ productId: key })),
      true,
    );
    const item = items.find((found) => found.productId === productId);
    if (!item) return "notFound";
    const product = productFromItem(item);
    const was = new Map(
      items
        .filter(isStockBucket)
        .map(stockBucketFromItem)
        .flatMap((bucket) =>
          bucket.stock === undefined ? [] : [[bucket.productId, bucket.stock] as const],
        ),
    );
    const total = product.stockBuckets
      ? bucketKeys.slice(0, product.stockBuckets).reduce((sum, key) => sum + (was.get(key) ?? 0), 0)
      : product.stock;
    if (total !== expectedStock) return "conditionFailed";
    const target = next(product.stockBuckets);
    if (!target || target.total < 0) return "conditionFailed";
    const shares = target.buckets ? evenShares(target.total, target.buckets) : [];
    // Every move is a new layout, written into the product and each of its buckets: a reader
    // who finds them differ has read across a move (withBucketStock).
    const layoutWas = typeof item.stockLayout === "number" ? item.stockLayout : undefined;
    const layout = (layoutWas ?? 0) + 1;
    const bucketWrites = bucketKeys.flatMap((key, k): TransactItems => {
      const before = was.get(key);
      const share = shares[k];
      if (share === undefined && before === undefined) return [];
      return [
        {
          Put: {
            TableName: this.tableName,
            Item: {
              productId: key,
              bucketOf: productId,
              layout,
              ...(share === undefined ? {} : { stock: share }),
            },
            ...(before === undefined
              ? { ConditionExpression: "attribute_not_exists(stock)" }
              : {
                  ConditionExpression: "stock = :was",
                  ExpressionAttributeValues: { ":was": before },
                }),
          },
        },
      ];
    });
    const outcome = await transactWrite(
      this.client,
      [
        {
          Update: {
            TableName: this.tableName,
            Key: { productId },
            // While hot, the product's own stock is 0: everything is in the buckets.
            UpdateExpression: target.buckets
              ? "SET stock = :stock, stockBuckets = :buckets, stockLayout = :layout, updatedAt = :at"
              : "SET stock = :stock, stockLayout = :layout, updatedAt = :at REMOVE stockBuckets",
            ConditionExpression: [
              "stock = :stockWas",
              product.stockBuckets
                ? "stockBuckets = :bucketsWas"
                : "attribute_not_exists(stockBuckets)",
              layoutWas === undefined
                ? "attribute_not_exists(stockLayout)"
                : "stockLayout = :layoutWas",
            ].join(" AND "),
            ExpressionAttributeValues: {
              ":stock": target.buckets ? 0 : target.total,
              ":stockWas": product.stock,
              ":layout": layout,
              ...(layoutWas === undefined ? {} : { ":layoutWas": layoutWas }),
              ":at": entry.at,
              ...(target.buckets ? { ":buckets": target.buckets } : {}),
              ...(product.stockBuckets ? { ":bucketsWas": product.stockBuckets } : {}),
            },
          },
        },
        ...bucketWrites,
        this.historyPut(entry),
      ],
      `moving the stock of ${productId}`,
    );
    return outcome === "written" ? "written" : "conditionFailed";
  }

  /** The entry, owing its event: in the sparse index of owed events until published. */
  private historyPut(entry: ProductHistoryEntry) {
    if (!this.historyTable)
      throw new Error("this function was not given the product history table");
    return {
      Put: {
        TableName: this.historyTable,
        Item: { ...entry, owedShard: OWED_SHARD, owedSince: entry.at },
      },
    };
  }

  async flagLowStock(productId: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { productId },
        UpdateExpression: "SET lowStock = :yes",
        ConditionExpression: "attribute_exists(productId)",
        ExpressionAttributeValues: { ":yes": true },
      }),
    );
  }
}

/** The shares of `total` over `buckets`: even, the remainder to the first. */
function evenShares(total: number, buckets: number): number[] {
  const share = Math.floor(total / buckets);
  return bucketNumbers(buckets).map((k) => (k === 0 ? total - share * (buckets - 1) : share));
}

/** The numbers of `count` buckets: 0 to count - 1. */
export function bucketNumbers(count: number): number[] {
  return Array.from({ length: count }, (_, k) => k);
}

/**
 * The key of bucket `bucket` of a hot product's stock: an item of the products table with
 * a partition key of its own. No product id holds `#` (productIdSchema), so none can be
 * mistaken for a bucket. Its `bucketOf` names the product, and it has no category: it is
 * in no category index, and the scans filter it out.
 */
export function stockBucketKey(productId: string, bucket: number): string {
  return `${productId}#stock#${bucket}`;
}

/** An item of the products table that is a stock bucket, not a product. */
export function isStockBucket(item: Record<string, unknown>): boolean {
  return item.bucketOf !== undefined;
}

const stockBucketSchema = z.object({
  productId: z.string(),
  bucketOf: z.string(),
  // A retired bucket (of a product spread over fewer buckets since) has none.
  stock: z.number().int().optional(),
});

export function stockBucketFromItem(
  item: Record<string, unknown>,
): z.infer<typeof stockBucketSchema> {
  const parsed = stockBucketSchema.safeParse(item);
  if (!parsed.success) {
    throw new CorruptRecordError(`stock bucket ${String(item.productId)} is malformed`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** A product item as read, its `stock` the sum of its buckets if it is hot, and each bucket's. */
export interface StockView {
  readonly item: Record<string, unknown>;
  /** A hot product's stock, bucket by bucket. */
  readonly buckets?: readonly number[];
}

/** A product whose buckets keep being read across moves of its stock gives up after this. */
const MAX_STOCK_READS = 5;

/**
 * The product items, each hot one's `stock` the sum of its buckets: one BatchGetItem for the
 * buckets of them all, consistent if the items were read consistently, so the sum is as
 * fresh as the rest of the product. A move of the stock (relayStock) between the product's
 * read and its buckets' shows as a bucket of another layout than the product's, or retired:
 * that product is read again, so a sum is never half of one layout and half of another.
 */
export async function withBucketStock(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Record<string, unknown>[],
  consistent: boolean,
): Promise<StockView[]> {
  const views = new Map<unknown, StockView>(items.map((item) => [item.productId, { item }]));
  let hot = items.filter((item) => typeof item.stockBuckets === "number");
  for (let read = 1; hot.length > 0; read++) {
    if (read > MAX_STOCK_READS) {
      throw new ContentionError(`the stock of ${String(hot[0]?.productId)} kept moving`);
    }
    const keys = hot.flatMap((item) =>
      bucketNumbers(Number(item.stockBuckets)).map((k) => ({
        productId: stockBucketKey(String(item.productId), k),
      })),
    );
    // Read again after a move, the product and its buckets are read consistently: an
    // eventually consistent read might go on showing the product from before the move.
    const fresh = consistent || read > 1;
    const found = new Map(
      (await batchGetItems(client, tableName, keys, fresh)).map((bucket) => [
        bucket.productId,
        bucket,
      ]),
    );
    const moved: Record<string, unknown>[] = [];
    for (const item of hot) {
      const productId = String(item.productId);
      const buckets = bucketNumbers(Number(item.stockBuckets)).map((k) =>
        found.get(stockBucketKey(productId, k)),
      );
      const layout = item.stockLayout;
      if (buckets.every((b) => typeof b?.stock === "number" && b.layout === layout)) {
        const stock = buckets.map((b) => Number(b?.stock));
        const total = stock.reduce((sum, units) => sum + units, 0);
        views.set(item.productId, { item: { ...item, stock: total }, buckets: stock });
      } else {
        moved.push(item);
      }
    }
    if (moved.length === 0) break;
    const again = await batchGetItems(
      client,
      tableName,
      moved.map((item) => ({ productId: item.productId })),
      true,
    );
    for (const item of again) views.set(item.productId, { item });
    hot = again.filter((item) => typeof item.stockBuckets === "number");
  }
  // A product gone between the reads is left out, as if it had not been there.
  return items.flatMap((item) => {
    const view = views.get(item.productId);
    return view ? [view] : [];
  });
}

/**
 * The items of `keys` that exist, read in BatchGetItem requests of up to 100 keys, with the
 * keys DynamoDB leaves unprocessed (under throttling) asked again after a pause.
 */
export async function batchGetItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
  consistent: boolean,
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT) {
    let batch = keys.slice(start, start + BATCH_GET_LIMIT);
    for (let round = 0; batch.length > 0; round++) {
      if (round === MAX_BATCH_ROUNDS) {
        throw new Error(`items still unprocessed after ${round} BatchGetItem rounds`);
      }
      if (round > 0) await sleep(25 * 2 ** round);
      const result = await client.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: [...batch], ConsistentRead: consistent } },
        }),
      );
      found.push(...(result.Responses?.[tableName] ?? []));
      batch = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return found;
}

/**
 * What a transaction whose first write is a product's conditional update came to: the
 * product there but no longer as expected, or not there at all.
 */
function productWrite(outcome: Awaited<ReturnType<typeof transactWrite>>): CatalogWrite {
  if (outcome === "written") return "written";
  return outcome[0]?.Item ? "conditionFailed" : "notFound";
}

/** Catalog changes are few (admins make them): one partition of the owed index holds them all. */
const OWED_SHARD = "owed";
const OWED_INDEX = productHistoryTable.globalSecondaryIndexes[0].indexName;

const productStateSchema = z.object({
  name: z.string(),
  description: z.string(),
  category: z.string(),
  brand: z.string(),
  priceCents: z.number(),
  currency: z.string(),
  archived: z.boolean(),
});

const historyItemSchema = z.object({
  productId: z.string(),
  entryId: z.string(),
  at: z.string(),
  actor: z.string(),
  change: z.enum(["CREATED", "UPDATED", "ARCHIVED", "STOCK_ADJUSTED", "STOCK_SPREAD"]),
  summary: z.string(),
  before: productStateSchema.optional(),
  after: productStateSchema,
  stockBefore: z.number().optional(),
  stockAfter: z.number().optional(),
  reason: z.string().optional(),
  event: z.unknown(),
});

function historyEntryFromItem(item: Record<string, unknown>): ProductHistoryEntry {
  const parsed = historyItemSchema.safeParse(item);
  if (!parsed.success) {
    throw new CorruptRecordError(`history entry ${String(item.entryId)} is malformed`, {
      cause: parsed.error,
    });
  }
  const event: ShopEvent = shopEventSchema.parse(parsed.data.event);
  return { ...parsed.data, event };
}

/** Each product's catalog changes, and the events they still owe. */
export class DynamoProductHistoryRepository implements ProductHistoryRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async history(productId: string): Promise<readonly ProductHistoryEntry[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: "productId = :productId",
      ExpressionAttributeValues: { ":productId": productId },
    });
    return items.map(historyEntryFromItem);
  }

  async markPublished(productId: string, entryId: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { productId, entryId },
        UpdateExpression: "REMOVE owedShard, owedSince",
      }),
    );
  }

  async *owingSince(instant: string): AsyncIterable<ProductHistoryEntry> {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: OWED_INDEX,
          KeyConditionExpression: "owedShard = :shard AND owedSince < :instant",
          ExpressionAttributeValues: { ":shard": OWED_SHARD, ":instant": instant },
          ExclusiveStartKey,
        }),
      );
      for (const key of page.Items ?? []) {
        const { Item } = await this.client.send(
          new GetCommand({
            TableName: this.tableName,
            Key: { productId: key.productId, entryId: key.entryId },
            ConsistentRead: true,
          }),
        );
        // Published since the index was read: nothing owed any more.
        if (Item?.owedShard) yield historyEntryFromItem(Item);
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
}
