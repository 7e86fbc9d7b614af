/**
 * The key schemas and indexes the repositories query by. They belong to the data access
 * code; `infra/topology.ts` builds its table declarations from them, so a table can only
 * be deployed with the keys the code uses.
 */

export type AttributeType = "S" | "N";

export interface KeySpec {
  readonly name: string;
  readonly type: AttributeType;
}

export interface IndexSpec {
  readonly indexName: string;
  readonly partitionKey: KeySpec;
  readonly sortKey: KeySpec;
  /** What the index copies: every attribute (the default), only the keys, or the keys and some. */
  readonly projection?: "ALL" | "KEYS_ONLY" | "INCLUDE";
  /** With `INCLUDE`: the attributes copied besides the keys. */
  readonly nonKeyAttributes?: readonly string[];
}

export interface TableDefinition {
  readonly partitionKey: KeySpec;
  readonly sortKey?: KeySpec;
  readonly globalSecondaryIndexes?: readonly IndexSpec[];
  readonly timeToLiveAttribute?: string;
}

export const productsTable = {
  partitionKey: { name: "productId", type: "S" },
  globalSecondaryIndexes: [
    {
      // Keys and `archived` only: an order's stock write changes neither, so it never writes
      // the index, whose partitions (one per category) would otherwise take every order of the
      // category. A category page reads its products from the table.
      indexName: "byCategoryListing",
      partitionKey: { name: "category", type: "S" },
      sortKey: { name: "productId", type: "S" },
      projection: "INCLUDE",
      nonKeyAttributes: ["archived"],
    },
  ],
} as const satisfies TableDefinition;

/**
 * The category index before `byCategoryListing`, which copied every attribute. DynamoDB adds
 * or removes one index per table update, so a stack that has it deploys the new one beside it
 * first (`-c legacyCategoryIndex=true`), then without it.
 */
export const LEGACY_CATEGORY_INDEX = {
  indexName: "byCategory",
  partitionKey: { name: "category", type: "S" },
  sortKey: { name: "productId", type: "S" },
} as const satisfies IndexSpec;

export const ordersTable = {
  partitionKey: { name: "orderId", type: "S" },
  globalSecondaryIndexes: [
    {
      indexName: "byCustomer",
      partitionKey: { name: "customerId", type: "S" },
      sortKey: { name: "createdAt", type: "S" },
    },
    // Sparse: only orders whose outbox holds an event, by how long it has (the reconciler's).
    {
      indexName: "byOwed",
      partitionKey: { name: "owedShard", type: "S" },
      sortKey: { name: "owedSince", type: "S" },
      projection: "KEYS_ONLY",
    },
    // Sparse: only PENDING orders, by when they were placed (the reconciler's).
    {
      indexName: "byPending",
      partitionKey: { name: "pendingShard", type: "S" },
      sortKey: { name: "pendingSince", type: "S" },
      projection: "KEYS_ONLY",
    },
  ],
} as const satisfies TableDefinition;

/**
 * How many partition keys each of the orders' sparse indexes spreads its writes over. An
 * order writes its outbox index about 5 units over its life (in and out, at creation and at
 * each decision): 64 keys take 5,000 orders a second at about 400 units each, 12,000 before
 * one saturates (`npm run scale`). Raising it is safe (the reconciler reads every shard, old
 * ones included); lowering it would hide entries on the shards dropped.
 */
export const INDEX_SHARDS = 64;

export const idempotencyTable = {
  partitionKey: { name: "key", type: "S" },
  timeToLiveAttribute: "expiresAt",
} as const satisfies TableDefinition;

/** Powertools idempotency records of the event consumers, one per (consumer, event id). */
export const consumerIdempotencyTable = {
  partitionKey: { name: "id", type: "S" },
  timeToLiveAttribute: "expiration",
} as const satisfies TableDefinition;

/** Each order's changes, one item per version, written by the stream processor. */
export const orderHistoryTable = {
  partitionKey: { name: "orderId", type: "S" },
  sortKey: { name: "entryId", type: "S" },
} as const satisfies TableDefinition;

/**
 * Each product's catalog changes (who, when, before and after), one item per change. An
 * entry owes its event until published: then it is in the sparse `byOwed` index, which the
 * reconciler reads.
 */
export const productHistoryTable = {
  partitionKey: { name: "productId", type: "S" },
  sortKey: { name: "entryId", type: "S" },
  globalSecondaryIndexes: [
    {
      indexName: "byOwed",
      partitionKey: { name: "owedShard", type: "S" },
      sortKey: { name: "owedSince", type: "S" },
      projection: "KEYS_ONLY",
    },
  ],
} as const satisfies TableDefinition;

/**
 * Sales counters: each day spread over `DAY#<date>#<shard>` partitions (ANALYTICS_DAY_SHARDS),
 * each with a `TOTAL`, one `PRODUCT#<id>` per product and a `WRITEOFFS` item; days counted
 * before sharding stay under `DAY#<date>`.
 */
export const analyticsTable = {
  partitionKey: { name: "pk", type: "S" },
  sortKey: { name: "sk", type: "S" },
  timeToLiveAttribute: "expiresAt",
} as const satisfies TableDefinition;

/** Mail sent to customers: one item per order and event, so a message is sent once. */
export const mailOutboxTable = {
  partitionKey: { name: "orderId", type: "S" },
  sortKey: { name: "eventType", type: "S" },
} as const satisfies TableDefinition;

/** What each consumer did with each event of an order, for the order's timeline. */
export const eventLogTable = {
  partitionKey: { name: "orderId", type: "S" },
  sortKey: { name: "entryId", type: "S" },
  timeToLiveAttribute: "expiresAt",
} as const satisfies TableDefinition;

/**
 * The open WebSocket connections of live order updates and what each watches: per
 * connection, a `connection` item and one `sub#<operationId>` item per subscription. The
 * sparse `byTopic` index holds only the subscriptions, so a changed order finds its
 * watchers in one query. Expiry covers connections that vanished without a `$disconnect`.
 */
export const liveSubscriptionsTable = {
  partitionKey: { name: "connectionId", type: "S" },
  sortKey: { name: "sk", type: "S" },
  globalSecondaryIndexes: [
    {
      indexName: "byTopic",
      partitionKey: { name: "topic", type: "S" },
      sortKey: { name: "connectionId", type: "S" },
    },
  ],
  timeToLiveAttribute: "expiresAt",
} as const satisfies TableDefinition;

/** The environment variables that carry each resource's physical name or address. */
export const RESOURCE_ENV = {
  productsTable: "PRODUCTS_TABLE_NAME",
  ordersTable: "ORDERS_TABLE_NAME",
  idempotencyTable: "IDEMPOTENCY_TABLE_NAME",
  orderEventsTopic: "ORDER_EVENTS_TOPIC_ARN",
  consumerIdempotencyTable: "CONSUMER_IDEMPOTENCY_TABLE_NAME",
  orderHistoryTable: "ORDER_HISTORY_TABLE_NAME",
  productHistoryTable: "PRODUCT_HISTORY_TABLE_NAME",
  analyticsTable: "ANALYTICS_TABLE_NAME",
  mailOutboxTable: "MAIL_OUTBOX_TABLE_NAME",
  eventLogTable: "EVENT_LOG_TABLE_NAME",
  liveSubscriptionsTable: "LIVE_SUBSCRIPTIONS_TABLE_NAME",
  /** Where the WebSocket API's connections are reached (API Gateway's management API). */
  websocketManagementUrl: "WEBSOCKET_MANAGEMENT_URL",
  /** Where the stream processor sets aside records it can never process. */
  streamFailuresQueue: "STREAM_FAILURES_QUEUE_URL",
  /** The identity provider: who issues the tokens, for which client, and where its keys are. */
  authIssuer: "AUTH_ISSUER",
  authAudience: "AUTH_AUDIENCE",
  authJwksUrl: "AUTH_JWKS_URL",
} as const;
