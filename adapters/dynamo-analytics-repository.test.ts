import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrderCreatedData } from "../core/shared/events";
import { createTestShop, type TestShop } from "../test/support/test-shop";
import {
  ANALYTICS_DAY_SHARDS,
  analyticsDayKey,
  analyticsShardOf,
  DynamoAnalyticsRepository,
} from "./dynamo-analytics-repository";
import { queryAll } from "./query-all";

let shop: TestShop;
let analytics: DynamoAnalyticsRepository;

beforeAll(async () => {
  shop = await createTestShop();
  analytics = new DynamoAnalyticsRepository(
    shop.local.document,
    shop.provisioned.tableNames.analytics,
  );
});
afterAll(() => shop.destroy());

const line = (productId: string, quantity: number, unitPriceCents: number) => ({
  productId,
  productName: productId,
  quantity,
  unitPriceCents,
  lineTotalCents: quantity * unitPriceCents,
});

function anOrder(
  orderId: string,
  createdAt: string,
  items: ReturnType<typeof line>[],
): OrderCreatedData {
  return {
    orderId,
    customerId: "c",
    status: "PENDING",
    items,
    totalCents: items.reduce((sum, l) => sum + l.lineTotalCents, 0),
    currency: "USD",
    createdAt,
  };
}

/** The items under one partition key, read straight from the table. */
function itemsUnder(pk: string) {
  return queryAll(shop.local.document, {
    TableName: shop.provisioned.tableNames.analytics,
    KeyConditionExpression: "pk = :pk",
    ExpressionAttributeValues: { ":pk": pk },
    ConsistentRead: true,
  });
}

/** Each shard's TOTAL item of a day, by shard number (shards with none left out). */
async function totalsByShard(day: string) {
  const shards = await Promise.all(
    Array.from({ length: ANALYTICS_DAY_SHARDS }, (_, shard) =>
      itemsUnder(analyticsDayKey(day, shard)),
    ),
  );
  const totals = new Map<number, { orders: number; units: number; revenueCents: number }>();
  shards.forEach((items, shard) => {
    const total = items.find((item) => item.sk === "TOTAL");
    if (total) {
      totals.set(shard, {
        orders: Number(total.orders),
        units: Number(total.units),
        revenueCents: Number(total.revenueCents),
      });
    }
  });
  return totals;
}

describe("DynamoAnalyticsRepository", () => {
  it("spreads concurrent orders over the day's shards and sums them back exactly", async () => {
    const day = "2026-04-01";
    const catalog = ["pen", "ink", "cap", "mug", "pad"];
    const expected = { orders: 0, units: 0, revenueCents: 0 };
    const expectedProducts = new Map<
      string,
      { productId: string; orders: number; units: number; revenueCents: number }
    >();
    const expectedPerShard = new Map<number, number>();
    const orders = Array.from({ length: 300 }, (_, i) => {
      const lineCount = 1 + Math.floor(Math.random() * 3);
      const offset = Math.floor(Math.random() * catalog.length);
      const items = Array.from({ length: lineCount }, (_, n) =>
        line(
          catalog[(offset + n) % catalog.length] as string,
          1 + Math.floor(Math.random() * 4),
          100 + Math.floor(Math.random() * 900),
        ),
      );
      const eventId = `order_created:load-${i}`;
      const order = anOrder(`load-${i}`, `${day}T12:00:00.000Z`, items);
      expected.orders += 1;
      expected.units += items.reduce((sum, l) => sum + l.quantity, 0);
      expected.revenueCents += order.totalCents;
      for (const l of items) {
        const counted = expectedProducts.get(l.productId);
        expectedProducts.set(l.productId, {
          productId: l.productId,
          orders: (counted?.orders ?? 0) + 1,
          units: (counted?.units ?? 0) + l.quantity,
          revenueCents: (counted?.revenueCents ?? 0) + l.lineTotalCents,
        });
      }
      const shard = analyticsShardOf(eventId);
      expectedPerShard.set(shard, (expectedPerShard.get(shard) ?? 0) + 1);
      return { eventId, order };
    });

    const outcomes = await Promise.all(
      orders.map(({ eventId, order }) => analytics.countOrder(eventId, order)),
    );
    expect(outcomes.every((outcome) => outcome === "counted")).toBe(true);

    const totals = await totalsByShard(day);
    const summed = [...totals.values()].reduce(
      (sum, t) => ({
        orders: sum.orders + t.orders,
        units: sum.units + t.units,
        revenueCents: sum.revenueCents + t.revenueCents,
      }),
      { orders: 0, units: 0, revenueCents: 0 },
    );
    expect(summed).toEqual(expected);
    expect(totals.size).toBeGreaterThan(1);
    // Each order sits on the shard its event id hashes to, and nothing on the unsharded key.
    expect(new Map([...totals].map(([shard, t]) => [shard, t.orders] as const))).toEqual(
      expectedPerShard,
    );
    expect(await itemsUnder(`DAY#${day}`)).toEqual([]);

    const sales = await analytics.getDailySales(day);
    expect(sales).toMatchObject({ day, ...expected, stockWriteOffs: 0, unitsWrittenOff: 0 });
    expect([...sales.products].sort((a, b) => a.productId.localeCompare(b.productId))).toEqual(
      [...expectedProducts.values()].sort((a, b) => a.productId.localeCompare(b.productId)),
    );
    const revenues = sales.products.map((p) => p.revenueCents);
    expect(revenues).toEqual([...revenues].sort((a, b) => b - a));
  });

  it("counts an event sent five times at once only once", async () => {
    const day = "2026-04-02";
    const order = anOrder("twice", `${day}T08:00:00.000Z`, [line("pen", 2, 150)]);
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => analytics.countOrder("order_created:twice", order)),
    );
    expect(outcomes.filter((outcome) => outcome === "counted")).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === "duplicate")).toHaveLength(4);

    const totals = await totalsByShard(day);
    expect([...totals.keys()]).toEqual([analyticsShardOf("order_created:twice")]);
    expect(await analytics.getDailySales(day)).toEqual({
      day,
      orders: 1,
      units: 2,
      revenueCents: 300,
      products: [{ productId: "pen", orders: 1, units: 2, revenueCents: 300 }],
      stockWriteOffs: 0,
      unitsWrittenOff: 0,
    });
  });

  it("still answers for a day counted under the unsharded key, summed with its sharded counts", async () => {
    const day = "2026-04-03";
    const legacy = async (sk: string, values: Record<string, number>) => {
      const names = Object.keys(values);
      await shop.local.document.send(
        new UpdateCommand({
          TableName: shop.provisioned.tableNames.analytics,
          Key: { pk: `DAY#${day}`, sk },
          UpdateExpression: `ADD ${names.map((name) => `${name} :${name}`).join(", ")}`,
          ExpressionAttributeValues: Object.fromEntries(
            names.map((name) => [`:${name}`, values[name]]),
          ),
        }),
      );
    };
    await legacy("TOTAL", { orders: 2, units: 5, revenueCents: 2500 });
    await legacy("PRODUCT#pen", { orders: 2, units: 3, revenueCents: 450 });
    await legacy("PRODUCT#lamp", { orders: 1, units: 2, revenueCents: 2050 });
    await legacy("WRITEOFFS", { writeOffs: 1, units: 4 });

    expect(await analytics.getDailySales(day)).toEqual({
      day,
      orders: 2,
      units: 5,
      revenueCents: 2500,
      products: [
        { productId: "lamp", orders: 1, units: 2, revenueCents: 2050 },
        { productId: "pen", orders: 2, units: 3, revenueCents: 450 },
      ],
      stockWriteOffs: 1,
      unitsWrittenOff: 4,
    });

    await analytics.countOrder(
      "order_created:after-1",
      anOrder("after-1", `${day}T15:00:00.000Z`, [line("pen", 4, 150), line("ink", 1, 900)]),
    );
    await analytics.countOrder(
      "order_created:after-2",
      anOrder("after-2", `${day}T16:00:00.000Z`, [line("lamp", 1, 1025)]),
    );
    expect(
      await analytics.countStockAdjustment("stock_adjusted:after-3", {
        productId: "pen",
        delta: -2,
        stockBefore: 10,
        stockAfter: 8,
        reason: "water damage",
        actor: "admin:owner",
        adjustedAt: `${day}T17:00:00.000Z`,
      }),
    ).toBe("counted");
    const writeOffShard = analyticsDayKey(day, analyticsShardOf("stock_adjusted:after-3"));
    expect((await itemsUnder(writeOffShard)).map((item) => item.sk)).toContain("WRITEOFFS");

    expect(await analytics.getDailySales(day)).toEqual({
      day,
      orders: 4,
      units: 11,
      revenueCents: 5025,
      products: [
        { productId: "lamp", orders: 2, units: 3, revenueCents: 3075 },
        { productId: "pen", orders: 3, units: 7, revenueCents: 1050 },
        { productId: "ink", orders: 1, units: 1, revenueCents: 900 },
      ],
      stockWriteOffs: 2,
      unitsWrittenOff: 6,
    });
  });
});
