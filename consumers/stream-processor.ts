import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type {
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  AttributeValue as LambdaAttributeValue,
} from "aws-lambda";
import { createSnsClient } from "../adapters/aws-clients";
import { type Environment, readConfig, serviceLocation } from "../adapters/config";
import { DynamoHistoryRepository } from "../adapters/dynamo-history-repository";
import { DynamoOrderRepository, orderFromItem } from "../adapters/dynamo-order-repository";
import { type HandlerOverrides, lazyHandler } from "../adapters/handler-builder";
import { SnsEventPublisher } from "../adapters/sns-event-publisher";
import { effectsOf, type StoredOrder } from "../core/orders/order-changes";
import { noteHandling, streamConsumerHandler } from "./event-consumer";
import { consumerSettings, createConsumerRuntime } from "./runtime";

function storedOrder(
  image: Record<string, LambdaAttributeValue> | undefined,
): StoredOrder | undefined {
  if (!image) return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>);
  const unannouncedEvent =
    typeof item.unannouncedEvent === "string" ? item.unannouncedEvent : undefined;
  return { ...orderFromItem(item), unannouncedEvent };
}

/**
 * Builds the stream processor, which reacts to every change of the orders table:
 * publishes the status-change events (the table is their outbox), announces orders the
 * mutation could not, and keeps each order's history. Event ids come from the change, so
 * a retried record republishes the same events and consumers drop the repeats.
 */
export function buildHandler(env: Environment, overrides: HandlerOverrides = {}) {
  const config = readConfig(env, (vars) => ({
    ...consumerSettings(vars),
    sns: serviceLocation(vars, "SNS"),
    ordersTable: vars.resource("ordersTable"),
    historyTable: vars.resource("orderHistoryTable"),
    orderEventsTopicArn: vars.resource("orderEventsTopic"),
  }));
  const runtime = createConsumerRuntime("streamProcessor", config, overrides);
  const { document } = runtime.dynamodb;
  const publisher = new SnsEventPublisher(createSnsClient(config.sns), config.orderEventsTopicArn);
  const history = new DynamoHistoryRepository(document, config.historyTable);
  const orders = new DynamoOrderRepository(document, { orders: config.ordersTable });

  return streamConsumerHandler(runtime, async (record: DynamoDBRecord) => {
    if (!record.eventName) return;
    const effects = effectsOf({
      eventName: record.eventName,
      oldImage: storedOrder(record.dynamodb?.OldImage),
      newImage: storedOrder(record.dynamodb?.NewImage),
    });
    for (const event of effects.events) {
      await publisher.publish(event);
      runtime.logger.info("published from the stream", {
        eventId: event.eventId,
        eventType: event.eventType,
        orderId: event.data.orderId,
      });
      await noteHandling(runtime, event, "published");
    }
    for (const entry of effects.history) await history.append(entry);
    const orderId = effects.history[0]?.orderId ?? effects.events[0]?.data.orderId;
    if (effects.clearsUnannounced && orderId) await orders.clearCreationUnannounced(orderId);
  });
}

export const handler = lazyHandler<DynamoDBStreamEvent, DynamoDBBatchResponse>(buildHandler);
