import {
  analyticsTable,
  consumerIdempotencyTable,
  eventLogTable,
  idempotencyTable,
  liveSubscriptionsTable,
  mailOutboxTable,
  orderHistoryTable,
  ordersTable,
  productHistoryTable,
  productsTable,
  RESOURCE_ENV,
  type TableDefinition,
} from "../adapters/table-definitions";
import { CONSUMER_EVENTS } from "../consumers/subscriptions";
import { EVENT_TYPE_ATTRIBUTE, type EventType } from "../core/shared/events";

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
  consumerIdempotency: {
    ...consumerIdempotencyTable,
    logicalName: "consumer-idempotency",
    envVar: RESOURCE_ENV.consumerIdempotencyTable,
    retainOnDelete: false,
  },
  productHistory: {
    ...productHistoryTable,
    logicalName: "product-history",
    envVar: RESOURCE_ENV.productHistoryTable,
    retainOnDelete: true,
  },
  orderHistory: {
    ...orderHistoryTable,
    logicalName: "order-history",
    envVar: RESOURCE_ENV.orderHistoryTable,
    retainOnDelete: true,
  },
  analytics: {
    ...analyticsTable,
    logicalName: "analytics",
    envVar: RESOURCE_ENV.analyticsTable,
    retainOnDelete: true,
  },
  mailOutbox: {
    ...mailOutboxTable,
    logicalName: "mail-outbox",
    envVar: RESOURCE_ENV.mailOutboxTable,
    retainOnDelete: true,
  },
  eventLog: {
    ...eventLogTable,
    logicalName: "event-log",
    envVar: RESOURCE_ENV.eventLogTable,
    retainOnDelete: false,
  },
  liveSubscriptions: {
    ...liveSubscriptionsTable,
    logicalName: "live-subscriptions",
    envVar: RESOURCE_ENV.liveSubscriptionsTable,
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
    visibilityTimeoutSeconds: 180,
    deadLetter: { logicalName: "fraud-dlq", maxReceiveCount: 3 },
  },
  inventory: {
    logicalName: "inventory",
    visibilityTimeoutSeconds: 60,
    deadLetter: { logicalName: "inventory-dlq", maxReceiveCount: 3 },
  },
  email: {
    logicalName: "email",
    visibilityTimeoutSeconds: 90,
    deadLetter: { logicalName: "email-dlq", maxReceiveCount: 3 },
  },
  liveUpdates: {
    logicalName: "live-updates",
    visibilityTimeoutSeconds: 60,
    deadLetter: { logicalName: "live-updates-dlq", maxReceiveCount: 3 },
  },
} as const satisfies Record<string, QueueSpec>;
export type QueueName = keyof typeof queues;

/**
 * Queues that only receive what failed elsewhere: the direct SNS subscription's DLQ and
 * the stream's on-failure destination.
 */
export const failureQueues = {
  analyticsDeadLetter: { logicalName: "analytics-dlq" },
  streamFailures: {
    logicalName: "orders-stream-failures",
    envVar: RESOURCE_ENV.streamFailuresQueue,
  },
} as const;
export type FailureQueueName = keyof typeof failureQueues;

/** Each consumer queue's subscription, filtered to the events its consumer declares. */
export const queueSubscriptions: readonly QueueSubscriptionSpec[] = (
  ["fraud", "inventory", "email", "liveUpdates"] as const
).map((queue) => ({
  protocol: "sqs",
  queue,
  eventTypes: CONSUMER_EVENTS[queue],
  rawMessageDelivery: true,
}));

export type ConsumerSource =
  | {
      readonly kind: "sqs";
      readonly queue: QueueName;
      readonly batchSize: number;
      readonly maxBatchingWindowSeconds: number;
      /**
       * The most invocations the queue feeds at once (the event source's maximum
       * concurrency, 2 or more); locally, the poller's worker count.
       */
      readonly maxConcurrency: number;
      /**
       * The poller's workers locally, where one machine's DynamoDB Local takes a few dozen
       * orders a second and every idle worker long-polls: far fewer than the cloud's maximum.
       */
      readonly localConcurrency: number;
    }
  | {
      /** A Lambda subscribed to the topic directly (protocol `lambda`). */
      readonly kind: "sns";
      readonly eventTypes: readonly EventType[];
      readonly deadLetter: FailureQueueName;
      /** Lambda retries a failed asynchronous invocation twice: three attempts in all. */
      readonly maxReceiveCount: number;
    }
  | {
      /** Invoked on a schedule (EventBridge Scheduler; a timer locally). */
      readonly kind: "schedule";
      readonly everyMinutes: number;
    }
  | {
      readonly kind: "dynamodb-stream";
      readonly table: "orders";
      readonly batchSize: number;
      readonly maxBatchingWindowSeconds: number;
      readonly startingPosition: "TRIM_HORIZON" | "LATEST";
      readonly bisectBatchOnError: true;
      readonly maxRetryAttempts: number;
      readonly maxRecordAgeSeconds: number;
      readonly onFailure: FailureQueueName;
    };

/** The DynamoDB actions a function's code performs (transactions check each item's action). */
export type DynamoAction =
  | "GetItem"
  | "BatchGetItem"
  | "Query"
  | "Scan"
  | "PutItem"
  | "UpdateItem"
  | "DeleteItem"
  | "BatchWriteItem";

/** What a function's code touches: the stack grants exactly this and nothing more. */
export interface AccessSpec {
  readonly tables: Partial<Record<TableName, readonly DynamoAction[]>>;
  /** Publishes to the order-events topic. */
  readonly publish?: true;
  /** Reads the topic's attributes (the health check). */
  readonly topicAttributes?: true;
  /** Sends mail through SES. */
  readonly sendEmail?: true;
  /** Verifies callers' tokens against the identity provider's published keys. */
  readonly verifiesTokens?: true;
  /** Replies to and closes WebSocket connections through the WebSocket API's management endpoint. */
  readonly manageConnections?: true;
  /** Sends to these failure queues (the stream processor sets records aside there). */
  readonly sendsTo?: readonly FailureQueueName[];
}

export interface FunctionSpec {
  /** The handler module, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** At most this many concurrent invocations; undefined means the account's pool. */
  readonly reservedConcurrency?: number;
  readonly access: AccessSpec;
}

export interface ConsumerSpec extends FunctionSpec {
  readonly source: ConsumerSource;
}

/** Powertools idempotency records: read, claimed, completed, or removed after a failure. */
const IDEMPOTENCY_RECORDS: readonly DynamoAction[] = [
  "GetItem",
  "PutItem",
  "UpdateItem",
  "DeleteItem",
];
/** Every consumer notes what it did with each event in the event log. */
const EVENT_LOG_WRITES: readonly DynamoAction[] = ["PutItem"];

/**
 * The GraphQL and REST API. 1 GB buys the CPU that GraphQL execution wants (Lambda scales
 * CPU with memory), and 15 s sits inside API Gateway's 30 s integration limit: not the old
 * system's 128 MB / 5 s.
 */
export const apiFunction = {
  entry: "api/handler.ts",
  memoryMb: 1024,
  timeoutSeconds: 15,
  // A flood of API requests takes at most these, so the account's remaining concurrency
  // stays for the consumers, which would otherwise fall behind exactly when orders pour in.
  // At 5,000 orders a second (SCALE) the api is busy about 300 at once (`npm run scale`).
  reservedConcurrency: 1000,
  access: {
    tables: {
      products: ["GetItem", "BatchGetItem", "Query", "Scan", "PutItem", "UpdateItem"],
      productHistory: ["Query", "PutItem", "UpdateItem"],
      orders: ["GetItem", "Query", "PutItem", "UpdateItem"],
      idempotency: ["GetItem", "PutItem"],
      orderHistory: ["Query"],
      analytics: ["Query"],
      eventLog: ["Query"],
      mailOutbox: ["Query"],
    },
    publish: true,
    topicAttributes: true,
    verifiesTokens: true,
  },
} as const satisfies FunctionSpec;

/**
 * Loads catalogs through the catalog's own rules, history and events: `npm run catalog` runs
 * it in-process (locally, or against a deployed stack with the caller's credentials), and
 * the stack runs it as the custom resource that loads the sample catalog
 * (`-c sampleCatalog=true`).
 */
export const catalogLoaderFunction = {
  entry: "consumers/catalog-loader.ts",
  memoryMb: 512,
  timeoutSeconds: 300,
  access: {
    tables: {
      products: ["GetItem", "BatchGetItem", "Scan", "PutItem", "UpdateItem"],
      productHistory: ["PutItem", "UpdateItem"],
    },
    publish: true,
  },
} as const satisfies FunctionSpec;

/**
 * The GraphQL over WebSocket endpoint's function, behind the WebSocket API's `$connect`,
 * `$default` and `$disconnect` routes: it keeps each connection and its subscriptions in
 * the live-subscriptions table and answers through the API's management endpoint. Each
 * message is a short invocation (a token check, a document validated, an item written).
 */
export const websocketFunction = {
  entry: "api/websocket.ts",
  memoryMb: 512,
  timeoutSeconds: 10,
  access: {
    tables: {
      orders: ["GetItem"],
      liveSubscriptions: ["GetItem", "PutItem", "DeleteItem", "Query", "BatchWriteItem"],
    },
    verifiesTokens: true,
    manageConnections: true,
  },
} as const satisfies FunctionSpec;

/**
 * The stack outputs that tell `npm run catalog -- --stack <name>` the resources the catalog
 * loader works on, by the variable each fills.
 */
export const CATALOG_LOADER_OUTPUTS = {
  ProductsTableName: RESOURCE_ENV.productsTable,
  ProductHistoryTableName: RESOURCE_ENV.productHistoryTable,
  OrderEventsTopicArn: RESOURCE_ENV.orderEventsTopic,
} as const;

export const consumers = {
  fraud: {
    entry: "consumers/fraud.ts",
    // A worker holds each order for its payment call (200 ms at the provider's default) and
    // four DynamoDB round trips; a batch's orders are decided side by side, so 300
    // invocations of 10 decide about 300 x 10 / 0.3 s = 10,000 orders a second, twice the
    // target (SCALE), and the payment provider sees at most 3,000 calls at once.
    source: {
      kind: "sqs",
      queue: "fraud",
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      maxConcurrency: 300,
      localConcurrency: 8,
    },
    // Scoring reads the customer's recent orders; the memory buys CPU for it.
    memoryMb: 1024,
    timeoutSeconds: 30,
    access: {
      tables: {
        orders: ["GetItem", "Query", "UpdateItem"],
        consumerIdempotency: IDEMPOTENCY_RECORDS,
        eventLog: EVENT_LOG_WRITES,
      },
      // It publishes its decision's event at once; the orders stream is the fallback.
      publish: true,
    },
  },
  inventory: {
    entry: "consumers/inventory.ts",
    // No batching window: a batch is what has arrived, so a status change is acted on at
    // once; under load batches fill by themselves.
    source: {
      kind: "sqs",
      queue: "inventory",
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      maxConcurrency: 50,
      localConcurrency: 2,
    },
    memoryMb: 256,
    timeoutSeconds: 10,
    // About 35 at once at the target rate (SCALE); the reserve keeps them when others surge.
    reservedConcurrency: 50,
    access: {
      tables: {
        orders: ["GetItem", "UpdateItem"],
        products: ["BatchGetItem", "UpdateItem"],
        consumerIdempotency: IDEMPOTENCY_RECORDS,
        eventLog: EVENT_LOG_WRITES,
      },
    },
  },
  email: {
    entry: "consumers/email.ts",
    // No batching window: waiting up to a second to fill a batch would delay every email by it.
    // Fifty invocations of ten messages, each a mail of a few tens of milliseconds, keep up
    // with the target rate (SCALE); SES's own sending quota must be raised to match.
    source: {
      kind: "sqs",
      queue: "email",
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      maxConcurrency: 50,
      localConcurrency: 4,
    },
    memoryMb: 256,
    timeoutSeconds: 15,
    access: {
      tables: {
        mailOutbox: ["GetItem", "PutItem", "UpdateItem"],
        consumerIdempotency: IDEMPOTENCY_RECORDS,
        eventLog: EVENT_LOG_WRITES,
      },
      sendEmail: true,
    },
  },
  liveUpdates: {
    entry: "consumers/live-updates.ts",
    // Each change is pushed at once; a batch's orders are pushed side by side, each a read of
    // the order and one post per watching connection: about 100 at once at the target rate.
    source: {
      kind: "sqs",
      queue: "liveUpdates",
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      maxConcurrency: 200,
      localConcurrency: 4,
    },
    memoryMb: 512,
    timeoutSeconds: 10,
    access: {
      tables: {
        orders: ["GetItem"],
        orderHistory: ["Query"],
        liveSubscriptions: ["Query", "DeleteItem", "BatchWriteItem"],
        consumerIdempotency: IDEMPOTENCY_RECORDS,
        eventLog: EVENT_LOG_WRITES,
      },
      manageConnections: true,
    },
  },
  analytics: {
    entry: "consumers/analytics.ts",
    source: {
      kind: "sns",
      eventTypes: CONSUMER_EVENTS.analytics,
      deadLetter: "analyticsDeadLetter",
      maxReceiveCount: 3,
    },
    memoryMb: 256,
    timeoutSeconds: 10,
    access: {
      tables: {
        analytics: ["PutItem", "UpdateItem"],
        consumerIdempotency: IDEMPOTENCY_RECORDS,
        eventLog: EVENT_LOG_WRITES,
      },
    },
  },
  streamProcessor: {
    entry: "consumers/stream-processor.ts",
    source: {
      kind: "dynamodb-stream",
      table: "orders",
      // Lambda's default for streams: the handler works on different orders' records side
      // by side, so a larger batch is more of them at once, not a longer wait.
      batchSize: 100,
      maxBatchingWindowSeconds: 0,
      startingPosition: "TRIM_HORIZON",
      bisectBatchOnError: true,
      // A failure that can pass (SNS or DynamoDB down) is retried for as long as the stream
      // keeps the record; a record that can never be processed is set aside by the handler.
      maxRetryAttempts: -1,
      maxRecordAgeSeconds: -1,
      onFailure: "streamFailures",
    },
    memoryMb: 512,
    timeoutSeconds: 30,
    access: {
      tables: {
        orders: ["GetItem", "UpdateItem"],
        orderHistory: ["PutItem"],
        eventLog: EVENT_LOG_WRITES,
      },
      publish: true,
      sendsTo: ["streamFailures"],
    },
  },
  reconciler: {
    entry: "consumers/reconciler.ts",
    source: { kind: "schedule", everyMinutes: 1 },
    memoryMb: 256,
    timeoutSeconds: 60,
    // One run at a time: two would deliver the same owed events twice.
    reservedConcurrency: 1,
    access: {
      tables: {
        orders: ["GetItem", "Query", "UpdateItem"],
        // Making a fast-selling product hot: its stock moved into buckets, with its history.
        products: ["GetItem", "BatchGetItem", "PutItem", "UpdateItem"],
        productHistory: ["GetItem", "Query", "PutItem", "UpdateItem"],
        analytics: ["Query"],
        eventLog: EVENT_LOG_WRITES,
      },
      publish: true,
    },
  },
} as const satisfies Record<string, ConsumerSpec>;
export type ConsumerName = keyof typeof consumers;

/** The SNS filter policy that lets through exactly these event types. */
export function filterPolicyFor(eventTypes: readonly EventType[]): Record<string, string[]> {
  return { [EVENT_TYPE_ATTRIBUTE]: [...eventTypes] };
}

/** The physical names of the resources a function may be told about. */
export interface ResourceNames {
  readonly tables: Readonly<Record<TableName, string>>;
  readonly topicArn: string;
  /** The WebSocket API's management endpoint (https://{api}.execute-api.{region}.amazonaws.com/{stage}). */
  readonly websocketManagementUrl?: string;
  /**
   * The identity provider: a Cognito user pool and its app client in the cloud, the local
   * issuer locally. Without it a function that verifies tokens is told nothing, and fails
   * at start naming what it misses.
   */
  readonly identity?: {
    readonly issuer: string;
    readonly audience: string;
    readonly jwksUrl: string;
  };
  /** The URLs of the failure queues functions send to. */
  readonly failureQueueUrls: Readonly<Record<FailureQueueName, string>>;
}

/**
 * The resource variables a function gets: one per table its access names, and the topic's
 * when it publishes or reads the topic. What a function may touch (its IAM grants) and
 * what it is told (its environment) come from the same access entry.
 */
export function resourceEnvironment(
  access: AccessSpec,
  names: ResourceNames,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const table of Object.keys(access.tables) as TableName[]) {
    env[tables[table].envVar] = names.tables[table];
  }
  if (access.publish || access.topicAttributes) env[topic.envVar] = names.topicArn;
  for (const queue of access.sendsTo ?? []) {
    const spec = failureQueues[queue];
    if ("envVar" in spec) env[spec.envVar] = names.failureQueueUrls[queue];
  }
  if (access.manageConnections && names.websocketManagementUrl) {
    env[RESOURCE_ENV.websocketManagementUrl] = names.websocketManagementUrl;
  }
  if (access.verifiesTokens && names.identity) {
    env[RESOURCE_ENV.authIssuer] = names.identity.issuer;
    env[RESOURCE_ENV.authAudience] = names.identity.audience;
    env[RESOURCE_ENV.authJwksUrl] = names.identity.jwksUrl;
  }
  return env;
}

/**
 * What the shop must carry on AWS, and the service limits it is measured against
 * (`npm run scale`). DynamoDB's per-partition limits are fixed; the others are the default
 * quotas of a new account in us-east-1, which a quota request raises.
 */
export const SCALE = {
  targets: {
    /** Orders a second, spread evenly across the catalog. */
    ordersPerSecond: 5000,
    /** Orders a second of one product (a flash sale). */
    singleProductOrdersPerSecond: 1000,
  },
  limits: {
    /** Write units a second one partition key takes, at most. */
    partitionWriteUnits: 1000,
    /** Read units a second one partition key serves, at most. */
    partitionReadUnits: 3000,
    /** SNS Publish calls a second per account (us-east-1's default quota). */
    snsPublishPerSecond: 30_000,
    /**
     * Lambda's concurrent executions per account: 3,000, raised by a quota request from the
     * default 1,000, which the reservations above (api 1,000, inventory 50) would overfill:
     * AWS keeps 100 of the quota unreserved.
     */
    lambdaConcurrency: 3000,
    /** The API's stage throttle (API Gateway's default account quota is 10,000 a second). */
    apiRequestsPerSecond: 10_000,
    apiBurst: 5000,
  },
} as const;
