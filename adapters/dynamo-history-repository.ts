import { type DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import type { OrderHistoryEntry } from "../core/orders/order";
import type { OrderHistoryRepository } from "../core/orders/ports";
import { queryAll } from "./query-all";

const entrySchema = z.object({
  orderId: z.string(),
  entryId: z.string(),
  at: z.string(),
  actor: z.string(),
  change: z.enum(["CREATED", "STATUS_CHANGED", "FRAUD_ASSESSED", "STOCK_RELEASED", "DELETED"]),
  summary: z.string(),
  fromStatus: z.string().optional(),
  toStatus: z.string().optional(),
});

export class DynamoHistoryRepository implements OrderHistoryRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async append(entry: OrderHistoryEntry): Promise<void> {
    // Keyed by order and version: a redelivered stream record writes the same item again.
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...entry } }));
  }

  async list(orderId: string): Promise<readonly OrderHistoryEntry[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: "orderId = :orderId",
      ExpressionAttributeValues: { ":orderId": orderId },
    });
    return items.map((item) => entrySchema.parse(item));
  }
}
