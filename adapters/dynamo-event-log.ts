import { type DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { EventHandling, EventLog } from "../core/orders/ports";
import { queryAll } from "./query-all";

/** Entries are kept a month: long enough to explain an order, short enough to stay small. */
const RETENTION_SECONDS = 30 * 24 * 60 * 60;

export class DynamoEventLog implements EventLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(entry: EventHandling): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...entry,
          entryId: `${entry.at}#${entry.consumer}#${entry.eventId}#${entry.outcome}`,
          expiresAt: Math.floor(Date.parse(entry.at) / 1000) + RETENTION_SECONDS,
        },
      }),
    );
  }

  async forOrder(orderId: string): Promise<readonly EventHandling[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: "orderId = :orderId",
      ExpressionAttributeValues: { ":orderId": orderId },
    });
    return items.map((item) => ({
      orderId: String(item.orderId),
      at: String(item.at),
      consumer: String(item.consumer),
      eventId: String(item.eventId),
      eventType: String(item.eventType),
      outcome: item.outcome as EventHandling["outcome"],
      ...(typeof item.detail === "string" ? { detail: item.detail } : {}),
    }));
  }
}
