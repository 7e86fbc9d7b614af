import {
  idempotencyTable,
  ordersTable,
  productsTable,
  RESOURCE_ENV,
  type TableDefinition,
} from "../adapters/table-definitions";
import { EVENT_TYPE_ATTRIBUTE, type EventType } from "../core/events";

/**
 * The one description of the system's resources and how they are wired. The CDK stack
 * builds from it and the local runtime provisions and polls from it, so local and cloud
 * cannot drift apart. Names here are logical; each resource's physical name reaches the
 * code through the environment variable named by `envVar`.
 */

export interface TableSpec extends TableDefinition {
  readonly logicalName: string;
  readonly envVar: string;
  readonly stream?: "NEW_AND_OLD_IMAGES";
  /** Business data is kept when the stack is deleted; derived or expiring data is not. */
  readonly retainOnDelete: boolean;
}

export interface QueueSpec {
  readonly logicalName: string;
  readonly envVar: string;
  /** At least six times the consumer's timeout, as Lambda's SQS integration advises. */
  readonly visibilityTimeoutSeconds: number;
  readonly deadLetter: { readonly logicalName: string; readonly maxReceiveCount: number };
}

export interface QueueSubscriptionSpec {
  readonly protocol: "sqs";
  readonly queue: QueueName;
  readonly eventTypes: readonly EventType[];
  /** Raw delivery: the SQS body is the event itself and `event_type` a message attribute. */
  readonly rawMessageDelivery: true;
}

export const tables = {
  products: {
    ...productsTable,
    logicalName: "products",
    envVar: RESOURCE_ENV.productsTable,
    retainOnDelete: true,
  },
  orders: {
    ...ordersTable,
    logicalName: "orders",
    envVar: RESOURCE_ENV.ordersTable,
    stream: "NEW_AND_OLD_IMAGES",
    retainOnDelete: true,
  },
  idempotency: {
    ...idempotencyTable,
    logicalName: "idempotency",
    envVar: RESOURCE_ENV.idempotencyTable,
    retainOnDelete: false,
  },
} as const satisfies Record<string, TableSpec>;
export type TableName = keyof typeof tables;

export const topic = {
  logicalName: "order-events",
  envVar: RESOURCE_ENV.orderEventsTopic,
} as const;

export const queues = {
  fraud: {
    logicalName: "fraud",
    envVar: RESOURCE_ENV.fraudQueue,
    visibilityTimeoutSeconds: 180,
    deadLetter: { logicalName: "fraud-dlq", maxReceiveCount: 3 },
  },
  inventory: {
    logicalName: "inventory",
    envVar: RESOURCE_ENV.inventoryQueue,
    visibilityTimeoutSeconds: 60,
    deadLetter: { logicalName: "inventory-dlq", maxReceiveCount: 3 },
  },
  email: {
    logicalName: "email",
    envVar: RESOURCE_ENV.emailQueue,
    visibilityTimeoutSeconds: 90,
    deadLetter: { logicalName: "email-dlq", maxReceiveCount: 3 },
  },
} as const satisfies Record<string, QueueSpec>;
export type QueueName = keyof typeof queues;

export const queueSubscriptions: readonly QueueSubscriptionSpec[] = [
  { protocol: "sqs", queue: "fraud", eventTypes: ["order_created"], rawMessageDelivery: true },
  {
    protocol: "sqs",
    queue: "inventory",
    eventTypes: ["order_created", "order_rejected", "order_cancelled"],
    rawMessageDelivery: true,
  },
  {
    protocol: "sqs",
    queue: "email",
    eventTypes: ["order_confirmed", "order_shipped", "order_rejected", "order_cancelled"],
    rawMessageDelivery: true,
  },
];

/** The SNS filter policy that lets through exactly these event types. */
export function filterPolicyFor(eventTypes: readonly EventType[]): Record<string, string[]> {
  return { [EVENT_TYPE_ATTRIBUTE]: [...eventTypes] };
}
