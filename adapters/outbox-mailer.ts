import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { EmailMessage, SentEmail } from "../core/notifications/order-email";
import type { Mailer, SentEmailReader } from "../core/notifications/ports";

/**
 * The mail outbox: one item per (order, event type), written with a condition so a
 * message exists once however often its event arrives. Locally it is the mailer itself
 * (a person reads the outbox); in the cloud the SES mailer records each message here too.
 */
export class MailOutbox implements SentEmailReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Claims the (order, event type) slot; false when a message is already there. With
   * `retryUnsent`, a slot whose sending never completed may be claimed again.
   */
  async claim(
    message: EmailMessage,
    via: string,
    options: { retryUnsent?: boolean } = {},
  ): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...message, sentAt: new Date().toISOString(), via, delivered: via === "outbox" },
          ConditionExpression: options.retryUnsent
            ? "attribute_not_exists(orderId) OR delivered = :no"
            : "attribute_not_exists(orderId)",
          ...(options.retryUnsent ? { ExpressionAttributeValues: { ":no": false } } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Records that the mail service accepted the message. */
  async markDelivered(message: EmailMessage, providerMessageId: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { orderId: message.orderId, eventType: message.eventType },
        UpdateExpression: "SET delivered = :yes, providerMessageId = :id",
        ExpressionAttributeValues: { ":yes": true, ":id": providerMessageId },
      }),
    );
  }

  async forOrder(orderId: string): Promise<SentEmail[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "orderId = :orderId",
        ExpressionAttributeValues: { ":orderId": orderId },
      }),
    );
    return Items as SentEmail[];
  }

  /** The most recent messages, newest first (a scan: the outbox is for people, not traffic). */
  async recent(limit: number): Promise<SentEmail[]> {
    const items: SentEmail[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({ TableName: this.tableName, ExclusiveStartKey }),
      );
      items.push(...((page.Items ?? []) as SentEmail[]));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items.sort((a, b) => (a.sentAt < b.sentAt ? 1 : -1)).slice(0, limit);
  }
}

/** The local mailer: a message is "sent" by landing in the outbox. */
export class OutboxMailer implements Mailer {
  constructor(private readonly outbox: MailOutbox) {}

  async send(message: EmailMessage): Promise<"sent" | "duplicate"> {
    return (await this.outbox.claim(message, "outbox")) ? "sent" : "duplicate";
  }
}
