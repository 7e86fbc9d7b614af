import type { Server } from "node:http";
import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { type Client, createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { DynamoSubscriptionStore } from "../adapters/dynamo-subscription-store";
import { orderTopic } from "../core/live/live-rules";
import type { Order } from "../core/orders/order";
import { websocketFunction } from "../infra/topology";
import { buildFunction } from "../local/lambda/functions";
import { closeGracefully, createHttpBridge } from "../local/lambda/http-bridge";
import type { Poller } from "../local/lambda/sqs-poller";
import { freePort } from "../local/process/tcp-ports";
import { runConsumers } from "./support/consumer-harness";
import {
  aProduct,
  asAdmin,
  createTestShop,
  eventually,
  MANY_CONTAINERS_IN_ONE_PROCESS,
  type TestShop,
} from "./support/test-shop";

/**
 * Live order updates end to end on the local stack: the api and the WebSocket function
 * behind the local HTTP bridge (its WebSocket API and management API stand-ins), the fraud
 * consumer deciding orders and the live-updates notifier pushing each change, against
 * DynamoDB Local and the SNS/SQS emulator; clients speak graphql-transport-ws with the
 * graphql-ws library.
 */

let shop: TestShop;
let server: Server;
let url: string;
let consumers: Poller;
let store: DynamoSubscriptionStore;
const clients: Client[] = [];

const ORDER_FIELDS =
  "id status statusReason updatedAt fraudAssessment { decision } items { productId }";
/** The payment provider takes this long, so a test subscribes before the order is decided. */
const PAYMENT_MS = 1500;

beforeAll(async () => {
  shop = await createTestShop();
  await shop.putProducts([aProduct({ productId: "lamp", priceCents: 2500, stock: 1000 })]);
  const port = await freePort();
  const management = `http://127.0.0.1:${port}`;
  url = `ws://127.0.0.1:${port}/graphql`;
  const websocket = await buildFunction<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResultV2>(
    websocketFunction,
    // One process stands in for the many containers 500 connections would have.
    shop.envFor(websocketFunction, {
      WEBSOCKET_MANAGEMENT_URL: management,
      ...MANY_CONTAINERS_IN_ONE_PROCESS,
    }),
    {
      logger: shop.logger,
    },
  );
  server = createHttpBridge(shop.api(), shop.logger, { websocket: { handler: websocket } });
  await new Promise<void>((ready) => server.listen(port, "127.0.0.1", ready));
  consumers = await runConsumers(shop, ["fraud", "liveUpdates"], {
    env: {
      PAYMENT_LATENCY_MS: String(PAYMENT_MS),
      WEBSOCKET_MANAGEMENT_URL: management,
      ...MANY_CONTAINERS_IN_ONE_PROCESS,
    },
  });
  store = new DynamoSubscriptionStore(
    shop.local.document,
    shop.provisioned.tableNames.liveSubscriptions,
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await consumers?.stop();
  if (server) await closeGracefully(server);
  shop?.destroy();
});

async function connect(token: string | undefined): Promise<Client> {
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
  clients.push(client);
  return client;
}

/** Every message a subscription gets, and how it ended (an error, or its completion). */
function follow(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const received: { at: number; data: unknown }[] = [];
  let ended: { error?: unknown } | undefined;
  const stop = client.subscribe(
    { query, variables },
    {
      next: (value) => received.push({ at: Date.now(), data: value.data ?? value }),
      error: (error) => {
        ended = { error };
      },
      complete: () => {
        ended ??= {};
      },
    },
  );
  return { received, ended: () => ended, stop };
}

async function place(customerId: string): Promise<Order> {
  const result = await shop.services().orders.placeOrder(asAdmin, {
    customerId,
    items: [{ productId: "lamp", quantity: 1 }],
  });
  if (result.kind !== "placed") throw new Error(JSON.stringify(result));
  return result.order;
}

/** Until the subscription is stored: the protocol answers a subscribe with nothing. */
async function subscribed(topic: string, count = 1, timeoutMs = 10_000) {
  await eventually(
    async () => {
      let n = 0;
      for await (const _ of store.subscriptionsTo(topic)) n++;
      return n;
    },
    (n) => n >= count,
    { what: `${count} subscription(s) to ${topic}`, timeoutMs },
  );
}

describe("live order updates over WebSocket", () => {
  it("pushes PENDING -> CONFIRMED to the order's customer within a second of the change, once", async () => {
    const order = await place("live-1");
    const client = await connect(await shop.token({ customer: "live-1" }));
    const sub = follow(
      client,
      `subscription($id: ID!) { orderUpdated(orderId: $id) { ${ORDER_FIELDS} } }`,
      { id: order.orderId },
    );
    await subscribed(orderTopic(order.orderId));
    const confirmed = () =>
      sub.received.filter(
        (m) => (m.data as { orderUpdated: { status: string } }).orderUpdated.status === "CONFIRMED",
      );
    const [update] = await eventually(
      async () => confirmed(),
      (c) => c.length >= 1,
      {
        what: "the CONFIRMED update",
        timeoutMs: 10_000,
      },
    );
    if (!update) throw new Error("no update");
    const pushed = (update.data as { orderUpdated: { id: string; updatedAt: string } })
      .orderUpdated;
    expect(update.data).toMatchObject({
      orderUpdated: {
        id: order.orderId,
        status: "CONFIRMED",
        // Admin-only: a customer's subscription executes as the customer.
        fraudAssessment: null,
        items: [{ productId: "lamp" }],
      },
    });
    expect(update.at - Date.parse(pushed.updatedAt)).toBeLessThan(1_000);
    // Exactly once: nothing more arrives for that change.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(confirmed()).toHaveLength(1);
    sub.stop();
  }, 20_000);

  it("pushes the fraud consumer's decision, a shipment and a cancellation to myOrders", async () => {
    const client = await connect(await shop.token({ customer: "live-2" }));
    const sub = follow(client, `subscription { myOrders { ${ORDER_FIELDS} } }`);
    await subscribed("customer#live-2");
    const first = await place("live-2");
    const second = await place("live-2");
    const statuses = () =>
      sub.received.map((m) => {
        const o = (m.data as { myOrders: { id: string; status: string } }).myOrders;
        return `${o.id === first.orderId ? "first" : "second"}:${o.status}`;
      });
    await eventually(
      async () => statuses(),
      (s) => s.includes("first:CONFIRMED") && s.includes("second:CONFIRMED"),
      { what: "both orders confirmed", timeoutMs: 15_000 },
    );
    await shop.services().lifecycle.shipOrder(asAdmin, first.orderId);
    await shop.services().lifecycle.cancelOrder(asAdmin, second.orderId, "out of time");
    const seen = await eventually(
      async () => statuses(),
      (s) => s.includes("first:SHIPPED") && s.includes("second:CANCELLED"),
      { what: "the shipment and the cancellation", timeoutMs: 15_000 },
    );
    // One message per change: created (PENDING), confirmed, then shipped or cancelled.
    expect([...seen].sort()).toEqual(
      [
        "first:PENDING",
        "first:CONFIRMED",
        "first:SHIPPED",
        "second:PENDING",
        "second:CONFIRMED",
        "second:CANCELLED",
      ].sort(),
    );
    sub.stop();
  }, 30_000);

  it("answers a customer watching another's order as if it did not exist", async () => {
    const theirs = await place("live-other");
    const client = await connect(await shop.token({ customer: "live-3" }));
    const sub = follow(client, "subscription($id: ID!) { orderUpdated(orderId: $id) { id } }", {
      id: theirs.orderId,
    });
    const ended = await eventually(async () => sub.ended(), Boolean, { what: "the refusal" });
    expect(JSON.stringify(ended?.error)).toContain(`order ${theirs.orderId} does not exist`);
  });

  it("answers a malformed or wrong subscription with an error, and keeps the connection", async () => {
    const client = await connect(await shop.token({ customer: "live-5" }));
    const refusal = async (query: string, variables: Record<string, unknown> = {}) => {
      const sub = follow(client, query, variables);
      const ended = await eventually(async () => sub.ended(), Boolean, { what: "the refusal" });
      return JSON.stringify(ended?.error);
    };
    expect(await refusal("subscription {")).toContain("Syntax Error");
    expect(await refusal("{ ping }")).toContain("only subscriptions are served over WebSocket");
    expect(await refusal("subscription($id: ID!) { orderUpdated(orderId: $id) { id } }")).toContain(
      'Variable \\"$id\\" of required type \\"ID!\\" was not provided',
    );
    expect(await refusal("subscription { nothing }")).toContain("Cannot query field");
    // The same connection still serves a good subscription.
    const order = await place("live-5");
    follow(client, "subscription($id: ID!) { orderUpdated(orderId: $id) { id } }", {
      id: order.orderId,
    });
    await subscribed(orderTopic(order.orderId));
  });

  it("closes a connection whose token is not valid with 4403, and one that subscribes first with 4401", async () => {
    const closed = (token: string | undefined, subscribeFirst: boolean) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(url, "graphql-transport-ws");
        socket.on("open", () => {
          if (subscribeFirst) {
            socket.send(
              JSON.stringify({
                id: "1",
                type: "subscribe",
                payload: { query: "subscription { myOrders { id } }" },
              }),
            );
          } else {
            socket.send(
              JSON.stringify({
                type: "connection_init",
                payload: token ? { authorization: `Bearer ${token}` } : {},
              }),
            );
          }
        });
        socket.on("close", (code) => resolve(code));
      });
    expect(await closed("not-a-token", false)).toBe(4403);
    expect(await closed(undefined, false)).toBe(4403);
    expect(await closed(undefined, true)).toBe(4401);
    // A message that is not the protocol's, with a long type: 4400, its reason cut to fit.
    const invalid = await new Promise<{ code: number; reason: string }>((resolve) => {
      const socket = new WebSocket(url, "graphql-transport-ws");
      socket.on("open", () => socket.send(JSON.stringify({ type: "x".repeat(300) })));
      socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    expect(invalid.code).toBe(4400);
    expect(Buffer.byteLength(invalid.reason)).toBeLessThanOrEqual(123);
  });

  it("forgets a connection the client closed, and drops one that is gone (410)", async () => {
    const order = await place("live-4");
    const client = await connect(await shop.token({ customer: "live-4" }));
    follow(client, "subscription($id: ID!) { orderUpdated(orderId: $id) { id } }", {
      id: order.orderId,
    });
    await subscribed(orderTopic(order.orderId));
    await client.dispose();
    await eventually(
      async () => {
        let n = 0;
        for await (const _ of store.subscriptionsTo(orderTopic(order.orderId))) n++;
        return n;
      },
      (n) => n === 0,
      { what: "the closed connection's subscription removed" },
    );

    // A connection that vanished without a $disconnect: the notifier's post answers 410.
    await store.putConnection({
      connectionId: "vanished",
      connectedAt: new Date().toISOString(),
      acknowledged: true,
      viewer: { kind: "admin", subject: "gone" },
      expiresAt: Math.floor(Date.now() / 1000) + 600,
    });
    await store.putSubscription({
      connectionId: "vanished",
      operationId: "1",
      topic: orderTopic(order.orderId),
      query: "subscription($id: ID!) { orderUpdated(orderId: $id) { id } }",
      variables: { id: order.orderId },
      viewer: { kind: "admin", subject: "gone" },
      expiresAt: Math.floor(Date.now() / 1000) + 600,
    });
    await shop.services().lifecycle.cancelOrder(asAdmin, order.orderId, "test");
    await eventually(
      async () => store.getConnection("vanished"),
      (connection) => connection === undefined,
      { what: "the gone connection dropped", timeoutMs: 15_000 },
    );
  }, 30_000);

  it("serves 500 concurrent subscribers, each its updates, with the process's memory bounded", async () => {
    const order = await place("live-many");
    const admin = await shop.token({ admin: "live-many" });
    const before = process.memoryUsage().rss;
    const subs = await Promise.all(
      Array.from({ length: 500 }, async () =>
        follow(
          await connect(admin),
          "subscription($id: ID!) { orderUpdated(orderId: $id) { id status } }",
          {
            id: order.orderId,
          },
        ),
      ),
    );
    await subscribed(orderTopic(order.orderId), 500, 60_000);
    await shop.services().lifecycle.cancelOrder(asAdmin, order.orderId, "test");
    const cancelled = (sub: (typeof subs)[number]) =>
      sub.received.filter(
        (m) => (m.data as { orderUpdated: { status: string } }).orderUpdated.status === "CANCELLED",
      );
    await eventually(
      async () => subs.filter((sub) => cancelled(sub).length > 0).length,
      (n) => n === 500,
      { what: "every subscriber's update", timeoutMs: 30_000 },
    );
    const grownMb = (process.memoryUsage().rss - before) / 1024 / 1024;
    console.info(`500 subscribers: rss grew ${grownMb.toFixed(0)} MB`);
    expect(grownMb).toBeLessThan(300);
    for (const sub of subs) expect(cancelled(sub)).toHaveLength(1);
  }, 90_000);
});
