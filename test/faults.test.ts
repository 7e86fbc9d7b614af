import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoOrderRepository } from "../adapters/dynamo-order-repository";
import type { Order } from "../core/orders/order";
import { MAX_REASON_LENGTH } from "../core/orders/order-lifecycle";
import type { Poller } from "../local/lambda/sqs-poller";
import { anOrderOwingItsCreation, runConsumers } from "./support/consumer-harness";
import { type FaultProxy, startFaultProxy } from "./support/fault-proxy";
import { describeSettled, expectEverythingSettled, type ShopData } from "./support/invariants";
import { aProduct, asAdmin, createTestShop, type TestShop } from "./support/test-shop";

/**
 * Fault drills against the real emulators: take something away at the worst moment, give it
 * back, and check that nothing was lost (every order settles, stock is conserved, history
 * and emails are complete, nothing is still owed).
 */

let shop: TestShop;
let sns: FaultProxy;
let consumers: Poller;
let data: ShopData;
const STOCK = 100;
const products = ["drill-lamp", "drill-rug"];

beforeAll(async () => {
  shop = await createTestShop();
  await shop.putProducts(products.map((productId) => aProduct({ productId, stock: STOCK })));
  // SNS for everyone who publishes (the api, the stream processor, the reconciler) goes
  // through a proxy the drills can take down; delivery from the topic to the queues does not.
  sns = await startFaultProxy(shop.endpoints.snsSqs);
  consumers = await runConsumers(
    shop,
    ["fraud", "inventory", "email", "analytics", "streamProcessor", "reconciler"],
    {
      env: { PAYMENT_LATENCY_MS: "0", AWS_ENDPOINT_URL_SNS: sns.url, OUTBOX_GRACE_SECONDS: "2" },
      scheduleEveryMs: 1000,
    },
  );
  const tables = shop.provisioned.tableNames;
  data = { document: shop.local.document, tables };
});
afterAll(async () => {
  await consumers.stop();
  await sns.close();
  shop.destroy();
});

const initialStock = () => new Map(products.map((p) => [p, STOCK] as const));
const placedIds: string[] = [];

async function placeThroughApi(customer: string, productId: string): Promise<Order> {
  const { orders } = shop.services({ AWS_ENDPOINT_URL_SNS: sns.url });
  const result = await orders.placeOrder(asAdmin, {
    customerId: customer,
    items: [{ productId, quantity: 1 }],
  });
  if (result.kind !== "placed") throw new Error(JSON.stringify(result));
  placedIds.push(result.order.orderId);
  return result.order;
}

describe("nothing is lost", () => {
  it("when SNS is down for longer than any retry: orders wait, owed, and settle once it is back", async () => {
    sns.set("refuse");
    for (let i = 0; i < 5; i++) await placeThroughApi(`sns-down-${i}`, products[i % 2] as string);
    // Far longer than the old stream retry budget (about 1.2 s), and than the grace period.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    const repository = new DynamoOrderRepository(shop.local.document, shop.provisioned.tableNames);
    for (const orderId of placedIds) {
      const order = await repository.getOrder(orderId);
      expect(order?.status).toBe("PENDING");
      expect(Object.keys(order?.owed ?? {})).toEqual([`${orderId}:order_created`]);
    }
    sns.set("pass");
    const settled = await expectEverythingSettled(data, placedIds, initialStock());
    console.log(describeSettled("SNS refusing for 6 s", settled, "SNS was back"));
  });

  it("when the api dies between its transaction and its publish", async () => {
    // Exactly what that leaves: the order and its reservation, order_created owed in it.
    const repository = new DynamoOrderRepository(shop.local.document, shop.provisioned.tableNames);
    for (let i = 0; i < 5; i++) {
      const order = anOrderOwingItsCreation({
        orderId: `killed-${i}-${Date.now()}`,
        customerId: `killed-${i}`,
        productId: products[i % 2] as string,
      });
      expect(await repository.placeOrder(order)).toEqual({ kind: "placed" });
      placedIds.push(order.orderId);
    }
    const settled = await expectEverythingSettled(data, placedIds, initialStock());
    console.log(describeSettled("process death after the transaction", settled, "the death"));
  });

  it("when an order is cancelled with the longest reason there is: it settles like any other", async () => {
    const { lifecycle } = shop.services({ AWS_ENDPOINT_URL_SNS: sns.url });
    const order = await placeThroughApi("long-reason", products[0] as string);
    const tooLong = `${"why ".repeat(MAX_REASON_LENGTH / 4)}!`;
    // One character over: refused before anything is written.
    await expect(lifecycle.cancelOrder(asAdmin, order.orderId, tooLong)).rejects.toThrow(
      `the reason must be at most ${MAX_REASON_LENGTH} characters`,
    );
    const longest = tooLong.slice(0, MAX_REASON_LENGTH);
    const result = await lifecycle.cancelOrder(asAdmin, order.orderId, longest);
    expect(result).toMatchObject({ kind: "changed", order: { status: "CANCELLED" } });
    // Its stock back, its history and its email written: as for any cancellation.
    const settled = await expectEverythingSettled(data, placedIds, initialStock());
    console.log(
      describeSettled(`cancelled with a ${longest.length}-character reason`, settled, "the cancel"),
    );
  });
});
