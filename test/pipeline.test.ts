import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAwsClients } from "../adapters/aws-clients";
import { DynamoAnalyticsRepository } from "../adapters/dynamo-analytics-repository";
import { DynamoHistoryRepository } from "../adapters/dynamo-history-repository";
import { MailOutbox } from "../adapters/outbox-mailer";
import { dayOf } from "../core/analytics";
import type { Order } from "../core/order";
import type { OrderService } from "../core/order-service";
import { startEventSources } from "../local/event-sources";
import type { Poller } from "../local/sqs-poller";
import { aProduct, createTestShop, eventually, type TestShop } from "./support/test-shop";

let shop: TestShop;
let sources: Poller;
let orders: OrderService;

beforeAll(async () => {
  shop = await createTestShop();
  await shop.putProducts([
    aProduct({ productId: "kettle", name: "Kettle", priceCents: 3500, stock: 50 }),
  ]);
  const config = { ...shop.config, payment: { ...shop.config.payment, latencyMs: 0 } };
  sources = startEventSources({
    config,
    clients: createAwsClients(config),
    provisioned: shop.provisioned,
    endpoints: shop.endpoints,
    retryDelaySeconds: 0,
    logger: shop.logger,
  });
  orders = shop.services().orders;
});
afterAll(async () => {
  await sources.stop();
  shop.destroy();
});

async function place(customerId: string, quantity: number): Promise<Order> {
  const result = await orders.placeOrder({
    customerId,
    items: [{ productId: "kettle", quantity }],
  });
  if (result.kind !== "placed") throw new Error(JSON.stringify(result));
  return result.order;
}

describe("the order pipeline", () => {
  it("confirms an order, mails the customer once, counts it once, and records each step", async () => {
    const order = await place("pipeline-1", 2);
    const confirmed = await eventually(
      () => orders.getOrder(order.orderId),
      (o) => o?.status === "CONFIRMED",
      { what: "CONFIRMED" },
    );
    expect(confirmed?.fraudAssessment?.decision).toBe("APPROVE");
    expect(confirmed?.paymentAuthorizationId).toMatch(/^auth_/);

    const outbox = new MailOutbox(shop.local.document, shop.provisioned.tableNames.mailOutbox);
    const mail = await eventually(
      () => outbox.forOrder(order.orderId),
      (m) => m.length > 0,
      { what: "the email" },
    );
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({
      eventType: "order_confirmed",
      to: "pipeline-1@customers.example.com",
    });
    expect(mail[0]?.text).toContain("Total: $70.00");

    const analytics = new DynamoAnalyticsRepository(
      shop.local.document,
      shop.provisioned.tableNames.analytics,
    );
    const sales = await eventually(
      () => analytics.getDailySales(dayOf(order.createdAt)),
      (s) => s.orders >= 1,
      { what: "analytics" },
    );
    expect(sales).toMatchObject({ orders: 1, units: 2, revenueCents: 7000 });

    const history = new DynamoHistoryRepository(
      shop.local.document,
      shop.provisioned.tableNames.orderHistory,
    );
    const entries = await eventually(
      () => history.list(order.orderId),
      (h) => h.some((e) => e.toStatus === "CONFIRMED"),
      { what: "history" },
    );
    expect(entries.map((e) => e.change)).toEqual(["CREATED", "FRAUD_ASSESSED", "STATUS_CHANGED"]);
    expect(entries.map((e) => e.actor)).toEqual(["api", "fraud", "fraud"]);
  });
});
