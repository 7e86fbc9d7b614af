import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { CUSTOMER_EMAIL_EVENTS } from "../../core/notifications/order-email";
import type { Order } from "../../core/orders/order";
import { STATUS_EVENTS } from "../../core/orders/order-events";
import type { OrderStatus } from "../../core/orders/order-status";
import type { EventType } from "../../core/shared/events";
import { eventually } from "./test-shop";

/** Where a drill's data is: a document client and the physical table names. */
export interface ShopData {
  readonly document: DynamoDBDocumentClient;
  readonly tables: { orders: string; products: string; orderHistory: string; mailOutbox: string };
}

const FINAL = new Set(["CONFIRMED", "REJECTED", "CANCELLED", "SHIPPED"]);
const RELEASING = new Set(["REJECTED", "CANCELLED"]);

const sameItems = (a: readonly string[], b: readonly string[]) =>
  JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

async function orderOf(data: ShopData, orderId: string): Promise<Order | undefined> {
  const { Item } = await data.document.send(
    new GetCommand({ TableName: data.tables.orders, Key: { orderId }, ConsistentRead: true }),
  );
  return Item as Order | undefined;
}

async function stockOf(data: ShopData, productId: string): Promise<number> {
  const { Item } = await data.document.send(
    new GetCommand({ TableName: data.tables.products, Key: { productId }, ConsistentRead: true }),
  );
  return Number(Item?.stock);
}

async function itemsOf(data: ShopData, table: string, orderId: string) {
  const { Items = [] } = await data.document.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: "orderId = :o",
      ExpressionAttributeValues: { ":o": orderId },
    }),
  );
  return Items;
}

/**
 * What "nothing lost" means, checked after a fault: every order placed reaches a final
 * status; no stock below zero; stock conserved (what was there = what is there + the units
 * of orders that keep theirs); every order's history has its creation and its final status;
 * one email for each status change the customer is told of, written exactly once; nothing
 * is still owed. Waits up to `timeoutMs` for the system to get there, and returns how long
 * it took and what it counted.
 */
export async function expectEverythingSettled(
  data: ShopData,
  orderIds: readonly string[],
  initialStock: ReadonlyMap<string, number>,
  {
    timeoutMs = 60_000,
    from = Date.now(),
  }: {
    timeoutMs?: number;
    /** When the fault ended (epoch ms): the recovery time is counted from it. */
    from?: number;
  } = {},
): Promise<Settled> {
  const owedOf = (order: Order) => Object.keys(order.owed ?? {}).filter((k) => k !== "_");
  const settled = (order: Order | undefined) =>
    order !== undefined &&
    FINAL.has(order.status) &&
    (!RELEASING.has(order.status) || order.stockReleased === true) &&
    owedOf(order).length === 0;
  const orders = await eventually(
    async () => Promise.all(orderIds.map((id) => orderOf(data, id))),
    (all) => all.every(settled),
    {
      timeoutMs,
      intervalMs: 250,
      what: "every order settled, its stock and events accounted for",
      describe: (all) => {
        const unsettled = all.flatMap((order, i) =>
          settled(order)
            ? []
            : [
                order
                  ? `${order.orderId} ${order.status}${order.stockReleased ? " released" : ""} owes [${owedOf(order).join(", ")}]`
                  : `${orderIds[i]} missing`,
              ],
        );
        return `${unsettled.length} of ${all.length} not settled: ${unsettled.slice(0, 10).join("; ")}`;
      },
    },
  );
  const settledMs = Date.now() - from;
  const kept = new Map<string, number>();
  for (const order of orders as Order[]) {
    if (RELEASING.has(order.status)) continue;
    for (const line of order.items) {
      kept.set(line.productId, (kept.get(line.productId) ?? 0) + line.quantity);
    }
  }
  for (const [productId, initial] of initialStock) {
    const now = await stockOf(data, productId);
    if (now < 0) throw new Error(`${productId} is below zero: ${now}`);
    if (initial !== now + (kept.get(productId) ?? 0)) {
      throw new Error(
        `${productId}: ${initial} at first, ${now} now, ${kept.get(productId) ?? 0} sold`,
      );
    }
  }
  const records = await eventually(
    async () =>
      Promise.all(
        (orders as Order[]).map(async (order) => ({
          order,
          history: await itemsOf(data, data.tables.orderHistory, order.orderId),
          mail: await itemsOf(data, data.tables.mailOutbox, order.orderId),
        })),
      ),
    (all) =>
      all.every(({ order, history, mail }) => {
        const changes = history.filter((h) => h.change === "STATUS_CHANGED");
        const created = history.some((h) => h.change === "CREATED");
        const reachedStatus = changes.some((h) => h.toStatus === order.status);
        // One email for each status change the customer is told about, exactly once.
        const owedMail = changes
          .map((h) => STATUS_EVENTS[h.toStatus as OrderStatus])
          .filter((type): type is EventType => type !== undefined)
          .filter((type) => (CUSTOMER_EMAIL_EVENTS as readonly EventType[]).includes(type));
        const mailed = mail.map((m) => String(m.eventType));
        return created && reachedStatus && sameItems(mailed, owedMail);
      }),
    { timeoutMs, intervalMs: 250, what: "every order's history and emails complete" },
  );
  const byStatus: Record<string, number> = {};
  for (const { order } of records) byStatus[order.status] = (byStatus[order.status] ?? 0) + 1;
  return {
    settledMs,
    orders: records.length,
    byStatus,
    historyEntries: records.reduce((sum, r) => sum + r.history.length, 0),
    emails: records.reduce((sum, r) => sum + r.mail.length, 0),
    products: initialStock.size,
  };
}

/** What `expectEverythingSettled` found, for a drill to report. */
export interface Settled {
  /** How long until every order was settled. */
  readonly settledMs: number;
  readonly orders: number;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly historyEntries: number;
  readonly emails: number;
  /** Products whose stock was checked to be conserved. */
  readonly products: number;
}

/** One line for a drill's report: the recovery time and the counts checked. */
export function describeSettled(what: string, settled: Settled, since = "the fault ended"): string {
  const statuses = Object.entries(settled.byStatus)
    .map(([status, n]) => `${n} ${status}`)
    .join(", ");
  return `${what}: every order settled ${settled.settledMs} ms after ${since}; checked ${settled.orders} orders (${statuses}), stock of ${settled.products} products conserved, ${settled.historyEntries} history entries, ${settled.emails} emails once each, nothing owed`;
}
