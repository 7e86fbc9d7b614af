import { setTimeout as sleep } from "node:timers/promises";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import type { LiveConnection, LiveSubscription, SubscriptionStore } from "../core/live/ports";
import { CorruptRecordError } from "../core/shared/errors";
import type { Viewer } from "../core/shared/viewer";
import { queryAll } from "./query-all";
import { liveSubscriptionsTable } from "./table-definitions";

const CONNECTION_SK = "connection";
const SUBSCRIPTION_PREFIX = "sub#";
const TOPIC_INDEX = liveSubscriptionsTable.globalSecondaryIndexes[0].indexName;
/** DynamoDB's most requests in one BatchWriteItem. */
const BATCH_SIZE = 25;

const viewerSchema: z.ZodType<Viewer> = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("anonymous") }),
  z.object({ kind: z.literal("customer"), customerId: z.string() }),
  z.object({ kind: z.literal("admin"), subject: z.string() }),
]);

const connectionItemSchema = z.object({
  connectionId: z.string(),
  connectedAt: z.string(),
  acknowledged: z.boolean(),
  viewer: viewerSchema.optional(),
  expiresAt: z.number(),
});

/**
 * Variables are kept as JSON text: a client's may hold numbers that a DynamoDB number would
 * not give back exactly, or not at all.
 */
const variablesSchema = z
  .string()
  .transform((text, context) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      context.addIssue({ code: "custom", message: "not JSON" });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string(), z.unknown()));

const subscriptionItemSchema = z.object({
  connectionId: z.string(),
  operationId: z.string(),
  topic: z.string(),
  query: z.string(),
  variables: variablesSchema.optional(),
  operationName: z.string().optional(),
  viewer: viewerSchema,
  expiresAt: z.number(),
});

function parse<T>(schema: z.ZodType<T>, item: Record<string, unknown>, what: string): T {
  const parsed = schema.safeParse(item);
  if (!parsed.success) {
    throw new CorruptRecordError(`${what} is malformed`, { cause: parsed.error });
  }
  return parsed.data;
}

function subscriptionFromItem(item: Record<string, unknown>): LiveSubscription {
  return parse(
    subscriptionItemSchema,
    item,
    `live subscription ${String(item.connectionId)}/${String(item.sk)}`,
  );
}

/** A viewer as a map of its own fields, whatever else the object carries. */
function viewerItem(viewer: Viewer): Record<string, string> {
  return { ...viewerSchema.parse(viewer) };
}

/**
 * The live-updates store over one DynamoDB table (`liveSubscriptionsTable`): a connection is
 * a partition, its own item under `connection` and its subscriptions under `sub#<id>`, so one
 * query finds everything to delete when it closes.
 */
export class DynamoSubscriptionStore implements SubscriptionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putConnection(connection: LiveConnection): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          connectionId: connection.connectionId,
          sk: CONNECTION_SK,
          connectedAt: connection.connectedAt,
          acknowledged: connection.acknowledged,
          ...(connection.viewer ? { viewer: viewerItem(connection.viewer) } : {}),
          expiresAt: connection.expiresAt,
        },
      }),
    );
  }

  async getConnection(connectionId: string): Promise<LiveConnection | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { connectionId, sk: CONNECTION_SK },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const { viewer, ...connection } = parse(
      connectionItemSchema,
      Item,
      `live connection ${connectionId}`,
    );
    return viewer ? { ...connection, viewer } : connection;
  }

  async deleteConnection(connectionId: string): Promise<void> {
    const keys = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: "connectionId = :connectionId",
      ExpressionAttributeValues: { ":connectionId": connectionId },
      ProjectionExpression: "connectionId, sk",
      ConsistentRead: true,
    });
    for (let start = 0; start < keys.length; start += BATCH_SIZE) {
      let requests = keys
        .slice(start, start + BATCH_SIZE)
        .map((key) => ({ DeleteRequest: { Key: { connectionId, sk: key.sk } } }));
      // DynamoDB may leave part of a batch for later when it is busy: those are sent again.
      for (let round = 0; requests.length > 0; round++) {
        if (round > 0) await sleep(Math.min(1000, 50 * 2 ** round));
        const { UnprocessedItems } = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }),
        );
        requests = (UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      }
    }
  }

  async putSubscription(subscription: LiveSubscription): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            connectionId: subscription.connectionId,
            sk: `${SUBSCRIPTION_PREFIX}${subscription.operationId}`,
            operationId: subscription.operationId,
            topic: subscription.topic,
            query: subscription.query,
            ...(subscription.variables !== undefined
              ? { variables: JSON.stringify(subscription.variables) }
              : {}),
            ...(subscription.operationName !== undefined
              ? { operationName: subscription.operationName }
              : {}),
            viewer: viewerItem(subscription.viewer),
            expiresAt: subscription.expiresAt,
          },
          // The client picks operation ids: reusing one must not replace its subscription.
          ConditionExpression: "attribute_not_exists(sk)",
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async deleteSubscription(connectionId: string, operationId: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { connectionId, sk: `${SUBSCRIPTION_PREFIX}${operationId}` },
      }),
    );
  }

  async subscriptionsCount(connectionId: string): Promise<number> {
    let count = 0;
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "connectionId = :connectionId AND begins_with(sk, :sub)",
          ExpressionAttributeValues: { ":connectionId": connectionId, ":sub": SUBSCRIPTION_PREFIX },
          Select: "COUNT",
          // Two subscribes in quick succession must each see the other.
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      count += page.Count ?? 0;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return count;
  }

  async *subscriptionsTo(topic: string): AsyncIterable<LiveSubscription> {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TOPIC_INDEX,
          KeyConditionExpression: "#topic = :topic",
          ExpressionAttributeNames: { "#topic": "topic" },
          ExpressionAttributeValues: { ":topic": topic },
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) yield subscriptionFromItem(item);
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
}
