import { setTimeout as sleep } from "node:timers/promises";
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import type {
  CatalogAdminRepository,
  CatalogWrite,
  LowStockFlagger,
  ProductHistoryRepository,
} from "../core/catalog/ports";
import type { Product } from "../core/catalog/product";
import type { ProductHistoryEntry } from "../core/catalog/product-history";
import { CorruptRecordError, InvalidCursorError, InvalidInputError } from "../core/shared/errors";
import { type ShopEvent, shopEventSchema } from "../core/shared/events";
import { type Page, type PageRequest, readBackward } from "../core/shared/page";
import { decodeCursor, toPage } from "./cursor";
import { queryAll } from "./query-all";
import { productHistoryTable, productsTable } from "./table-definitions";
import { transactWrite } from "./transactions";

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
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { productId } }),
    );
    return Item ? productFromItem(Item) : undefined;
  }

  async getProducts(productIds: readonly string[]): Promise<ReadonlyMap<string, Product>> {
    const found = new Map<string, Product>();
    const unique = [...new Set(productIds)];
    for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
      let keys: Record<string, unknown>[] = unique
        .slice(start, start + BATCH_GET_LIMIT)
        .map((productId) => ({ productId }));
      for (let round = 0; keys.length > 0; round++) {
        if (round === MAX_BATCH_ROUNDS) {
          throw new Error(`products still unprocessed after ${round} BatchGetItem rounds`);
        }
        if (round > 0) await sleep(25 * 2 ** round);
        const result = await this.client.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } },
          }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          const product = productFromItem(item);
          found.set(product.productId, product);
        }
        keys = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found;
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
        : await this.client.send(new ScanCommand(common));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
      if (!startKey) break;
    }
    const read = byCategory
      ? await this.categoryPage(items, size)
      : toPage(items, size, keyNames, productFromItem);
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
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { productId }, ConsistentRead: true }),
    );
    return Item ? productFromItem(Item) : undefined;
  }

  async *allProducts(): AsyncIterable<readonly Product[]> {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ExclusiveStartKey }),
      );
      const products = (page.Items ?? []).map(productFromItem);
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
            ConditionExpression: "attribute_exists(productId) AND stock = :expected",
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
    return productWrite(outcome);
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
  change: z.enum(["CREATED", "UPDATED", "ARCHIVED", "STOCK_ADJUSTED"]),
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
