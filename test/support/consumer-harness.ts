import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from "@aws-sdk/client-sqs";
import type { Environment } from "../../adapters/config";
import type { OrderLine } from "../../core/orders/order";
import type { ShopEvent } from "../../core/shared/events";
import type { ConsumerName } from "../../infra/topology";
import { type EventSourcesOptions, startEventSources } from "../../local/lambda/event-sources";
import type { Poller } from "../../local/lambda/sqs-poller";
import type { TestShop } from "./test-shop";

/**
 * Runs some consumers behind their local event sources, retrying failures at once. `env`
 * adds settings to their environment, as a deployment would (PAYMENT_LATENCY_MS, ...).
 */
export function runConsumers(
  shop: TestShop,
  only: readonly ConsumerName[],
  options: { env?: Environment; wrap?: EventSourcesOptions["wrap"] } = {},
): Promise<Poller> {
  return startEventSources({
    provisioned: shop.provisioned,
    endpoints: shop.endpoints,
    only,
    retryDelaySeconds: 0,
    logger: shop.logger,
    ...(options.env ? { env: options.env } : {}),
    ...(options.wrap ? { wrap: options.wrap } : {}),
  });
}

/** Puts messages on a queue in one batch, as raw SNS delivery would (body + event_type). */
export async function sendToQueue(
  shop: TestShop,
  queueUrl: string,
  bodies: readonly (ShopEvent | string)[],
) {
  await shop.local.sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: bodies.map((body, i) => ({
        Id: String(i),
        MessageBody: typeof body === "string" ? body : JSON.stringify(body),
        MessageAttributes: {
          event_type: {
            DataType: "String",
            StringValue: typeof body === "string" ? "order_created" : body.eventType,
          },
        },
      })),
    }),
  );
}

export async function queueDepth(shop: TestShop, queueUrl: string): Promise<number> {
  const { Attributes } = await shop.local.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** The bodies waiting in a queue (a DLQ), without consuming them for long. */
export async function peekBodies(shop: TestShop, queueUrl: string): Promise<string[]> {
  const { Messages = [] } = await shop.local.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 0,
      WaitTimeSeconds: 0,
    }),
  );
  return Messages.map((m) => m.Body ?? "");
}

/** An order_created event for an order, as the API publishes it. */
export function orderCreatedEvent(order: {
  orderId: string;
  customerId: string;
  items: readonly OrderLine[];
  totalCents: number;
  createdAt: string;
}): ShopEvent {
  return {
    eventId: `${order.orderId}:order_created`,
    eventType: "order_created",
    version: 1,
    occurredAt: order.createdAt,
    data: { ...order, items: [...order.items], status: "PENDING", currency: "USD" },
  };
}

/** A status-change event as the stream processor publishes it. */
export function statusChangedEvent(
  eventType: "order_confirmed" | "order_rejected" | "order_shipped" | "order_cancelled",
  order: {
    orderId: string;
    customerId: string;
    items: readonly OrderLine[];
    totalCents: number;
  },
  previousStatus: string,
  status: string,
  version = 2,
): ShopEvent {
  return {
    eventId: `${order.orderId}:${eventType}:v${version}`,
    eventType,
    version: 1,
    occurredAt: "2026-11-24T10:00:00.000Z",
    data: {
      orderId: order.orderId,
      customerId: order.customerId,
      previousStatus,
      status,
      totalCents: order.totalCents,
      currency: "USD",
      items: [...order.items],
      changedAt: "2026-11-24T10:00:00.000Z",
    },
  } as ShopEvent;
}
