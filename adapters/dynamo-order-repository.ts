import { randomInt } from "node:crypto";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import * as z from "zod";
import type { Order, OrderLine } from "../core/orders/order";
import { ORDER_STATUSES, STOCK_RELEASING_STATUSES } from "../core/orders/order-status";
import type {
  IdempotencyClaim,
  IdempotencyRecord,
  OrderRepository,
  ReservationResult,
  StatusChange,
} from "../core/orders/ports";
import { ContentionError, CorruptRecordError, InvalidCursorError } from "../core/shared/errors";
import { type Page, type PageRequest, readBackward } from "../core/shared/page";
import { decodeCursor, toPage } from "./cursor";
import {
  batchGetItems,
  bucketNumbers,
  type StockView,
  stockBucketKey,
  withBucketStock,
} from "./dynamo-product-repository";
import { INDEX_SHARDS, ordersTable } from "./table-definitions";
import { type TransactItems, transactWrite } from "./transactions";

const orderItemSchema = z.object({
  orderId: z.string(),
  customerId: z.string(),
  status: z.enum(ORDER_STATUSES),
  items: z.array(
    z.object({
      productId: z.string(),
      productName: z.string(),
      quantity: z.number().int().positive(),
      unitPriceCents: z.number().int().nonnegative(),
      lineTotalCents: z.number().int().nonnegative(),
      stockBucket: z.number().int().nonnegative().optional(),
    }),
  ),
  totalCents: z.number().int().nonnegative(),
  currency: z.literal("USD"),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int().positive(),
  correlationId: z.string().optional(),
  updatedBy: z.string().optional(),
  statusReason: z.string().optional(),
  fraudAssessment: z
    .object({
      score: z.number(),
      decision: z.enum(["APPROVE", "REJECT"]),
      reasons: z.array(z.string()),
      assessedAt: z.string(),
    })
    .optional(),
  paymentAuthorizationId: z.string().optional(),
  stockReleased: z.boolean().optional(),
  // Checked event by event when delivered (OrderOutbox), not on every read.
  owed: z.record(z.string(), z.unknown()).optional(),
});

export function orderFromItem(item: Record<string, unknown>): Order {
  const parsed = orderItemSchema.safeParse(item);
  if (!parsed.success) {
    throw new CorruptRecordError(`order ${String(item.orderId)} is malformed`, {
      cause: parsed.error,
    });
  }
  const { owed: stored, ...order } = parsed.data;
  const { [OWED_KEEPER_KEY]: _keeper, ...owed } = stored ?? {};
  return Object.keys(owed).length > 0 ? { ...order, owed } : order;
}

/**
 * The outbox map always holds this entry besides the events owed, so it is never empty: an
 * empty map cannot take a new entry by path, and DynamoDB Local's stream drops its type.
 */
const OWED_KEEPER_KEY = "_";
const OWED_KEEPER = { [OWED_KEEPER_KEY]: true };

/** The statuses whose stock may be released, as expression values (`:s0`, `:s1`, ...). */
const RELEASING = Object.fromEntries(
  STOCK_RELEASING_STATUSES.map((status, i) => [`:s${i}`, status]),
);

const CUSTOMER_INDEX = ordersTable.globalSecondaryIndexes[0];
const OWED_INDEX = ordersTable.globalSecondaryIndexes[1].indexName;
const PENDING_INDEX = ordersTable.globalSecondaryIndexes[2].indexName;

/**
 * An order or a release reads its hot products again (their stock moved, or the buckets it
 * tried ran short) at most this often before it gives up: moves are an admin's, and rare.
 */
const MAX_REREADS = 5;

/**
 * The bucket a line's units go back to, now that the product's stock is in `buckets` (none:
 * on the product itself): the one they came from if it is still used, else any.
 */
function bucketToRelease(from: number | undefined, buckets: number | undefined) {
  if (buckets === undefined) return undefined;
  return from !== undefined && from < buckets ? from : randomInt(buckets);
}

/** The values in random order (Fisher-Yates). */
function shuffled<T>(values: readonly T[]): T[] {
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** The shard of an order in the sparse indexes: a stable spread of its id. */
function shardOf(orderId: string): string {
  let hash = 0;
  for (let i = 0; i < orderId.length; i++) hash = (hash * 31 + orderId.charCodeAt(i)) | 0;
  return `s${Math.abs(hash) % INDEX_SHARDS}`;
}
// An index's LastEvaluatedKey holds the table key and the index key, each name once.
const CUSTOMER_KEY = [
  ...new Set([
    ordersTable.partitionKey.name,
    CUSTOMER_INDEX.partitionKey.name,
    CUSTOMER_INDEX.sortKey.name,
  ]),
];

/**
 * The tables the repository works on. Only the orders table is always needed: a function
 * names the others only if it places orders (products, idempotency) or releases stock
 * (products), as its access in the topology allows.
 */
export interface OrderTableNames {
  readonly orders: string;
  readonly products?: string;
  readonly idempotency?: string;
}

export class DynamoOrderRepository implements OrderRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly names: OrderTableNames,
  ) {}

  private table(name: "products" | "idempotency"): string {
    const table = this.names[name];
    if (!table) throw new Error(`this function was not given the ${name} table`);
    return table;
  }

  /**
   * One transaction: the order, its idempotency record and each line's units off stock. A
   * line of a hot product takes its units from one of the product's buckets, drawn at
   * random so that concurrent orders spread over the buckets' partitions; a bucket short of
   * the line cancels the transaction, and the order is tried again with another bucket.
   * When none is left to try, or a bucket is gone (the stock moved since it was read), the
   * product and its buckets are read again: the order goes on with the buckets that now
   * hold the line (or with the product itself, turned cold), and is refused only when none
   * does. A line is never split over buckets, so a release knows where to put it back; so a
   * line no one bucket holds is refused even when the buckets hold it between them.
   * Nothing is written to a hot product's own item, so its partition is not the bottleneck
   * the buckets are there to avoid; whether it is on sale was checked by the consistent read
   * the order was priced from, so one archived in the moment since may still be sold.
   */
  async placeOrder(
    order: Order,
    idempotency?: IdempotencyClaim,
    stockBuckets: ReadonlyMap<string, number> = new Map(),
  ): Promise<ReservationResult> {
    // Per hot product, the buckets still to try for its line, in the order to try them.
    const untried = new Map(
      [...stockBuckets].map(([productId, buckets]) => [
        productId,
        shuffled(bucketNumbers(buckets)),
      ]),
    );
    let rereads = 0;
    for (;;) {
      const items = order.items.map((line): OrderLine => {
        const left = untried.get(line.productId);
        return left ? { ...line, stockBucket: left[0] } : line;
      });
      const hot = items.some((line) => line.stockBucket !== undefined);
      const outcome = await transactWrite(
        this.client,
        this.placeWrites({ ...order, items }, idempotency),
        `order ${order.orderId}`,
      );
      if (outcome === "written") return hot ? { kind: "placed", items } : { kind: "placed" };
      // A failed condition is a decision, not something to try again; but for a bucket short
      // of the line, which only says to try the next one.
      const failed = outcome.flatMap((r, i) => (r.Code === "ConditionalCheckFailed" ? [i] : []));
      if (failed.includes(0)) throw new Error(`order id ${order.orderId} already exists`);
      if (idempotency && failed.includes(1)) return { kind: "idempotencyKeyTaken" };
      const firstLine = idempotency ? 2 : 1;
      const reread = new Set<string>();
      for (const index of failed) {
        const line = items[index - firstLine];
        if (!line) throw new Error(`order ${order.orderId}: a condition failed on no line`);
        const oldItem = outcome[index]?.Item;
        const old = oldItem ? unmarshall(oldItem) : undefined;
        if (line.stockBucket !== undefined) {
          const left = untried.get(line.productId);
          // A bucket without stock (gone, or retired): the stock moved since it was read.
          if (typeof old?.stock === "number") left?.shift();
          if (typeof old?.stock !== "number" || left?.length === 0) reread.add(line.productId);
          continue;
        }
        if (!old) return { kind: "productNotFound", productId: line.productId };
        if (old.archived === true) return { kind: "productUnavailable", productId: line.productId };
        // Turned hot since it was read: its stock is in the buckets now.
        if (typeof old.stockBuckets === "number") {
          reread.add(line.productId);
          continue;
        }
        return {
          kind: "insufficientStock",
          productId: line.productId,
          available: typeof old.stock === "number" ? old.stock : 0,
        };
      }
      if (reread.size > 0 && ++rereads > MAX_REREADS) {
        throw new ContentionError(`order ${order.orderId}: its products' stock kept moving`);
      }
      for (const productId of reread) {
        const stock = await this.stockOf(productId);
        if (!stock) return { kind: "productNotFound", productId };
        const quantity = order.items.find((line) => line.productId === productId)?.quantity ?? 0;
        if (!stock.buckets) {
          untried.delete(productId);
          continue;
        }
        const holding = bucketNumbers(stock.buckets.length).filter(
          (k) => (stock.buckets?.[k] ?? 0) >= quantity,
        );
        if (holding.length === 0) {
          return { kind: "insufficientStock", productId, available: Number(stock.item.stock) };
        }
        untried.set(productId, shuffled(holding));
      }
    }
  }

  private placeWrites(order: Order, idempotency: IdempotencyClaim | undefined): TransactItems {
    const nowSeconds = Math.floor(Date.parse(order.createdAt) / 1000);
    return [
      {
        Put: {
          TableName: this.names.orders,
          Item: { ...order, owed: { ...order.owed, ...OWED_KEEPER }, ...this.indexKeys(order) },
          ConditionExpression: "attribute_not_exists(orderId)",
        },
      },
      ...(idempotency
        ? [
            {
              Put: {
                TableName: this.table("idempotency"),
                Item: { ...idempotency, orderId: order.orderId },
                // An expired record may be taken over; DynamoDB's TTL deletes lazily.
                ConditionExpression: "attribute_not_exists(#key) OR expiresAt <= :now",
                ExpressionAttributeNames: { "#key": "key" },
                ExpressionAttributeValues: { ":now": nowSeconds },
              },
            },
          ]
        : []),
      ...order.items.map((line) =>
        line.stockBucket === undefined
          ? {
              Update: {
                TableName: this.table("products"),
                Key: { productId: line.productId },
                UpdateExpression: "SET stock = stock - :quantity, updatedAt = :now",
                // An archived product is not sold, even if it was archived a moment ago; a
                // hot one's stock is not here, but in its buckets.
                ConditionExpression:
                  "attribute_exists(productId) AND attribute_not_exists(stockBuckets) AND stock >= :quantity AND (attribute_not_exists(archived) OR archived = :no)",
                ExpressionAttributeValues: {
                  ":quantity": line.quantity,
                  ":now": order.createdAt,
                  ":no": false,
                },
                ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const,
              },
            }
          : {
              Update: {
                TableName: this.table("products"),
                Key: { productId: stockBucketKey(line.productId, line.stockBucket) },
                UpdateExpression: "SET stock = stock - :quantity",
                // Fails on a bucket that is not there or retired, too: this never creates one.
                ConditionExpression: "stock >= :quantity",
                ExpressionAttributeValues: { ":quantity": line.quantity },
                ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const,
              },
            },
      ),
    ];
  }

  /**
   * The product as it is now, read consistently, a hot one with its buckets' stock (BatchGetItem
   * is how the functions that order and release read the products); undefined when it is gone.
   */
  private async stockOf(productId: string): Promise<StockView | undefined> {
    const table = this.table("products");
    const items = await batchGetItems(this.client, table, [{ productId }], true);
    const [view] = await withBucketStock(this.client, table, items, true);
    return view;
  }

  async getOrder(orderId: string): Promise<Order | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.names.orders, Key: { orderId }, ConsistentRead: true }),
    );
    return Item ? orderFromItem(Item) : undefined;
  }

  /**
   * A page of the customer's orders, newest first. Read backward, the index is walked the
   * other way (oldest first) from the cursor, and the page turned back.
   */
  async listCustomerOrders(customerId: string, page: PageRequest): Promise<Page<Order>> {
    const backward = "last" in page;
    const size = backward ? page.last : page.first;
    const cursor = backward ? page.before : page.after;
    const startKey = cursor ? decodeCursor(cursor, CUSTOMER_KEY) : undefined;
    // Another customer's cursor would make DynamoDB fail the query: it is not for this list.
    if (startKey && startKey.customerId !== customerId) throw new InvalidCursorError();
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.names.orders,
        IndexName: CUSTOMER_INDEX.indexName,
        KeyConditionExpression: "customerId = :customerId",
        ExpressionAttributeValues: { ":customerId": customerId },
        ScanIndexForward: backward,
        Limit: size + 1,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const read = toPage(Items, size, CUSTOMER_KEY, orderFromItem);
    return backward ? readBackward(read) : read;
  }

  async getIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.table("idempotency"), Key: { key }, ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const parsed = z
      .object({
        key: z.string(),
        requestHash: z.string(),
        orderId: z.string(),
        expiresAt: z.number(),
      })
      .safeParse(Item);
    if (!parsed.success) {
      throw new CorruptRecordError(`idempotency record ${key} is malformed`, {
        cause: parsed.error,
      });
    }
    return parsed.data;
  }

  /**
   * The sparse-index keys of a new order: it owes its `order_created` (`byOwed`) and it is
   * PENDING (`byPending`). Each index is spread over a few partition keys,
   * so no single key takes every order's writes.
   */
  private indexKeys(order: Order): Record<string, string> {
    const shard = shardOf(order.orderId);
    return {
      ...(order.owed && Object.keys(order.owed).length > 0
        ? { owedShard: shard, owedSince: order.createdAt }
        : {}),
      ...(order.status === "PENDING" ? { pendingShard: shard, pendingSince: order.createdAt } : {}),
    };
  }

  async changeStatus(change: StatusChange): Promise<"changed" | "conflict" | "notFound"> {
    const names: Record<string, string> = { "#status": "status" };
    const values: Record<string, unknown> = {
      ":from": change.from,
      ":fromVersion": change.fromVersion,
      ":to": change.to,
      ":at": change.at,
      ":actor": change.actor,
      ":one": 1,
    };
    const set = ["#status = :to", "updatedAt = :at", "updatedBy = :actor"];
    const remove: string[] = [];
    if (change.reason !== undefined) {
      set.push("statusReason = :reason");
      values[":reason"] = change.reason;
    }
    if (change.fraudAssessment !== undefined) {
      set.push("fraudAssessment = :assessment");
      values[":assessment"] = change.fraudAssessment;
    }
    if (change.paymentAuthorizationId !== undefined) {
      set.push("paymentAuthorizationId = :authorization");
      values[":authorization"] = change.paymentAuthorizationId;
    }
    if (change.event) {
      // The event goes into the outbox in the same write as the change that owes it.
      set.push(
        "owed.#event = :event",
        "owedSince = if_not_exists(owedSince, :at)",
        "owedShard = :shard",
      );
      names["#event"] = change.event.eventId;
      values[":event"] = change.event;
      values[":shard"] = shardOf(change.orderId);
    }
    // An order that leaves PENDING has settled: it leaves the reconciler's index too.
    if (change.from === "PENDING") remove.push("pendingSince", "pendingShard");
    const update = `SET ${set.join(", ")}${remove.length ? ` REMOVE ${remove.join(", ")}` : ""} ADD version :one`;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.names.orders,
          Key: { orderId: change.orderId },
          UpdateExpression: update,
          ConditionExpression: "#status = :from AND version = :fromVersion",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return "changed";
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return error.Item ? "conflict" : "notFound";
    }
  }

  async clearOwed(orderId: string, eventId: string): Promise<void> {
    const key = { orderId };
    const names = { "#event": eventId };
    try {
      // Most often the event is the only one owed: the order leaves the index in the same write.
      await this.client.send(
        new UpdateCommand({
          TableName: this.names.orders,
          Key: key,
          UpdateExpression: "REMOVE owed.#event, owedSince, owedShard",
          // This event and the keeper: nothing else is owed.
          ConditionExpression: "attribute_exists(owed.#event) AND size(owed) = :two",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ":two": 2 },
        }),
      );
      return;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.names.orders,
          Key: key,
          UpdateExpression: "REMOVE owed.#event",
          ConditionExpression: "attribute_exists(owed.#event)",
          ExpressionAttributeNames: names,
        }),
      );
    } catch (error) {
      // Cleared already, by another delivery of the same event.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  ordersOwingSince(instant: string): AsyncIterable<{ orderId: string; since: string }> {
    return this.sparseIndexBefore(OWED_INDEX, "owedShard", "owedSince", instant);
  }

  ordersPendingSince(instant: string): AsyncIterable<{ orderId: string; since: string }> {
    return this.sparseIndexBefore(PENDING_INDEX, "pendingShard", "pendingSince", instant);
  }

  /** The order ids in every shard of a sparse index whose sort key is before `instant`. */
  private async *sparseIndexBefore(
    indexName: string,
    shardKey: string,
    timeKey: string,
    instant: string,
  ): AsyncIterable<{ orderId: string; since: string }> {
    for (let shard = 0; shard < INDEX_SHARDS; shard++) {
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.names.orders,
            IndexName: indexName,
            KeyConditionExpression: "#shard = :shard AND #time < :instant",
            ExpressionAttributeNames: { "#shard": shardKey, "#time": timeKey },
            ExpressionAttributeValues: { ":shard": `s${shard}`, ":instant": instant },
            ExclusiveStartKey,
          }),
        );
        for (const item of page.Items ?? []) {
          yield { orderId: String(item.orderId), since: String(item[timeKey]) };
        }
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
    }
  }

  async customerOrderCounts(
    customerId: string,
    from: string,
    before: string,
  ): Promise<{ inWindow: number; anyEarlier: boolean }> {
    const inWindow = async () => {
      // BETWEEN includes its upper bound, and the interval is half-open: the orders placed
      // at `before` itself are read (their keys only) and left out.
      let count = 0;
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.names.orders,
            IndexName: CUSTOMER_INDEX.indexName,
            KeyConditionExpression: "customerId = :customerId AND createdAt BETWEEN :from AND :to",
            ExpressionAttributeValues: { ":customerId": customerId, ":from": from, ":to": before },
            ProjectionExpression: "createdAt",
            ExclusiveStartKey,
          }),
        );
        count += (page.Items ?? []).filter((item) => String(item.createdAt) < before).length;
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return count;
    };
    const anyEarlier = async () => {
      const { Count = 0 } = await this.client.send(
        new QueryCommand({
          TableName: this.names.orders,
          IndexName: CUSTOMER_INDEX.indexName,
          KeyConditionExpression: "customerId = :customerId AND createdAt < :before",
          ExpressionAttributeValues: { ":customerId": customerId, ":before": before },
          Select: "COUNT",
          Limit: 1,
        }),
      );
      return Count > 0;
    };
    const [window, earlier] = await Promise.all([inWindow(), anyEarlier()]);
    return { inWindow: window, anyEarlier: earlier };
  }

  /**
   * Puts each line's units back where they were taken from: the bucket the line names, or
   * the product itself. If the product's stock has moved since (a bucket gone, or the
   * product turned hot or cold), the units go where its stock is now, so none is lost.
   */
  async releaseStock(
    order: Order,
    actor: string,
    at: string,
  ): Promise<"released" | "alreadyReleased" | "notReleasable"> {
    // Per product, the bucket its units go back to (undefined: the product itself).
    const into = new Map(order.items.map((line) => [line.productId, line.stockBucket]));
    for (let attempt = 1; ; attempt++) {
      const outcome = await transactWrite(
        this.client,
        [
          {
            Update: {
              TableName: this.names.orders,
              Key: { orderId: order.orderId },
              UpdateExpression:
                "SET stockReleased = :yes, updatedAt = :at, updatedBy = :actor ADD version :one",
              ConditionExpression: `attribute_not_exists(stockReleased) AND #status IN (${Object.keys(RELEASING).join(", ")})`,
              ExpressionAttributeNames: { "#status": "status" },
              ExpressionAttributeValues: {
                ":yes": true,
                ":at": at,
                ":actor": actor,
                ":one": 1,
                ...RELEASING,
              },
              ReturnValuesOnConditionCheckFailure: "ALL_OLD",
            },
          },
          ...order.items.map((line) => {
            const bucket = into.get(line.productId);
            return bucket === undefined
              ? {
                  Update: {
                    TableName: this.table("products"),
                    Key: { productId: line.productId },
                    UpdateExpression: "ADD stock :quantity SET updatedAt = :at",
                    ConditionExpression:
                      "attribute_exists(productId) AND attribute_not_exists(stockBuckets)",
                    ExpressionAttributeValues: { ":quantity": line.quantity, ":at": at },
                  },
                }
              : {
                  Update: {
                    TableName: this.table("products"),
                    Key: { productId: stockBucketKey(line.productId, bucket) },
                    UpdateExpression: "ADD stock :quantity",
                    // Not into a retired bucket (no stock): the product's stock is elsewhere.
                    ConditionExpression: "attribute_exists(stock)",
                    ExpressionAttributeValues: { ":quantity": line.quantity },
                  },
                };
          }),
        ],
        `releasing the stock of order ${order.orderId}`,
      );
      if (outcome === "written") return "released";
      const [orderReason, ...lineReasons] = outcome;
      if (orderReason?.Code === "ConditionalCheckFailed") {
        const old = orderReason.Item ? unmarshall(orderReason.Item) : undefined;
        return old?.stockReleased ? "alreadyReleased" : "notReleasable";
      }
      if (attempt > MAX_REREADS) {
        throw new ContentionError(`releasing the stock of order ${order.orderId}: it kept moving`);
      }
      for (const [i, line] of order.items.entries()) {
        if (lineReasons[i]?.Code !== "ConditionalCheckFailed") continue;
        const stock = await this.stockOf(line.productId);
        if (!stock) {
          throw new Error(`releasing the stock of order ${order.orderId}: a product is gone`);
        }
        into.set(line.productId, bucketToRelease(line.stockBucket, stock.buckets?.length));
      }
    }
  }
}
