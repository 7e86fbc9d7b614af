import { type DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { type DailySales, dayOf, type ProductSales } from "../core/analytics/daily-sales";
import type { AnalyticsRepository } from "../core/analytics/ports";
import { unitsIn } from "../core/orders/order";
import type { OrderCreatedData, StockAdjustedData } from "../core/shared/events";
import { type TransactItems, transactWrite } from "./transactions";

/** How long an event id is remembered for deduplication; SNS redelivers within hours. */
const DEDUPE_TTL_SECONDS = 7 * 24 * 60 * 60;

/**
 * Counters in one table: `DAY#<date>` / `TOTAL`, `DAY#<date>` / `PRODUCT#<id>` and
 * `DAY#<date>` / `WRITEOFFS`, grown
 * with atomic ADDs in the same transaction as the event's dedupe marker, so an event is
 * counted exactly once however often it arrives.
 */
export class DynamoAnalyticsRepository implements AnalyticsRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async countOrder(eventId: string, order: OrderCreatedData): Promise<"counted" | "duplicate"> {
    const pk = `DAY#${dayOf(order.createdAt)}`;
    const units = unitsIn(order);
    const add = (sk: string, orderUnits: number, revenueCents: number) => ({
      Update: {
        TableName: this.tableName,
        Key: { pk, sk },
        UpdateExpression: "ADD orders :one, units :units, revenueCents :revenue",
        ExpressionAttributeValues: { ":one": 1, ":units": orderUnits, ":revenue": revenueCents },
      },
    });
    return this.countOnce(eventId, [
      add("TOTAL", units, order.totalCents),
      ...order.items.map((line) =>
        add(`PRODUCT#${line.productId}`, line.quantity, line.lineTotalCents),
      ),
    ]);
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
          Key: { pk: `DAY#${dayOf(adjustment.adjustedAt)}`, sk: "WRITEOFFS" },
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
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": `DAY#${day}` },
      }),
    );
    const counters = (item: Record<string, unknown>) => ({
      orders: Number(item.orders ?? 0),
      units: Number(item.units ?? 0),
      revenueCents: Number(item.revenueCents ?? 0),
    });
    const total = Items.find((item) => item.sk === "TOTAL");
    const writeOffs = Items.find((item) => item.sk === "WRITEOFFS");
    const products: ProductSales[] = Items.filter((item) => String(item.sk).startsWith("PRODUCT#"))
      .map((item) => ({ productId: String(item.sk).slice("PRODUCT#".length), ...counters(item) }))
      .sort((a, b) => b.revenueCents - a.revenueCents);
    return {
      day,
      ...(total ? counters(total) : { orders: 0, units: 0, revenueCents: 0 }),
      products,
      stockWriteOffs: Number(writeOffs?.writeOffs ?? 0),
      unitsWrittenOff: Number(writeOffs?.units ?? 0),
    };
  }
}
