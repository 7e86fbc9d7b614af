import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoAnalyticsRepository } from "../adapters/dynamo-analytics-repository";
import { DynamoOrderRepository } from "../adapters/dynamo-order-repository";
import { DynamoProductRepository } from "../adapters/dynamo-product-repository";
import { NOT_SETTLED_REASON } from "../core/orders/reconciler";
import { consumers } from "../infra/topology";
import { buildFunction } from "../local/lambda/functions";
import { createLambdaContext } from "../local/lambda/lambda-context";
import type { Poller } from "../local/lambda/sqs-poller";
import { runConsumers } from "../test/support/consumer-harness";
import { type FaultProxy, startFaultProxy } from "../test/support/fault-proxy";
import {
  aProduct,
  asAdmin,
  createTestShop,
  eventually,
  type TestShop,
} from "../test/support/test-shop";
import type { ReconcilerReport as ReconcileReport } from "./reconciler";

let shop: TestShop;
let sns: FaultProxy;
let repository: DynamoOrderRepository;

beforeAll(async () => {
  shop = await createTestShop();
  await shop.putProducts([
    aProduct({ productId: "clock", stock: 10 }),
    aProduct({ productId: "lamp", stock: 10 }),
    aProduct({ productId: "fast", stock: 1000 }),
    aProduct({ productId: "slow", stock: 1000 }),
  ]);
  sns = await startFaultProxy(shop.endpoints.snsSqs);
  repository = new DynamoOrderRepository(shop.local.document, shop.provisioned.tableNames);
});
afterAll(async () => {
  await sns.close();
  shop.destroy();
});

/** One pass of the reconciler, built as its Lambda is, with these settings. */
async function reconcile(env: Record<string, string>): Promise<ReconcileReport> {
  const handler = await buildFunction<unknown, ReconcileReport>(
    consumers.reconciler,
    shop.envFor(consumers.reconciler, env),
    { logger: shop.logger },
  );
  return handler({}, createLambdaContext("reconciler", 60_000));
}

/** An order placed while SNS was down: its order_created stays owed in the order. */
async function placeWhileSnsDown(customerId: string): Promise<string> {
  sns.set("refuse");
  const { orders } = shop.services({ AWS_ENDPOINT_URL_SNS: sns.url });
  const result = await orders.placeOrder(
    asAdmin,
    { customerId, items: [{ productId: "clock", quantity: 1 }] },
    { correlationId: `checkout-${customerId}` },
  );
  sns.set("pass");
  if (result.kind !== "placed") throw new Error(result.kind);
  return result.order.orderId;
}

describe("the reconciler", () => {
  it("publishes what an order still owes after the grace period, once, and empties its outbox", async () => {
    const created = await shop.subscribeProbe(["order_created"]);
    const orderId = await placeWhileSnsDown("owed");
    // Within the grace period the stream may still deliver it: left alone.
    expect((await reconcile({ OUTBOX_GRACE_SECONDS: "60" })).redelivered).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await reconcile({ OUTBOX_GRACE_SECONDS: "1" })).toMatchObject({
      redelivered: 1,
      unfinished: false,
    });
    const [message] = await created.receive(1);
    expect(JSON.parse(message?.Body ?? "{}")).toMatchObject({
      eventId: `${orderId}:order_created`,
    });
    expect((await repository.getOrder(orderId))?.owed).toBeUndefined();
    // Its line names the order's flow, as every other line the order caused.
    expect(shop.logger.lines).toContainEqual(
      expect.objectContaining({
        message: "owed event published",
        extra: expect.objectContaining({ orderId, correlation_id: "checkout-owed" }),
      }),
    );
    // Nothing is owed any more: the next pass publishes nothing.
    expect((await reconcile({ OUTBOX_GRACE_SECONDS: "0" })).redelivered).toBe(0);
    expect(await created.countArriving(1000)).toBe(0);
  });

  it("publishes what a catalog change still owes, once, from the product's history", async () => {
    const changed = await shop.subscribeProbe(["product_changed"]);
    sns.set("refuse");
    const { catalogAdmin } = shop.services({ AWS_ENDPOINT_URL_SNS: sns.url });
    const result = await catalogAdmin.createProduct(asAdmin, {
      id: "made-while-sns-was-down",
      name: "Kettle",
      category: "Home",
      brand: "Boil",
      price: { amountCents: 3000, currency: "USD" },
      stock: 5,
    });
    sns.set("pass");
    expect(result.kind).toBe("changed");
    expect(await changed.countArriving(500)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await reconcile({ OUTBOX_GRACE_SECONDS: "1" })).redelivered).toBe(1);
    const [message] = await changed.receive(1);
    expect(JSON.parse(message?.Body ?? "{}")).toMatchObject({
      eventType: "product_changed",
      data: { productId: "made-while-sns-was-down", change: "CREATED" },
    });
    expect((await reconcile({ OUTBOX_GRACE_SECONDS: "0" })).redelivered).toBe(0);
    expect(await changed.countArriving(1000)).toBe(0);
  });

  it("says so when an event has been owed for longer than the alarm threshold", async () => {
    await placeWhileSnsDown("stuck");
    await new Promise((resolve) => setTimeout(resolve, 1100));
    sns.set("refuse");
    const stuck = shop.envFor(consumers.reconciler, {
      AWS_ENDPOINT_URL_SNS: sns.url,
      OUTBOX_GRACE_SECONDS: "0",
      OWED_ALARM_SECONDS: "1",
      AWS_SDK_MAX_ATTEMPTS: "1",
    });
    const handler = await buildFunction<unknown, ReconcileReport>(consumers.reconciler, stuck, {
      logger: shop.logger,
    });
    await expect(handler({}, createLambdaContext("reconciler", 60_000))).rejects.toThrow(
      /SNS did not answer/,
    );
    sns.set("pass");
    const report = await reconcile({ OUTBOX_GRACE_SECONDS: "0", OWED_ALARM_SECONDS: "1" });
    expect(report.oldestOwedSeconds).toBeGreaterThanOrEqual(1);
    expect(shop.logger.lines).toContainEqual(
      expect.objectContaining({
        level: "error",
        message: "events owed for too long: the stream is not delivering",
      }),
    );
  });

  it("rejects an order that never settled, through the lifecycle, and its stock returns", async () => {
    let inventory: Poller | undefined;
    try {
      inventory = await runConsumers(shop, ["streamProcessor", "inventory"]);
      const { orders } = shop.services();
      const result = await orders.placeOrder(
        asAdmin,
        { customerId: "forgotten", items: [{ productId: "lamp", quantity: 2 }] },
        { correlationId: "checkout-forgotten" },
      );
      if (result.kind !== "placed") throw new Error(result.kind);
      const stockAfterOrder = await shop.stockOf("lamp");
      // No fraud consumer runs here: nothing will ever decide this order (nor the
      // orders the tests above placed, which this pass times out as well).
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await reconcile({ PENDING_TIMEOUT_SECONDS: "1" })).timedOut).toBeGreaterThanOrEqual(
        1,
      );
      const rejected = await repository.getOrder(result.order.orderId);
      expect(rejected).toMatchObject({ status: "REJECTED", statusReason: NOT_SETTLED_REASON });
      // Its line names the order's flow, so a search by correlation id finds how it ended.
      expect(shop.logger.lines).toContainEqual(
        expect.objectContaining({
          level: "warn",
          message: "order never settled; rejected, its stock returns",
          extra: { orderId: result.order.orderId, correlation_id: "checkout-forgotten" },
        }),
      );
      await eventually(
        () => shop.stockOf("lamp"),
        (stock) => stock === (stockAfterOrder ?? 0) + 2,
        { what: "the stock back" },
      );
      // Rejected once: the next pass finds nothing PENDING.
      expect((await reconcile({ PENDING_TIMEOUT_SECONDS: "1" })).timedOut).toBe(0);
    } finally {
      await inventory?.stop();
    }
  });

  it("makes a product hot when the last minute's orders of it reach the threshold, once", async () => {
    const analytics = new DynamoAnalyticsRepository(
      shop.local.document,
      shop.provisioned.tableNames.analytics,
    );
    // Counted in this minute and the one before, so whichever minute the run reads as the
    // last whole one, it finds them.
    const now = Date.now();
    const count = (productId: string, n: number) =>
      Promise.all(
        [now - 60_000, now].flatMap((at) =>
          Array.from({ length: n }, (_, i) =>
            analytics.countOrder(`rate-${productId}-${at}-${i}`, {
              orderId: `rate-${productId}-${at}-${i}`,
              customerId: "fan",
              status: "PENDING",
              items: [
                {
                  productId,
                  productName: productId,
                  quantity: 1,
                  unitPriceCents: 100,
                  lineTotalCents: 100,
                },
              ],
              totalCents: 100,
              currency: "USD",
              createdAt: new Date(at).toISOString(),
            }),
          ),
        ),
      );
    await count("fast", 6);
    await count("slow", 2);
    const settings = { HOT_PRODUCT_ORDERS_PER_MINUTE: "5", HOT_PRODUCT_BUCKETS: "4" };

    expect((await reconcile(settings)).madeHot).toEqual(["fast"]);
    const products = new DynamoProductRepository(
      shop.local.document,
      shop.provisioned.tableNames.products,
    );
    // Spread over 4 buckets, not a unit made or lost; the slow seller left alone.
    expect(await products.getProduct("fast")).toMatchObject({ stockBuckets: 4, stock: 1000 });
    expect((await products.getProduct("slow"))?.stockBuckets).toBeUndefined();
    const history = await shop.services().catalogAdmin.history(asAdmin, "fast");
    expect(history.at(-1)).toMatchObject({
      change: "STOCK_SPREAD",
      actor: "admin:hot-product-watch",
    });
    // Already hot: the next run leaves it as it is.
    expect((await reconcile(settings)).madeHot).toEqual([]);
  });
});
