import { randomUUID } from "node:crypto";
import { DescribeTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LiveConnection, LiveSubscription } from "../core/live/ports";
import { CorruptRecordError } from "../core/shared/errors";
import type { Viewer } from "../core/shared/viewer";
import { createTestShop, type TestShop } from "../test/support/test-shop";
import { DynamoSubscriptionStore } from "./dynamo-subscription-store";

let shop: TestShop;
let store: DynamoSubscriptionStore;
let tableName: string;

const alice: Viewer = { kind: "customer", customerId: "alice" };
const admin: Viewer = { kind: "admin", subject: "ops" };

function aConnection(overrides: Partial<LiveConnection> = {}): LiveConnection {
  return {
    connectionId: `conn-${randomUUID()}`,
    connectedAt: "2026-01-01T00:00:00.000Z",
    acknowledged: false,
    expiresAt: 1_767_232_800,
    ...overrides,
  };
}

function aSubscription(
  connectionId: string,
  overrides: Partial<LiveSubscription> = {},
): LiveSubscription {
  return {
    connectionId,
    operationId: randomUUID(),
    topic: "order#o-1",
    query: "subscription { orderUpdated(orderId: $id) { status } }",
    viewer: alice,
    expiresAt: 1_767_232_800,
    ...overrides,
  };
}

async function collect(topic: string): Promise<LiveSubscription[]> {
  const found: LiveSubscription[] = [];
  for await (const subscription of store.subscriptionsTo(topic)) found.push(subscription);
  return found;
}

async function itemsOf(connectionId: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await shop.local.document.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "connectionId = :c",
      ExpressionAttributeValues: { ":c": connectionId },
      ConsistentRead: true,
    }),
  );
  return Items;
}

beforeAll(async () => {
  shop = await createTestShop();
  tableName = shop.provisioned.tableNames.liveSubscriptions;
  store = new DynamoSubscriptionStore(shop.local.document, tableName);
});
afterAll(() => shop.destroy());

describe("DynamoSubscriptionStore connections", () => {
  it("stores a connection before and after it signs in, the viewer as a plain map", async () => {
    const connection = aConnection();
    await store.putConnection(connection);
    expect(await store.getConnection(connection.connectionId)).toEqual(connection);

    const acknowledged = { ...connection, acknowledged: true, viewer: alice };
    await store.putConnection(acknowledged);
    expect(await store.getConnection(connection.connectionId)).toEqual(acknowledged);

    const { Item } = await shop.local.document.send(
      new GetCommand({
        TableName: tableName,
        Key: { connectionId: connection.connectionId, sk: "connection" },
      }),
    );
    expect(Item).toEqual({
      connectionId: connection.connectionId,
      sk: "connection",
      connectedAt: connection.connectedAt,
      acknowledged: true,
      viewer: { kind: "customer", customerId: "alice" },
      expiresAt: connection.expiresAt,
    });
  });

  it("answers undefined for a connection it does not hold", async () => {
    expect(await store.getConnection("never-connected")).toBeUndefined();
  });

  it("expires its items by the attribute the table's TTL reads", async () => {
    const { TimeToLiveDescription } = await shop.local.dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: tableName }),
    );
    expect(TimeToLiveDescription?.AttributeName).toBe("expiresAt");
    const connection = aConnection();
    await store.putConnection(connection);
    await store.putSubscription(aSubscription(connection.connectionId));
    for (const item of await itemsOf(connection.connectionId)) {
      expect(item.expiresAt).toBe(connection.expiresAt);
    }
  });

  it("removes the connection and every subscription it holds, past one batch, and nothing else", async () => {
    const closing = aConnection({ acknowledged: true, viewer: alice });
    const staying = aConnection({ acknowledged: true, viewer: admin });
    await store.putConnection(closing);
    await store.putConnection(staying);
    // More than one BatchWriteItem takes (25).
    for (let i = 0; i < 30; i++) {
      expect(await store.putSubscription(aSubscription(closing.connectionId))).toBe(true);
    }
    await store.putSubscription(aSubscription(staying.connectionId, { viewer: admin }));
    expect(await itemsOf(closing.connectionId)).toHaveLength(31);

    await store.deleteConnection(closing.connectionId);

    expect(await itemsOf(closing.connectionId)).toEqual([]);
    expect(await store.getConnection(closing.connectionId)).toBeUndefined();
    expect(await store.getConnection(staying.connectionId)).toEqual(staying);
    expect(await store.subscriptionsCount(staying.connectionId)).toBe(1);
  });

  it("deletes a connection that is gone already without complaint", async () => {
    await expect(store.deleteConnection("never-connected")).resolves.toBeUndefined();
  });

  it("says a stored connection that does not have its shape is corrupt", async () => {
    await shop.local.document.send(
      new PutCommand({
        TableName: tableName,
        Item: { connectionId: "broken", sk: "connection", acknowledged: "yes" },
      }),
    );
    await expect(store.getConnection("broken")).rejects.toBeInstanceOf(CorruptRecordError);
  });
});

describe("DynamoSubscriptionStore subscriptions", () => {
  it("keeps what the notifier needs to run the operation again, variables exactly", async () => {
    const connection = aConnection();
    const subscription = aSubscription(connection.connectionId, {
      topic: `order#${randomUUID()}`,
      operationName: "Watch",
      // Numbers no DynamoDB number maps back to a JavaScript number are kept as sent.
      variables: { id: "o-1", nested: { list: [1.5, null, "x"] }, big: 1e20 },
    });
    expect(await store.putSubscription(subscription)).toBe(true);
    expect(await collect(subscription.topic)).toEqual([subscription]);
  });

  it("refuses a second subscription with the same id on one connection, and keeps the first", async () => {
    const connection = aConnection();
    const first = aSubscription(connection.connectionId, { topic: `order#${randomUUID()}` });
    expect(await store.putSubscription(first)).toBe(true);
    expect(
      await store.putSubscription({ ...first, query: "subscription { myOrders { status } }" }),
    ).toBe(false);
    expect(await collect(first.topic)).toEqual([first]);
    expect(await store.subscriptionsCount(connection.connectionId)).toBe(1);
  });

  it("takes the same operation id on another connection", async () => {
    const operationId = "1";
    const topic = `order#${randomUUID()}`;
    const one = aSubscription(aConnection().connectionId, { operationId, topic });
    const two = aSubscription(aConnection().connectionId, { operationId, topic, viewer: admin });
    expect(await store.putSubscription(one)).toBe(true);
    expect(await store.putSubscription(two)).toBe(true);
    expect(
      (await collect(topic)).sort((a, b) => a.connectionId.localeCompare(b.connectionId)),
    ).toEqual([one, two].sort((a, b) => a.connectionId.localeCompare(b.connectionId)));
  });

  it("counts a connection's subscriptions, not the connection itself", async () => {
    const connection = aConnection();
    await store.putConnection(connection);
    expect(await store.subscriptionsCount(connection.connectionId)).toBe(0);
    const subscriptions = [1, 2, 3].map(() => aSubscription(connection.connectionId));
    for (const subscription of subscriptions) await store.putSubscription(subscription);
    expect(await store.subscriptionsCount(connection.connectionId)).toBe(3);

    await store.deleteSubscription(connection.connectionId, subscriptions[0]!.operationId);
    expect(await store.subscriptionsCount(connection.connectionId)).toBe(2);
    // Completing an operation twice (or one never started) changes nothing.
    await store.deleteSubscription(connection.connectionId, subscriptions[0]!.operationId);
    await store.deleteSubscription(connection.connectionId, "never-started");
    expect(await store.subscriptionsCount(connection.connectionId)).toBe(2);
    expect(await store.getConnection(connection.connectionId)).toEqual(connection);
  });

  it("finds a topic's subscribers across connections, and only that topic's", async () => {
    const orderTopic = `order#${randomUUID()}`;
    const customerTopic = `customer#${randomUUID()}`;
    const watching = [1, 2, 3].map(() =>
      aSubscription(aConnection().connectionId, { topic: orderTopic }),
    );
    const other = aSubscription(watching[0]!.connectionId, { topic: customerTopic });
    for (const subscription of [...watching, other]) await store.putSubscription(subscription);

    const found = await collect(orderTopic);
    expect(found.map((s) => s.operationId).sort()).toEqual(
      watching.map((s) => s.operationId).sort(),
    );
    expect(await collect(customerTopic)).toEqual([other]);
    expect(await collect(`order#${randomUUID()}`)).toEqual([]);
  });

  it("reads every page of a topic's subscribers", async () => {
    const topic = `order#${randomUUID()}`;
    // 40 subscriptions of 30 KB each: more than the 1 MB a query returns in one page.
    const query = `subscription { orderUpdated(orderId: "o-1") { status } }${" ".repeat(30_000)}`;
    const written = new Set<string>();
    await Promise.all(
      Array.from({ length: 40 }, async () => {
        const subscription = aSubscription(aConnection().connectionId, { topic, query });
        written.add(subscription.operationId);
        await store.putSubscription(subscription);
      }),
    );
    const firstPage = await shop.local.document.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: "byTopic",
        KeyConditionExpression: "#topic = :topic",
        ExpressionAttributeNames: { "#topic": "topic" },
        ExpressionAttributeValues: { ":topic": topic },
      }),
    );
    expect(firstPage.LastEvaluatedKey).toBeDefined();

    const found = await collect(topic);
    expect(found).toHaveLength(40);
    expect(new Set(found.map((s) => s.operationId))).toEqual(written);
  });

  it("says a stored subscription that does not have its shape is corrupt", async () => {
    const topic = `order#${randomUUID()}`;
    await shop.local.document.send(
      new PutCommand({
        TableName: tableName,
        Item: { connectionId: "broken", sk: "sub#1", topic, query: "subscription { x }" },
      }),
    );
    await expect(collect(topic)).rejects.toBeInstanceOf(CorruptRecordError);
  });

  it("says stored variables that are not a JSON object are corrupt", async () => {
    for (const variables of ["{not json", "[1, 2]"]) {
      const subscription = aSubscription("broken-variables", { topic: `order#${randomUUID()}` });
      await store.putSubscription(subscription);
      await shop.local.document.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { connectionId: "broken-variables", sk: `sub#${subscription.operationId}` },
          UpdateExpression: "SET variables = :v",
          ExpressionAttributeValues: { ":v": variables },
        }),
      );
      await expect(collect(subscription.topic), variables).rejects.toBeInstanceOf(
        CorruptRecordError,
      );
    }
  });
});
