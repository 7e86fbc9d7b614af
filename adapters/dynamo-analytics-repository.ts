import { createHash } from "node:crypto";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type DailySales, dayOf, minuteOf, type ProductSales } from "../core/analytics/daily-sales";
import type { AnalyticsRepository } from "../core/analytics/ports";
import { unitsIn } from "../core/orders/order";
import type { OrderCreatedData, StockAdjustedData } from "../core/shared/events";
import { queryAll } from "./query-all";
import { type TransactItems, transactWrite } from "./transactions";

/** How long an event id is remembered for deduplication; SNS redelivers within hours. */
const DEDUPE_TTL_SECONDS = 7 * 24 * 60 * 60;

/**
 * How many partition keys one day's counters are spread over. DynamoDB takes about 1,000
 * write units a second on one partition key and a write inside a transaction costs 2, so a
 * one-line order (its TOTAL and one PRODUCT item) costs 4 units on its key: on one key the
 * whole shop would stall near 250 orders a second, while 32 keys take 5,000 one-line orders
 * a second at about 625 units each.
 *
 * A constant rather than a setting, because changing it on a live table strands counts:
 * lowering it leaves the shards above the new count unread, and an environment variable could
 * differ between the functions that write and the api that reads. Raising it is safe, as every
 * old shard number stays in the range that is read.
 */
export const ANALYTICS_DAY_SHARDS = 32;

/**
 * The shard an event's counts go to: a stable hash of its id, so a redelivered event lands on
 * the same keys as its first delivery (its dedupe marker then refuses it in the same
 * transaction), while distinct events spread evenly over the shards.
 */
export function analyticsShardOf(eventId: string): number {
  return createHash("sha256").update(eventId).digest().readUInt32BE(0) % ANALYTICS_DAY_SHARDS;
}

/** The partition key of one shard of a day's counters, `DAY#<date>#<shard>`. */
export function analyticsDayKey(day: string, shard: number): string {
  return `DAY#${day}#${shard}`;
}

/** The partition key of one shard of a minute's per-product order counts. */
export function analyticsMinuteKey(minute: string, shard: number): string {
  return `MINUTE#${minute}#${shard}`;
}

/** A minute's order counts are read within the hour, and kept a day. */
const MINUTE_TTL_SECONDS = 24 * 60 * 60;

/**
 * The key days were counted under before their counters were sharded; still read, so those
 * days keep answering, and never written any more.
 */
function unshardedDayKey(day: string): string {
  return `DAY#${day}`;
}

/**
 * Counters in one table: `DAY#<date>#<shard>` / `TOTAL`, `DAY#<date>#<shard>` / `PRODUCT#<id>`
 * and `DAY#<date>#<shard>` / `WRITEOFFS`, grown with atomic ADDs in the same transaction as the
 * event's dedupe marker `EVENT#<id>`, so an event is counted exactly once however often it
 * arrives. A day's answer is the sum over its shards.
 */
export class DynamoAnalyticsRepository implements AnalyticsRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async countOrder(eventId: string, order: OrderCreatedData): Promise<"counted" | "duplicate"> {
    const pk = analyticsDayKey(dayOf(order.createdAt), analyticsShardOf(eventId));
    const units = unitsIn(order);
    const add = (sk: string, orderUnits: number, revenueCents: number) => ({
      Update: {
        TableName: this.tableName,
        Key: { pk, sk },
        UpdateExpression: "ADD orders :one, units :units, revenueCents :revenue",
        ExpressionAttributeValues: { ":one": 1, ":units": orderUnits, ":revenue": revenueCents },
      },
    });
    // Each product's orders in the minute, for finding a product sold fast enough to be hot;
    // sharded as the day is, so a flash sale's product is no hot key here either.
    const minutePk = analyticsMinuteKey(minuteOf(order.createdAt), analyticsShardOf(eventId));
    const expiresAt = Math.floor(Date.parse(order.createdAt) / 1000) + MINUTE_TTL_SECONDS;
    return this.countOnce(eventId, [
      add("TOTAL", units, order.totalCents),
      ...order.items.map((line) =>
        add(`PRODUCT#${line.productId}`, line.quantity, line.lineTotalCents),
      ),
      ...order.items.map((line) => ({
        Update: {
          TableName: this.tableName,
          Key: { pk: minutePk, sk: `PRODUCT#${line.productId}` },
          UpdateExpression: "ADD orders :one SET expiresAt = :expires",
          ExpressionAttributeValues: { ":one": 1, ":expires": expiresAt },
        },
      })),
    ]);
  }

  async productOrdersInMinute(minute: string): Promise<ReadonlyMap<string, number>> {
    const counts = new Map<string, number>();
    const shards = await Promise.all(
      Array.from({ length: ANALYTICS_DAY_SHARDS }, (_, shard) =>
        queryAll(this.client, {
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": analyticsMinuteKey(minute, shard) },
        }),
      ),
    );
    for (const item of shards.flat()) {
      const productId = String(item.sk).slice("PRODUCT#".length);
      counts.set(productId, (counts.get(productId) ?? 0) + Number(item.orders ?? 0));
    }
    return counts;
  }

  async countStockAdjustment(
    eventId: string,
    adjustment: StockAdjustedData,
  ): Promise<"counted" | "duplicate" | "notAWriteOff"> {
    if (adjustment.delta >= 0) return "notAWriteOff";
    return this.countOnce(eventId, [
      {
        Update: {
          TableName: this.tableName,
          Key: {
            pk: analyticsDayKey(dayOf(adjustment.adjustedAt), analyticsShardOf(eventId)),
            sk: "WRITEOFFS",
          },
          UpdateExpression: "ADD writeOffs :one, units :units",
          ExpressionAttributeValues: { ":one": 1, ":units": -adjustment.delta },
        },
      },
    ]);
  }

  /** Applies the counters' updates with the event's dedupe marker, in one transaction. */
  private async countOnce(
    eventId: string,
    updates: TransactItems,
  ): Promise<"counted" | "duplicate"> {
    const outcome = await transactWrite(
      this.client,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: {
              pk: `EVENT#${eventId}`,
              sk: "COUNTED",
              expiresAt: Math.floor(Date.now() / 1000) + DEDUPE_TTL_SECONDS,
            },
            ConditionExpression: "attribute_not_exists(pk)",
          },
        },
        ...updates,
      ],
      `counting event ${eventId}`,
    );
    return outcome === "written" ? "counted" : "duplicate";
  }

  async getDailySales(day: string): Promise<DailySales> {
    // The unsharded key is read too, so days counted before the counters were sharded still
    // answer (and a day that straddles the change sums both); it costs one more query.
    const keys = [
      unshardedDayKey(day),
      ...Array.from({ length: ANALYTICS_DAY_SHARDS }, (_, shard) => analyticsDayKey(day, shard)),
    ];
    const shards = await Promise.all(
      keys.map((pk) =>
        queryAll(this.client, {
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": pk },
        }),
      ),
    );
    const total = { orders: 0, units: 0, revenueCents: 0 };
    const byProduct = new Map<string, ProductSales>();
    let stockWriteOffs = 0;
    let unitsWrittenOff = 0;
    for (const item of shards.flat()) {
      const sk = String(item.sk);
      if (sk === "WRITEOFFS") {
        stockWriteOffs += Number(item.writeOffs ?? 0);
        unitsWrittenOff += Number(item.units ?? 0);
        continue;
      }
      const orders = Number(item.orders ?? 0);
      const units = Number(item.units ?? 0);
      const revenueCents = Number(item.revenueCents ?? 0);
      if (sk === "TOTAL") {
        total.orders += orders;
        total.units += units;
        total.revenueCents += revenueCents;
      } else if (sk.startsWith("PRODUCT#")) {
        const productId = sk.slice("PRODUCT#".length);
        const counted = byProduct.get(productId);
        byProduct.set(productId, {
          productId,
          orders: (counted?.orders ?? 0) + orders,
          units: (counted?.units ?? 0) + units,
          revenueCents: (counted?.revenueCents ?? 0) + revenueCents,
        });
      }
    }
    return {
      day,
      ...total,
      // Ties keep the key order a single query used to give them, so the answer is stable.
      products: [...byProduct.values()].sort(
        (a, b) =>
          b.revenueCents - a.revenueCents ||
          (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0),
      ),
      stockWriteOffs,
      unitsWrittenOff,
    };
  }
}
