import { setTimeout as sleep } from "node:timers/promises";
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import type { LowStockFlagger, ProductRepository } from "../core/catalog/ports";
import type { Product } from "../core/catalog/product";
import { CorruptRecordError } from "../core/shared/errors";
import type { Page, PageRequest } from "../core/shared/page";
import { decodeCursor, toPage } from "./cursor";
import { productsTable } from "./table-definitions";

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

export class DynamoProductRepository implements ProductRepository, LowStockFlagger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
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

  async listProducts(request: PageRequest & { category?: string }): Promise<Page<Product>> {
    // One extra item tells whether another page exists, so the last page has no cursor.
    const limit = request.first + 1;
    if (request.category !== undefined) {
      const { Items = [] } = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: CATEGORY_INDEX.indexName,
          KeyConditionExpression: "category = :category",
          ExpressionAttributeValues: { ":category": request.category },
          Limit: limit,
          ...(request.after
            ? { ExclusiveStartKey: decodeCursor(request.after, CATEGORY_KEY) }
            : {}),
        }),
      );
      return toPage(Items, request.first, CATEGORY_KEY, productFromItem);
    }
    const { Items = [] } = await this.client.send(
      new ScanCommand({
        TableName: this.tableName,
        Limit: limit,
        ...(request.after ? { ExclusiveStartKey: decodeCursor(request.after, TABLE_KEY) } : {}),
      }),
    );
    return toPage(Items, request.first, TABLE_KEY, productFromItem);
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
