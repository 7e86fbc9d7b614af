/**
 * The raw baseline: a bare Node HTTP handler doing the same DynamoDB reads and writes and
 * the same SNS publish as the shop (for an order: the products' BatchGetItem, the
 * TransactWriteItems, the publish, and the write that clears the published event), with the same SDK clients, and nothing else: no
 * GraphQL, no validation beyond parsing, no middleware. What the shop costs is measured
 * against this.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { PublishCommand } from "@aws-sdk/client-sns";
import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { createApiClients, loadApiConfig } from "../../api/api-config";
import { answerCpu } from "./cpu";

// The api function's environment, tables and topic, and the same SDK clients.
const config = loadApiConfig(process.env);
const clients = createApiClients(config);
const dynamodb = clients.dynamodb.document;
const { sns } = clients;
const products = config.tables.products;

const send = (response: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
};

async function scanAll(limit?: number) {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({ TableName: products, Limit: limit ?? 100, ExclusiveStartKey }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = limit ? undefined : page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function handle(request: IncomingMessage, response: ServerResponse) {
  const url = request.url ?? "/";
  if (request.method === "GET" && url === "/products") {
    const items = await scanAll();
    return send(response, 200, { products: items, count: items.length });
  }
  if (request.method === "GET" && url.startsWith("/products/")) {
    const { Item } = await dynamodb.send(
      new GetCommand({ TableName: products, Key: { productId: url.slice(10) } }),
    );
    return Item ? send(response, 200, Item) : send(response, 404, { error: "Product not found" });
  }
  if (request.method === "GET" && url.startsWith("/orders?customer_id=")) {
    // A customer's 100 most recent orders, as GET /orders reads them.
    const { Items = [] } = await dynamodb.send(
      new QueryCommand({
        TableName: config.tables.orders,
        IndexName: "byCustomer",
        KeyConditionExpression: "customerId = :c",
        ExpressionAttributeValues: { ":c": decodeURIComponent(url.slice(20)) },
        ScanIndexForward: false,
        Limit: 100,
      }),
    );
    return send(response, 200, { orders: Items, count: Items.length });
  }
  if (request.method === "POST" && url === "/graphql") {
    // The same read as the GraphQL products query (first 20), without GraphQL.
    return send(response, 200, { data: { products: { edges: (await scanAll(21)).slice(0, 20) } } });
  }
  if (request.method === "POST" && url === "/orders") {
    const input = JSON.parse(await body(request)) as {
      customer_id: string;
      items: { product_id: string; quantity: number }[];
    };
    const orderId = randomUUID();
    // The products, read consistently, as the shop prices an order from them.
    await dynamodb.send(
      new BatchGetCommand({
        RequestItems: {
          [products]: {
            Keys: [...new Set(input.items.map((line) => line.product_id))].map((productId) => ({
              productId,
            })),
            ConsistentRead: true,
          },
        },
      }),
    );
    const now = new Date().toISOString();
    await dynamodb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: config.tables.orders,
              Item: {
                orderId,
                customerId: input.customer_id,
                status: "PENDING",
                // The shop's order shape; prices are not looked up (that is the shop's extra work).
                items: input.items.map((line) => ({
                  productId: line.product_id,
                  productName: line.product_id,
                  quantity: line.quantity,
                  unitPriceCents: 0,
                  lineTotalCents: 0,
                })),
                createdAt: now,
                updatedAt: now,
                version: 1,
                totalCents: 0,
                currency: "USD",
                // The event the order owes until it is published, as the shop writes it.
                owed: { [orderId]: { eventType: "baseline", orderId } },
              },
              ConditionExpression: "attribute_not_exists(orderId)",
            },
          },
          ...input.items.map((line) => ({
            Update: {
              TableName: products,
              Key: { productId: line.product_id },
              UpdateExpression: "SET stock = stock - :q",
              ConditionExpression: "stock >= :q",
              ExpressionAttributeValues: { ":q": line.quantity },
            },
          })),
        ],
      }),
    );
    await sns.send(
      new PublishCommand({
        TopicArn: config.orderEventsTopicArn,
        Message: JSON.stringify({ orderId, baseline: true }),
        MessageAttributes: { event_type: { DataType: "String", StringValue: "baseline" } },
      }),
    );
    // Published: the order no longer owes it (not awaited, as the shop does not await it).
    void dynamodb
      .send(
        new UpdateCommand({
          TableName: config.tables.orders,
          Key: { orderId },
          UpdateExpression: "REMOVE owed",
        }),
      )
      .catch(() => {});
    return send(response, 201, { order_id: orderId, status: "PENDING" });
  }
  return send(response, 404, { error: "Not found" });
}

const server = createServer((request, response) => {
  if (answerCpu(request, response)) return;
  handle(request, response).catch((error: unknown) =>
    send(response, 500, { error: String(error) }),
  );
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT), "127.0.0.1", () => process.send?.("ready"));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
