import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import {
  CORRELATION_ID_ATTRIBUTE,
  EVENT_TYPE_ATTRIBUTE,
  type ShopEvent,
  shopEventSchema,
} from "../core/shared/events";
import type { EventPublisher } from "../core/shared/ports";

/**
 * Publishes shop events to the order-events topic. The body is validated against the one
 * event schema first, so a consumer never receives an event the schema would refuse. The
 * event type (which subscriptions filter on) and the correlation id are message attributes too.
 */
export class SnsEventPublisher implements EventPublisher {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(event: ShopEvent): Promise<void> {
    const body = shopEventSchema.parse(event);
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Message: JSON.stringify(body),
        MessageAttributes: {
          [EVENT_TYPE_ATTRIBUTE]: { DataType: "String", StringValue: body.eventType },
          ...(body.correlationId
            ? {
                [CORRELATION_ID_ATTRIBUTE]: { DataType: "String", StringValue: body.correlationId },
              }
            : {}),
        },
      }),
    );
  }
}
