import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type {
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  AttributeValue as LambdaAttributeValue,
} from "aws-lambda";
import { sdkClientSettings } from "../adapters/aws-clients";
import { type Environment, readConfig, serviceLocation } from "../adapters/config";
import { DynamoHistoryRepository } from "../adapters/dynamo-history-repository";
import { DynamoOrderRepository, orderFromItem } from "../adapters/dynamo-order-repository";
import { type HandlerOverrides, lazyHandler } from "../adapters/handler-builder";
import { traced } from "../adapters/tracing";
import type { Order } from "../core/orders/order";
import { effectsOf } from "../core/orders/order-changes";
import { noteHandling } from "./event-consumer";
import { consumerSettings, createConsumerRuntime, orderOutbox } from "./runtime";
import { type RecordFlow, setAsideMessage, streamConsumerHandler } from "./stream-consumer";

function orderOf(image: Record<string, LambdaAttributeValue> | undefined): Order | undefined {
  return image ? orderFromItem(unmarshall(image as Record<string, AttributeValue>)) : undefined;
}

/**
 * Builds the stream processor, which reacts to every change of the orders table: it
 * publishes the events each change put in the order's outbox (every event the shop owes is
 * written there, in the same write as the change that owes it), and keeps each order's
 * history. Event ids come from the change, so a retried record publishes the same events
 * and consumers drop the repeats.
 */
export function buildHandler(env: Environment, overrides: HandlerOverrides = {}) {
  const config = readConfig(env, (vars) => ({
    ...consumerSettings(vars),
    sns: serviceLocation(vars, "SNS"),
    sqs: serviceLocation(vars, "SQS"),
    ordersTable: vars.resource("ordersTable"),
    historyTable: vars.resource("orderHistoryTable"),
    orderEventsTopicArn: vars.resource("orderEventsTopic"),
    failuresQueueUrl: vars.resource("streamFailuresQueue"),
  }));
  const runtime = createConsumerRuntime("streamProcessor", config, overrides);
  const { document } = runtime.dynamodb;
  const orders = new DynamoOrderRepository(document, { orders: config.ordersTable });
  const outbox = orderOutbox(runtime, orders, {
    sns: config.sns,
    sdk: config.sdk,
    topicArn: config.orderEventsTopicArn,
  });
  const history = new DynamoHistoryRepository(document, config.historyTable);
  const sqs = traced(new SQSClient({ ...config.sqs, ...sdkClientSettings(config.sdk) }));

  return streamConsumerHandler(
    runtime,
    async (record: DynamoDBRecord) => {
      if (!record.eventName) return;
      const newImage = orderOf(record.dynamodb?.NewImage);
      const effects = effectsOf({
        eventName: record.eventName,
        oldImage: orderOf(record.dynamodb?.OldImage),
        newImage,
      });
      // The events and the history do not depend on each other: both are written side by
      // side, and a retried record repeats neither (an event delivered is no longer owed; a
      // history entry is keyed by its change).
      const publishing = async () => {
        if (!newImage || effects.owedEventIds.length === 0) return [];
        // Read again: what another publisher delivered since this change is not sent twice.
        const delivered = await outbox.deliverOwed(newImage.orderId, effects.owedEventIds);
        await Promise.all(delivered.map((event) => noteHandling(runtime, event, "published")));
        return delivered;
      };
      const [published] = await Promise.all([
        publishing(),
        ...effects.history.map((entry) => history.append(entry)),
      ]);
      runtime.logger.info("order change handled", {
        change: record.eventName,
        version: newImage?.version,
        historyEntries: effects.history.length,
        eventsPublished: published.map((event) => event.eventType),
      });
    },
    async (record, reason) => {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: config.failuresQueueUrl,
          MessageBody: JSON.stringify(setAsideMessage(record, "streamProcessor", reason)),
        }),
      );
    },
    flowOf,
  );
}

/**
 * The order a record is about and the correlation id it was placed with, read from the raw
 * images: a record too malformed to parse still gets logged with what can be read.
 */
function flowOf(record: DynamoDBRecord): RecordFlow {
  const image = record.dynamodb?.NewImage ?? record.dynamodb?.OldImage;
  return {
    orderId: record.dynamodb?.Keys?.orderId?.S,
    correlationId: image?.correlationId?.S,
  };
}

export const handler = lazyHandler<DynamoDBStreamEvent, DynamoDBBatchResponse>(buildHandler);
