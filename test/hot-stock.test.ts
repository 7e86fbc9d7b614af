import { randomInt } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { GetCommand, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoOrderRepository } from "../adapters/dynamo-order-repository";
import {
  DynamoProductHistoryRepository,
  DynamoProductRepository,
  stockBucketKey,
} from "../adapters/dynamo-product-repository";
import { SnsEventPublisher } from "../adapters/sns-event-publisher";
import { systemClock, uuidGenerator } from "../adapters/system-clock";
import type { ApiHandler } from "../api/create-api";
import { CatalogAdminService } from "../core/catalog/catalog-admin";
import type { Product } from "../core/catalog/product";
import type { ProductHistoryEntry } from "../core/catalog/product-history";
import type { Order } from "../core/orders/order";
import type { OrderLifecycle } from "../core/orders/order-lifecycle";
import type { OrderService, PlaceOrderResult } from "../core/orders/order-service";
import { graphqlEvent, httpEvent, invoke } from "./support/api-events";
import {
  aProduct,
  asAdmin,
  createTestShop,
  MANY_CONTAINERS_IN_ONE_PROCESS,
  type TestShop,
} from "./support/test-shop";

let shop: TestShop;
let products: DynamoProductRepository;
let orderTable: DynamoOrderRepository;
let admin: CatalogAdminService;
let orders: OrderService;
let lifecycle: OrderLifecycle;

beforeAll(async () => {
  shop = await createTestShop();
  const tables = shop.provisioned.tableNames;
  products = new DynamoProductRepository(
    shop.local.document,
    tables.products,
    tables.productHistory,
  );
  orderTable = new DynamoOrderRepository(shop.local.document, tables);
  // The catalog admin over the table itself, as the api's is but for its read cache.
  admin = new CatalogAdminService({
    products,
    history: new DynamoProductHistoryRepository(shop.local.document, tables.productHistory),
    publisher: new SnsEventPublisher(shop.local.sns, shop.provisioned.topicArn),
    clock: systemClock,
    ids: uuidGenerator,
    logger: shop.logger,
  });
  const services = shop.services(MANY_CONTAINERS_IN_ONE_PROCESS);
  orders = services.orders;
  lifecycle = services.lifecycle;
});
afterAll(() => shop.destroy());

/** Each bucket's stock as stored, read consistently (undefined: no bucket, or retired). */
async function bucketsOf(productId: string, count = 16): Promise<(number | undefined)[]> {
  const stock = await Promise.all(
    Array.from({ length: count }, async (_, k) => {
      const { Item } = await shop.local.document.send(
        new GetCommand({
          TableName: shop.provisioned.tableNames.products,
          Key: { productId: stockBucketKey(productId, k) },
          ConsistentRead: true,
        }),
      );
      return Item?.stock as number | undefined;
    }),
  );
  return stock;
}

/** A hot product whose buckets hold `stock`, written directly (the product's own stock 0). */
async function hotProduct(productId: string, stock: readonly number[]): Promise<void> {
  await shop.putProducts([aProduct({ productId, stock: 0, stockBuckets: stock.length })]);
  for (const [k, units] of stock.entries()) {
    await shop.local.document.send(
      new PutCommand({
        TableName: shop.provisioned.tableNames.products,
        Item: { productId: stockBucketKey(productId, k), bucketOf: productId, stock: units },
      }),
    );
  }
}

function placedOrder(result: PlaceOrderResult): Order {
  if (result.kind !== "placed") throw new Error(`not placed: ${JSON.stringify(result)}`);
  return result.order;
}

/** `count` orders of one unit each, all at once, each by its own customer. */
function race(productId: string, count: number, customer = productId) {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      orders.placeOrder(asAdmin, {
        customerId: `${customer}-${i}`,
        items: [{ productId, quantity: 1 }],
      }),
    ),
  );
}

/** How many of the placed orders drew from each bucket. */
function drawnPerBucket(results: readonly PlaceOrderResult[], buckets: number): number[] {
  const drawn = Array<number>(buckets).fill(0);
  for (const result of results) {
    if (result.kind !== "placed") continue;
    const bucket = result.order.items[0]?.stockBucket;
    if (bucket === undefined) throw new Error(`order ${result.order.orderId} drew from no bucket`);
    drawn[bucket] = (drawn[bucket] ?? 0) + 1;
  }
  return drawn;
}

async function cancelAndRelease(order: Order): Promise<string> {
  const cancelled = await lifecycle.cancelOrder(asAdmin, order.orderId, "changed my mind");
  expect(cancelled.kind).toBe("changed");
  const stored = await orderTable.getOrder(order.orderId);
  if (!stored) throw new Error(`order ${order.orderId} is gone`);
  // What the inventory consumer does on order_cancelled.
  return orderTable.releaseStock(stored, "inventory", new Date().toISOString());
}

function anEntry(productId: string): ProductHistoryEntry {
  const at = new Date().toISOString();
  const state = {
    name: "x",
    description: "",
    category: "Test",
    brand: "Acme",
    priceCents: 1000,
    currency: "USD",
    archived: false,
  };
  return {
    productId,
    entryId: `${at}#stale`,
    at,
    actor: "admin:test",
    change: "STOCK_ADJUSTED",
    summary: "a stale adjustment",
    after: state,
    event: {
      eventId: "stock_adjusted:stale",
      eventType: "stock_adjusted",
      version: 1,
      occurredAt: at,
      data: {
        productId,
        delta: 1,
        stockBefore: 0,
        stockAfter: 1,
        reason: "stale",
        actor: "admin:test",
        adjustedAt: at,
      },
    },
  };
}

describe("a hot product's orders", () => {
  it("sells exactly its stock to 200 racing orders: 150 over 4 buckets, every bucket at 0", async () => {
    await shop.putProducts([aProduct({ productId: "flash", stock: 150 })]);
    const spread = await admin.setStockBuckets(asAdmin, { productId: "flash", buckets: 4 });
    expect(spread).toMatchObject({ kind: "changed", product: { stock: 150, stockBuckets: 4 } });
    // Even shares, the remainder to the first.
    expect(await bucketsOf("flash", 4)).toEqual([39, 37, 37, 37]);
    expect(await shop.stockOf("flash")).toBe(0);

    const results = await race("flash", 200);
    expect(results.filter((r) => r.kind === "placed")).toHaveLength(150);
    const refused = results.filter((r) => r.kind === "insufficientStock");
    expect(refused).toHaveLength(50);
    // Refused only once every bucket was found short: by then all of them were empty.
    for (const r of refused) expect(r).toMatchObject({ requested: 1, available: 0 });
    // Each bucket sold exactly what it held, and none went below 0.
    expect(drawnPerBucket(results, 4)).toEqual([39, 37, 37, 37]);
    expect(await bucketsOf("flash")).toEqual([0, 0, 0, 0, ...Array(12).fill(undefined)]);
    expect((await products.getProduct("flash"))?.stock).toBe(0);
    expect(await shop.orderCount()).toBe(150);
  });

  it("falls through to the buckets with stock when the others are empty: 100/50/0/0", async () => {
    await hotProduct("uneven", [100, 50, 0, 0]);
    expect((await products.getProducts(["uneven"])).get("uneven")?.stock).toBe(150);
    const results = await race("uneven", 200);
    expect(results.filter((r) => r.kind === "placed")).toHaveLength(150);
    expect(results.filter((r) => r.kind === "insufficientStock")).toHaveLength(50);
    expect(drawnPerBucket(results, 4)).toEqual([100, 50, 0, 0]);
    expect(await bucketsOf("uneven", 4)).toEqual([0, 0, 0, 0]);
    expect((await products.getProduct("uneven"))?.stock).toBe(0);
  });

  it("refuses a line no single bucket holds, giving the buckets' sum as available", async () => {
    await hotProduct("scattered", [2, 2, 0, 0]);
    const result = await orders.placeOrder(asAdmin, {
      customerId: "scatter",
      items: [{ productId: "scattered", quantity: 3 }],
    });
    expect(result).toMatchObject({ kind: "insufficientStock", requested: 3, available: 4 });
    expect(await bucketsOf("scattered", 4)).toEqual([2, 2, 0, 0]);
  });

  it("puts a cancelled order's units back into the bucket they came from", async () => {
    await hotProduct("returns", [10, 10, 10, 10]);
    const placed = (await race("returns", 12)).map(placedOrder);
    const cancelled = placed.slice(0, 7);
    for (const order of cancelled) expect(await cancelAndRelease(order)).toBe("released");
    // A second release of the same order changes nothing.
    const again = await orderTable.getOrder((cancelled[0] as Order).orderId);
    expect(again && (await orderTable.releaseStock(again, "inventory", again.updatedAt))).toBe(
      "alreadyReleased",
    );
    const kept = drawnPerBucket(
      placed.slice(7).map((order) => ({ kind: "placed", order, replayed: false })),
      4,
    );
    expect(await bucketsOf("returns", 4)).toEqual(kept.map((sold) => 10 - sold));
    expect((await products.getProduct("returns"))?.stock).toBe(40 - 5);
  });

  it("puts units back where the stock is now when it moved since the order", async () => {
    await hotProduct("moved", [5, 5]);
    const fromBucket = placedOrder(
      await orders.placeOrder(asAdmin, {
        customerId: "mover",
        items: [{ productId: "moved", quantity: 2 }],
      }),
    );
    expect(fromBucket.items[0]?.stockBucket).toBeDefined();
    // Gathered onto the product: the bucket the order drew from is retired.
    await admin.setStockBuckets(asAdmin, { productId: "moved", buckets: 0 });
    expect(await shop.stockOf("moved")).toBe(8);
    const fromProduct = placedOrder(
      await orders.placeOrder(asAdmin, {
        customerId: "mover",
        items: [{ productId: "moved", quantity: 3 }],
      }),
    );
    expect(fromProduct.items[0]?.stockBucket).toBeUndefined();
    expect(await cancelAndRelease(fromBucket)).toBe("released");
    expect(await shop.stockOf("moved")).toBe(7);
    // Hot again: the units of an order placed while it was not go into a bucket.
    await admin.setStockBuckets(asAdmin, { productId: "moved", buckets: 3 });
    expect(await cancelAndRelease(fromProduct)).toBe("released");
    expect(await shop.stockOf("moved")).toBe(0);
    expect((await products.getProductForChange("moved"))?.stock).toBe(10);
  });
});

describe("spreading the stock", () => {
  it("conserves every unit, over 4 buckets and back, with orders racing it", async () => {
    await shop.putProducts([aProduct({ productId: "spread", stock: 500 })]);
    let racing = true;
    let rounds = 0;
    // 50 orders from 2 buyers at once, each placing its next a moment after its last: orders
    // keep landing all through the spreads, before, during and after each. (A spread names
    // every value it read, so a steadier stream of orders would keep it retrying.)
    const buying = Promise.all(
      Array.from({ length: 2 }, async (_, buyer) => {
        const placed: PlaceOrderResult[] = [];
        for (let i = 0; i < 25; i++) {
          await sleep(randomInt(100));
          placed.push(
            await orders.placeOrder(asAdmin, {
              customerId: `spreader-${buyer}`,
              items: [{ productId: "spread", quantity: 1 }],
            }),
          );
        }
        return placed;
      }),
    );
    const [results] = await Promise.all([
      buying
        .then((placed) => placed.flat())
        .finally(() => {
          racing = false;
        }),
      (async () => {
        // Hot and back, again and again for as long as the orders keep coming.
        do {
          for (const buckets of [4, 0]) {
            const spread = await admin.setStockBuckets(asAdmin, { productId: "spread", buckets });
            expect(spread).toMatchObject({ kind: "changed" });
          }
          rounds++;
        } while (racing);
      })(),
    ]);
    expect(rounds).toBeGreaterThan(0);
    const placed = results.filter((r) => r.kind === "placed").length;
    expect(placed).toBe(50);
    const product = await products.getProductForChange("spread");
    expect(product?.stockBuckets).toBeUndefined();
    expect(placed + (product?.stock ?? 0)).toBe(500);
    expect(await shop.stockOf("spread")).toBe(product?.stock);
    // The buckets are retired: none holds stock any more.
    expect(await bucketsOf("spread")).toEqual(Array(16).fill(undefined));
    const spreads = (await admin.history(asAdmin, "spread")).filter(
      (e) => e.change === "STOCK_SPREAD",
    );
    expect(spreads).toHaveLength(2 * rounds);
    expect(spreads[0]?.summary).toMatch(/^spread \d+ in stock over 4 buckets$/);
    expect(spreads[1]?.summary).toMatch(/^gathered \d+ in stock from 4 buckets onto the product$/);
    for (const entry of spreads) expect(entry.stockAfter).toBe(entry.stockBefore);
  });

  it("respreads a hot product over more or fewer buckets, evening them out", async () => {
    await hotProduct("respread", [7, 0, 3]);
    await admin.setStockBuckets(asAdmin, { productId: "respread", buckets: 2 });
    expect(await bucketsOf("respread", 4)).toEqual([5, 5, undefined, undefined]);
    await admin.setStockBuckets(asAdmin, { productId: "respread", buckets: 4 });
    expect(await bucketsOf("respread", 5)).toEqual([4, 2, 2, 2, undefined]);
    expect((await products.getProduct("respread"))?.stock).toBe(10);
  });

  it("refuses a bucket count out of range and an unknown product", async () => {
    await shop.putProducts([aProduct({ productId: "range", stock: 5 })]);
    expect(await admin.setStockBuckets(asAdmin, { productId: "range", buckets: 17 })).toMatchObject(
      { kind: "invalidProduct", field: "buckets" },
    );
    expect(await admin.setStockBuckets(asAdmin, { productId: "range", buckets: -1 })).toMatchObject(
      { kind: "invalidProduct", field: "buckets" },
    );
    expect(await admin.setStockBuckets(asAdmin, { productId: "nobody", buckets: 4 })).toEqual({
      kind: "productNotFound",
      productId: "nobody",
    });
    expect(await shop.stockOf("range")).toBe(5);
  });
});

describe("adjusting a hot product's stock", () => {
  it("moves the total, every bucket to its even share", async () => {
    await hotProduct("restock", [10, 0, 5, 1]);
    const restock = await admin.adjustStock(asAdmin, {
      productId: "restock",
      delta: 4,
      reason: "delivery",
    });
    expect(restock).toMatchObject({ kind: "changed", product: { stock: 20 } });
    expect(await bucketsOf("restock", 4)).toEqual([5, 5, 5, 5]);
    const writeOff = await admin.adjustStock(asAdmin, {
      productId: "restock",
      delta: -21,
      reason: "lost",
    });
    expect(writeOff).toMatchObject({ kind: "insufficientStock", requested: 21, available: 20 });
    expect(await bucketsOf("restock", 4)).toEqual([5, 5, 5, 5]);
    const history = await admin.history(asAdmin, "restock");
    expect(history.at(-1)).toMatchObject({ stockBefore: 16, stockAfter: 20 });
  });

  it("refuses an adjustment made against a stock that is no longer the total", async () => {
    await hotProduct("stale", [3, 3]);
    expect(await products.adjustStock("stale", 1, 5, anEntry("stale"))).toBe("conditionFailed");
    expect(await bucketsOf("stale", 2)).toEqual([3, 3]);
    expect(await products.adjustStock("stale", 1, 6, anEntry("stale"))).toBe("written");
    expect(await bucketsOf("stale", 2)).toEqual([4, 3]);
  });
});

describe("reading a hot product", () => {
  let api: ApiHandler;

  beforeAll(async () => {
    await hotProduct("shown", [4, 3, 2, 1]);
    await shop.putProducts([aProduct({ productId: "shown-cold", stock: 6 })]);
    api = shop.api();
  });

  it("lists it with its summed stock and never lists a bucket", async () => {
    const listed: Product[] = [];
    for await (const batch of products.allProducts()) listed.push(...batch);
    const ids = listed.map((p) => p.productId);
    expect(ids).toContain("shown");
    expect(ids.some((id) => id.includes("#"))).toBe(false);
    expect(listed.find((p) => p.productId === "shown")?.stock).toBe(10);

    const page = await products.listProducts({ first: 100 });
    expect(page.edges.some((e) => e.node.productId.includes("#"))).toBe(false);
    expect(page.edges.find((e) => e.node.productId === "shown")?.node.stock).toBe(10);
    // The table does hold the buckets: the listing skipped them.
    const { Items = [] } = await shop.local.document.send(
      new ScanCommand({ TableName: shop.provisioned.tableNames.products }),
    );
    expect(Items.some((item) => item.bucketOf === "shown")).toBe(true);
  });

  it("shows the summed stock on GET /products and /products/{id}, and no bucket", async () => {
    const list = await invoke(api, httpEvent({ path: "/products" }));
    const body = list.json as { products: { product_id: string; stock: number }[] };
    expect(body.products.some((p) => p.product_id.includes("#"))).toBe(false);
    expect(body.products.find((p) => p.product_id === "shown")?.stock).toBe(10);
    const one = await invoke(api, httpEvent({ path: "/products/shown" }));
    expect(one.json).toMatchObject({ product_id: "shown", stock: 10 });
    const bucket = await invoke(
      api,
      httpEvent({ path: `/products/${encodeURIComponent(stockBucketKey("shown", 0))}` }),
    );
    expect(bucket.status).toBe(404);
  });

  it("shows the summed stock in GraphQL, and the buckets to admins only", async () => {
    const query = `query($id: ID!) { product(id: $id) { id stock inStock } }`;
    const answer = await invoke(api, graphqlEvent(query, { id: "shown" }));
    expect(answer.json).toEqual({ data: { product: { id: "shown", stock: 10, inStock: true } } });
    const buckets = `query($id: ID!) { product(id: $id) { stockBuckets } }`;
    const asAnAdmin = await invoke(
      api,
      graphqlEvent(buckets, { id: "shown" }, await shop.authorization({ admin: "owner" })),
    );
    expect(asAnAdmin.json).toEqual({ data: { product: { stockBuckets: 4 } } });
    const cold = await invoke(
      api,
      graphqlEvent(buckets, { id: "shown-cold" }, await shop.authorization({ admin: "owner" })),
    );
    expect(cold.json).toEqual({ data: { product: { stockBuckets: null } } });
    const asACustomer = await invoke(
      api,
      graphqlEvent(buckets, { id: "shown" }, await shop.authorization({ customer: "alice" })),
    );
    expect((asACustomer.json as { errors?: unknown[] }).errors).toHaveLength(1);
  });
});

describe("setProductStockBuckets", () => {
  const SET = `mutation($productId: ID!, $buckets: Int!) {
    setProductStockBuckets(productId: $productId, buckets: $buckets) {
      __typename
      ... on Product { id stock stockBuckets }
      ... on ErrorResult { errorCode message }
      ... on InvalidProduct { field }
    }
  }`;

  it("marks a product hot and cold again for admins, and refuses everyone else", async () => {
    await shop.putProducts([aProduct({ productId: "mutated", stock: 9 })]);
    const api = shop.api();
    const owner = await shop.authorization({ admin: "owner" });
    const hot = await invoke(api, graphqlEvent(SET, { productId: "mutated", buckets: 3 }, owner));
    expect(hot.json).toEqual({
      data: {
        setProductStockBuckets: { __typename: "Product", id: "mutated", stock: 9, stockBuckets: 3 },
      },
    });
    expect(await bucketsOf("mutated", 3)).toEqual([3, 3, 3]);
    const cold = await invoke(api, graphqlEvent(SET, { productId: "mutated", buckets: 0 }, owner));
    expect(cold.json).toMatchObject({
      data: { setProductStockBuckets: { stock: 9, stockBuckets: null } },
    });
    expect(await shop.stockOf("mutated")).toBe(9);

    const invalid = await invoke(
      api,
      graphqlEvent(SET, { productId: "mutated", buckets: 99 }, owner),
    );
    expect(invalid.json).toMatchObject({
      data: { setProductStockBuckets: { __typename: "InvalidProduct", field: "buckets" } },
    });
    const unknown = await invoke(api, graphqlEvent(SET, { productId: "ghost", buckets: 2 }, owner));
    expect(unknown.json).toMatchObject({
      data: { setProductStockBuckets: { __typename: "ProductNotFound" } },
    });
    const customer = await invoke(
      api,
      graphqlEvent(
        SET,
        { productId: "mutated", buckets: 2 },
        await shop.authorization({ customer: "alice" }),
      ),
    );
    const refused = customer.json as { errors?: { extensions?: { code?: string } }[] };
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await shop.stockOf("mutated")).toBe(9);
  });
});
