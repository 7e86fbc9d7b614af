import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../local/emulators/local-aws";
import { createTestShop, type TestShop } from "../../test/support/test-shop";
import { CapacityMeter } from "./capacity-meter";

let shop: TestShop;
let client: DynamoDBClient;
let document: DynamoDBDocumentClient;
let meter: CapacityMeter;

beforeAll(async () => {
  shop = await createTestShop();
  const { products, analytics } = shop.provisioned.tableNames;
  meter = new CapacityMeter((table) =>
    table === products
      ? { keys: ["productId"], indexes: { byCategoryListing: "category" } }
      : table === analytics
        ? { keys: ["pk", "sk"], indexes: {} }
        : undefined,
  );
  client = new DynamoDBClient({
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoint: shop.endpoints.dynamodb,
  });
  document = DynamoDBDocumentClient.from(client);
  meter.attach(client);
});
afterAll(() => {
  client?.destroy();
  shop?.destroy();
});

const load = (key: string, index?: string) =>
  meter.loadsByKey().find((l) => l.key === key && l.index === index);

describe("the capacity meter", () => {
  it("books each request's consumed capacity on the partition keys it names, index keys included", async () => {
    const { products, analytics } = shop.provisioned.tableNames;
    await document.send(
      new PutCommand({
        TableName: products,
        Item: { productId: "metered", category: "Garden", name: "x", stock: 5 },
      }),
    );
    // An update that does not set the index key: booked on the key the item was last seen with.
    await document.send(
      new UpdateCommand({
        TableName: products,
        Key: { productId: "metered" },
        UpdateExpression: "SET archived = :no",
        ExpressionAttributeValues: { ":no": false },
      }),
    );
    await document.send(
      new TransactWriteCommand({
        TransactItems: ["a", "b"].map((sk) => ({
          Update: {
            TableName: analytics,
            Key: { pk: "DAY#2026-11-24#3", sk },
            UpdateExpression: "ADD orders :one",
            ExpressionAttributeValues: { ":one": 1 },
          },
        })),
      }),
    );
    await document.send(
      new QueryCommand({
        TableName: products,
        IndexName: "byCategoryListing",
        KeyConditionExpression: "category = :c",
        ExpressionAttributeValues: { ":c": "Garden" },
      }),
    );

    expect(load("metered")?.write).toBeGreaterThanOrEqual(2);
    expect(load("Garden", "byCategoryListing")?.write).toBeGreaterThanOrEqual(2);
    expect(load("Garden", "byCategoryListing")?.read).toBeGreaterThan(0);
    // Two items created in a transaction: at least two units each, on their one key.
    expect(load("DAY#2026-11-24#3")?.write).toBeGreaterThanOrEqual(4);
    expect(meter.requests.get("TransactWriteItems")).toBe(1);
  });
});
