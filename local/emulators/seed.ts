import { setTimeout as sleep } from "node:timers/promises";
import { BatchWriteCommand, type DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { type SeedProduct, seedProducts } from "./seed-data";

/**
 * Writes the sample catalog when the products table is empty, and leaves a catalog that
 * has anything in it alone. Returns how many products it wrote.
 */
export async function seedCatalogIfEmpty(
  client: DynamoDBDocumentClient,
  tableName: string,
  products: readonly SeedProduct[] = seedProducts(new Date().toISOString()),
): Promise<number> {
  const { Items } = await client.send(new ScanCommand({ TableName: tableName, Limit: 1 }));
  if (Items && Items.length > 0) return 0;
  await putProducts(client, tableName, products);
  return products.length;
}

/** Writes products in batches of 25, retrying what DynamoDB leaves unprocessed. */
export async function putProducts(
  client: DynamoDBDocumentClient,
  tableName: string,
  products: readonly SeedProduct[],
): Promise<void> {
  for (let start = 0; start < products.length; start += 25) {
    let requests = products
      .slice(start, start + 25)
      .map((product) => ({ PutRequest: { Item: { ...product } } }));
    for (let round = 0; requests.length > 0; round++) {
      if (round > 0) await sleep(50 * round);
      const result = await client.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
      );
      requests = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  }
}
