import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CatalogAdminService } from "../core/catalog/catalog-admin";
import type { PageRequest } from "../core/shared/page";
import { aProduct, createTestShop, type TestShop } from "../test/support/test-shop";
import { CatalogReadCache } from "./catalog-read-cache";
import {
  DynamoProductHistoryRepository,
  DynamoProductRepository,
} from "./dynamo-product-repository";
import { SnsEventPublisher } from "./sns-event-publisher";
import { systemClock, uuidGenerator } from "./system-clock";

let shop: TestShop;

/** The real table, with a count of the display reads that reached it. */
class CountedTable extends DynamoProductRepository {
  reads = 0;
  override getProduct(productId: string) {
    this.reads++;
    return super.getProduct(productId);
  }
  override listProducts(request: PageRequest & { category?: string }) {
    this.reads++;
    return super.listProducts(request);
  }
}

beforeAll(async () => {
  shop = await createTestShop({ catalog: "empty" });
  await shop.putProducts(
    Array.from({ length: 5 }, (_, i) => aProduct({ productId: `cache-${i}`, stock: 10 })),
  );
});
afterAll(() => shop.destroy());

function cacheOverTable(options: { ttlMs?: number; maxEntries?: number } = {}) {
  let now = 1_000;
  const table = new CountedTable(
    shop.local.document,
    shop.provisioned.tableNames.products,
    shop.provisioned.tableNames.productHistory,
  );
  const cache = new CatalogReadCache(table, { ...options, now: () => now });
  return { table, cache, advance: (ms: number) => (now += ms) };
}

const setStock = (productId: string, stock: number) =>
  shop.local.document.send(
    new UpdateCommand({
      TableName: shop.provisioned.tableNames.products,
      Key: { productId },
      UpdateExpression: "SET stock = :s",
      ExpressionAttributeValues: { ":s": stock },
    }),
  );

describe("CatalogReadCache", () => {
  it("answers concurrent and repeated display reads with one read of the table per key and TTL", async () => {
    const { table, cache, advance } = cacheOverTable({ ttlMs: 1000 });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => cache.getProduct("cache-1")),
    );
    expect(answers.every((p) => p?.productId === "cache-1")).toBe(true);
    await cache.listProducts({ first: 3 });
    await cache.listProducts({ first: 3 });
    expect(table.reads).toBe(2);
    // A different page is a different read.
    await cache.listProducts({ first: 2 });
    expect(table.reads).toBe(3);
    advance(1001);
    await cache.getProduct("cache-1");
    expect(table.reads).toBe(4);
  });

  it("keeps pages read backward apart from pages read forward, and each cursor's apart", async () => {
    const { table, cache } = cacheOverTable({ ttlMs: 60_000 });
    const ids = (page: { edges: readonly { node: { productId: string } }[] }) =>
      page.edges.map((e) => e.node.productId);
    const forward = await cache.listProducts({ first: 2, category: "Test" });
    const backward = await cache.listProducts({ last: 2, category: "Test" });
    expect([ids(forward), ids(backward)]).toEqual([
      ["cache-0", "cache-1"],
      ["cache-3", "cache-4"],
    ]);
    const before = backward.edges[0]?.cursor;
    const earlier = await cache.listProducts({
      last: 2,
      category: "Test",
      ...(before ? { before } : {}),
    });
    expect(ids(earlier)).toEqual(["cache-1", "cache-2"]);
    expect(table.reads).toBe(3);
  });

  it("shows a change made elsewhere within the TTL, and never to what an order is priced from", async () => {
    const { cache, advance } = cacheOverTable({ ttlMs: 1000 });
    expect((await cache.getProduct("cache-2"))?.stock).toBe(10);
    await setStock("cache-2", 3);
    // Display reads may be up to the TTL old...
    expect((await cache.getProduct("cache-2"))?.stock).toBe(10);
    // ...orders and changes read the table itself.
    expect((await cache.getProducts(["cache-2"])).get("cache-2")?.stock).toBe(3);
    expect((await cache.getProductForChange("cache-2"))?.stock).toBe(3);
    advance(1001);
    expect((await cache.getProduct("cache-2"))?.stock).toBe(3);
  });

  it("forgets everything after a change made through it", async () => {
    const { table, cache } = cacheOverTable({ ttlMs: 60_000 });
    const before = await cache.getProduct("cache-3");
    expect(before?.stock).toBe(10);
    const admin = new CatalogAdminService({
      products: cache,
      history: new DynamoProductHistoryRepository(
        shop.local.document,
        shop.provisioned.tableNames.productHistory,
      ),
      publisher: new SnsEventPublisher(shop.local.sns, shop.provisioned.topicArn),
      clock: systemClock,
      ids: uuidGenerator,
      logger: { info: () => {}, warn: () => {}, error: () => {} },
    });
    const adjusted = await admin.adjustStock(
      { kind: "admin", subject: "cache-test" },
      { productId: "cache-3", delta: -4, reason: "damaged" },
    );
    expect(adjusted.kind).toBe("changed");
    expect((await cache.getProduct("cache-3"))?.stock).toBe(6);
    expect(table.reads).toBe(2);
  });

  it("does not remember a failed read", async () => {
    const { cache } = cacheOverTable();
    // A cursor that is not one of ours fails in the table's read...
    await expect(cache.listProducts({ first: 2, after: "not-a-cursor" })).rejects.toThrow();
    // ...and the same request fails again (read again) instead of answering a remembered failure forever.
    await expect(cache.listProducts({ first: 2, after: "not-a-cursor" })).rejects.toThrow();
    expect(await cache.getProduct("cache-4")).toMatchObject({ productId: "cache-4" });
  });

  it("keeps at most maxEntries reads, whatever ids callers ask for", async () => {
    const { table, cache } = cacheOverTable({ ttlMs: 60_000, maxEntries: 3 });
    for (let i = 0; i < 10; i++) await cache.getProduct(`missing-${i}`);
    expect(table.reads).toBe(10);
    // The three most recent are still remembered; the first is gone.
    await cache.getProduct("missing-9");
    expect(table.reads).toBe(10);
    await cache.getProduct("missing-0");
    expect(table.reads).toBe(11);
  });
});
