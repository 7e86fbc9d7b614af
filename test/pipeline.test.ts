import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoAnalyticsRepository } from "../adapters/dynamo-analytics-repository";
import { DynamoHistoryRepository } from "../adapters/dynamo-history-repository";
import { MailOutbox } from "../adapters/outbox-mailer";
import { dayOf } from "../core/analytics/daily-sales";
import type { Order } from "../core/orders/order";
import type { OrderService } from "../core/orders/order-service";
import { startEventSources } from "../local/lambda/event-sources";
import type { Poller } from "../local/lambda/sqs-poller";
import { graphqlEvent, invoke } from "./support/api-events";
import { aProduct, asAdmin, createTestShop, eventually, type TestShop } from "./support/test-shop";

let shop: TestShop;
let sources: Poller;
let orders: OrderService;

beforeAll(async () => {
  shop = await createTestShop();
  await shop.putProducts([
    aProduct({ productId: "kettle", name: "Kettle", priceCents: 3500, stock: 50 }),
    aProduct({ productId: "piano", name: "Grand Piano", priceCents: 900_000, stock: 3 }),
    aProduct({ productId: "toaster", name: "Toaster", priceCents: 2500, stock: 40 }),
  ]);
  sources = await startEventSources({
    env: { PAYMENT_LATENCY_MS: "0" },
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

async function place(customerId: string, quantity: number, productId = "kettle"): Promise<Order> {
  const result = await orders.placeOrder(asAdmin, { customerId, items: [{ productId, quantity }] });
  if (result.kind !== "placed") throw new Error(JSON.stringify(result));
  return result.order;
}

describe("the order pipeline", () => {
  it("confirms an order, mails the customer once, counts it once, and records each step", async () => {
    const order = await place("pipeline-1", 2);
    const confirmed = await eventually(
      () => orders.getOrder(asAdmin, order.orderId),
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
    expect(entries.map((e) => e.actor)).toEqual(["admin:test", "fraud", "fraud"]);
  });

  it("rejects a high-risk order and returns its stock exactly once", async () => {
    const order = await place("pipeline-risky", 1, "piano");
    expect(await shop.stockOf("piano")).toBe(2);
    const rejected = await eventually(
      () => orders.getOrder(asAdmin, order.orderId),
      (o) => o?.stockReleased === true,
      {
        what: "the stock released",
      },
    );
    expect(rejected).toMatchObject({ status: "REJECTED", fraudAssessment: { decision: "REJECT" } });
    expect(await shop.stockOf("piano")).toBe(3);
    const outbox = new MailOutbox(shop.local.document, shop.provisioned.tableNames.mailOutbox);
    const mail = await eventually(
      () => outbox.forOrder(order.orderId),
      (m) => m.length > 0,
      { what: "the email" },
    );
    expect(mail.map((m) => m.eventType)).toEqual(["order_rejected"]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await shop.stockOf("piano")).toBe(3);
  });

  it("cancels an order through GraphQL, returns its stock once and tells the customer", async () => {
    const api = shop.api();
    const order = await place("pipeline-cancel", 3, "toaster");
    await eventually(
      () => orders.getOrder(asAdmin, order.orderId),
      (o) => o?.status === "CONFIRMED",
      { what: "CONFIRMED" },
    );
    const cancel = await invoke(
      api,
      graphqlEvent(
        `mutation($id: ID!) { cancelOrder(orderId: $id, reason: "changed my mind") {
        __typename ... on Order { status statusReason } } }`,
        { id: order.orderId },
        await shop.authorization({ admin: "pipeline" }),
      ),
    );
    expect(cancel.json).toEqual({
      data: {
        cancelOrder: { __typename: "Order", status: "CANCELLED", statusReason: "changed my mind" },
      },
    });
    await eventually(
      () => shop.stockOf("toaster"),
      (stock) => stock === 40,
      { what: "the stock back" },
    );
    const outbox = new MailOutbox(shop.local.document, shop.provisioned.tableNames.mailOutbox);
    const mail = await eventually(
      () => outbox.forOrder(order.orderId),
      (m) => m.length === 2,
      { what: "two emails" },
    );
    expect(mail.map((m) => m.eventType).sort()).toEqual(["order_cancelled", "order_confirmed"]);

    // The history is the stream processor's to write; the email and the stock release no
    // longer wait for it (the cancellation's event is published by the api itself).
    const entries = (
      await eventually(
        async () =>
          (
            await invoke(
              api,
              graphqlEvent(
                `query($id: ID!) { order(id: $id) { history { change } } }`,
                { id: order.orderId },
                await shop.authorization({ customer: "pipeline-cancel" }),
              ),
            )
          ).json as { data: { order: { history: { change: string }[] } } },
        (body) =>
          body.data.order.history.some((e) => e.change === "STOCK_RELEASED") &&
          body.data.order.history.filter((e) => e.change === "STATUS_CHANGED").length === 2,
        { what: "the cancellation and the release in the history" },
      )
    ).data.order.history;
    expect(entries.map((e) => e.change).slice(0, 4)).toEqual([
      "CREATED",
      "FRAUD_ASSESSED",
      "STATUS_CHANGED",
      "STATUS_CHANGED",
    ]);
  });

  it("refuses to ship a rejected order with a typed error, and changes nothing", async () => {
    const api = shop.api();
    const order = await place("pipeline-risky-2", 1, "piano");
    const rejected = await eventually(
      () => orders.getOrder(asAdmin, order.orderId),
      (o) => o?.status === "REJECTED",
      {
        what: "REJECTED",
      },
    );
    const ship = await invoke(
      api,
      graphqlEvent(
        `mutation($id: ID!) { shipOrder(orderId: $id) {
        __typename ... on ErrorResult { errorCode message } ... on InvalidTransition { from to } } }`,
        { id: order.orderId },
        await shop.authorization({ admin: "pipeline" }),
      ),
    );
    expect(ship.json).toEqual({
      data: {
        shipOrder: {
          __typename: "InvalidTransition",
          errorCode: "INVALID_TRANSITION",
          message: `Order ${order.orderId} is REJECTED and cannot become SHIPPED`,
          from: "REJECTED",
          to: "SHIPPED",
        },
      },
    });
    const after = await orders.getOrder(asAdmin, order.orderId);
    expect(after?.status).toBe("REJECTED");
    expect(after?.version).toBeGreaterThanOrEqual(rejected?.version ?? 0);
    const unknown = await invoke(
      api,
      graphqlEvent(
        `mutation { shipOrder(orderId: "nope") { __typename } }`,
        {},
        await shop.authorization({ admin: "pipeline" }),
      ),
    );
    expect(unknown.json).toEqual({ data: { shipOrder: { __typename: "OrderNotFound" } } });
  });
});
