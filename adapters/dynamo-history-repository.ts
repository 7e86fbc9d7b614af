import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import type { OrderHistoryEntry } from "../core/order";
import type { OrderHistoryRepository } from "../core/ports";

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
    const entries: OrderHistoryEntry[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "orderId = :orderId",
          ExpressionAttributeValues: { ":orderId": orderId },
          ExclusiveStartKey,
        }),
      );
      entries.push(...(page.Items ?? []).map((item) => entrySchema.parse(item)));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return entries;
  }
}
