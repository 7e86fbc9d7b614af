import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from "@aws-sdk/client-sqs";
import type { Environment } from "../../adapters/config";
import type { Order } from "../../core/orders/order";
import {
  orderCreatedEvent as buildOrderCreatedEvent,
  statusChangedEvent as buildStatusChangedEvent,
} from "../../core/orders/order-events";
import type { OrderStatus } from "../../core/orders/order-status";
import type { ShopEvent } from "../../core/shared/events";
import type { ConsumerName } from "../../infra/topology";
import { type EventSourcesOptions, startEventSources } from "../../local/lambda/event-sources";
import type { Poller } from "../../local/lambda/sqs-poller";
import type { TestShop } from "./test-shop";

/**
 * Runs some consumers behind their local event sources, retrying failures at once unless
 * `retryDelaySeconds` says otherwise. `env` adds settings to their environment, as a
 * deployment would (PAYMENT_LATENCY_MS, ...).
 */
export function runConsumers(
  shop: TestShop,
  only: readonly ConsumerName[],
  options: {
    env?: Environment;
    wrap?: EventSourcesOptions["wrap"];
    scheduleEveryMs?: number;
    retryDelaySeconds?: number;
  } = {},
): Promise<Poller> {
  return startEventSources({
    provisioned: shop.provisioned,
    endpoints: shop.endpoints,
    only,
    retryDelaySeconds: options.retryDelaySeconds ?? 0,
    logger: shop.logger,
    ...(options.env ? { env: options.env } : {}),
    ...(options.scheduleEveryMs ? { scheduleEveryMs: options.scheduleEveryMs } : {}),
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

/** An order with only what a test cares about given; the rest as a fresh order has it. */
type OrderLike = Pick<Order, "orderId" | "customerId" | "items" | "totalCents"> & Partial<Order>;

const AT = "2026-11-24T10:00:00.000Z";

function fullOrder(order: OrderLike): Order {
  return {
    status: "PENDING",
    currency: "USD",
    createdAt: AT,
    updatedAt: AT,
    version: 1,
    ...order,
  };
}

/** `order_created` for an order, built by the same code the API publishes it with. */
export function orderCreatedEvent(order: OrderLike): ShopEvent {
  return buildOrderCreatedEvent(fullOrder(order));
}

/**
 * A status change of an order, built by the same code the stream processor publishes it
 * with: `version` is the order's version after the change.
 */
export function statusChangedEvent(
  eventType: "order_confirmed" | "order_rejected" | "order_shipped" | "order_cancelled",
  order: OrderLike,
  previousStatus: OrderStatus,
  status: OrderStatus,
  version = 2,
): ShopEvent {
  const before = fullOrder({ ...order, status: previousStatus, version: version - 1 });
  return buildStatusChangedEvent(eventType, before, {
    ...before,
    status,
    version,
    updatedAt: AT,
  });
}

/**
 * A fresh PENDING order of one unit of `productId` at $10.00, with its `order_created` owed
 * in it: exactly what the api's transaction writes, before anything publishes it.
 */
export function anOrderOwingItsCreation(order: {
  orderId: string;
  customerId: string;
  productId: string;
}): Order {
  const now = new Date().toISOString();
  const draft = fullOrder({
    orderId: order.orderId,
    customerId: order.customerId,
    items: [
      {
        productId: order.productId,
        productName: order.productId,
        quantity: 1,
        unitPriceCents: 1000,
        lineTotalCents: 1000,
      },
    ],
    totalCents: 1000,
    createdAt: now,
    updatedAt: now,
  });
  const created = buildOrderCreatedEvent(draft);
  return { ...draft, owed: { [created.eventId]: created } };
}
