import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CancelOrderDocument,
  CustomerOrdersDocument,
  OrderUpdatesDocument,
  PlaceOrderDocument,
  ProductDocument,
  ShipOrderDocument,
  TypedDocumentString,
} from "../generated/client/graphql";
import { websocketFunction } from "../infra/topology";
import { buildFunction } from "../local/lambda/functions";
import { closeGracefully, createHttpBridge } from "../local/lambda/http-bridge";
import type { Poller } from "../local/lambda/sqs-poller";
import { freePort } from "../local/process/tcp-ports";
import { runConsumers } from "../test/support/consumer-harness";
import { createTestShop, eventually, type TestShop } from "../test/support/test-shop";
import { runExample } from "./example";
import { runRestockExample } from "./restock-example";
import {
  GraphQLRequestError,
  LiveConnectionClosedError,
  ShopClient,
  ShopUnreachableError,
  SubscriptionError,
} from "./shop-client";

let shop: TestShop;
let server: Server;
let consumers: Poller;
/** A customer's client, and an admin's. */
let client: ShopClient;
let admin: ShopClient;
let url: string;
/** Every OrderStatus answer the API gave, as the client read it. */
const orderStatusAnswers: string[] = [];

/** The example's customer, whose payment the fraud consumer takes a while over. */
const EXAMPLE_CUSTOMER = "example-test";
const EXAMPLE_PAYMENT_MS = 1500;

beforeAll(async () => {
  shop = await createTestShop({ catalog: "sample" });
  // The API's port serves subscriptions too, as `npm start` does: the WebSocket function
  // behind the bridge, and the live-updates notifier pushing each change through it.
  const port = await freePort();
  const management = `http://127.0.0.1:${port}`;
  const websocket = await buildFunction<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResultV2>(
    websocketFunction,
    shop.envFor(websocketFunction, { WEBSOCKET_MANAGEMENT_URL: management }),
    { logger: shop.logger },
  );
  const api = shop.api();
  server = createHttpBridge(
    async (event, context) => {
      const result = await api(event, context);
      if (event.body?.includes("query OrderStatus(") && typeof result === "object")
        orderStatusAnswers.push(result.body ?? "");
      return result;
    },
    shop.logger,
    { websocket: { handler: websocket } },
  );
  await new Promise<void>((ready) => server.listen(port, "127.0.0.1", ready));
  url = `http://127.0.0.1:${port}/graphql`;
  client = new ShopClient(url, await shop.authorization({ customer: "typed" }));
  admin = new ShopClient(url, await shop.authorization({ admin: "typed-admin" }));
  consumers = await runConsumers(shop, ["fraud", "liveUpdates"], {
    env: { PAYMENT_LATENCY_MS: "0", WEBSOCKET_MANAGEMENT_URL: management },
    // The example's orders are decided well after it subscribes, so their outcome is pushed.
    wrap: (name, handler) => async (event, context) => {
      if (name === "fraud" && JSON.stringify(event).includes(EXAMPLE_CUSTOMER))
        await new Promise((resolve) => setTimeout(resolve, EXAMPLE_PAYMENT_MS));
      return handler(event, context);
    },
  });
}, 60_000);
afterAll(async () => {
  await consumers?.stop();
  if (server) await closeGracefully(server);
  shop?.destroy();
});

describe("the typed client", () => {
  it("runs the generated operations against the local stack and types their results", async () => {
    const { product } = await client.execute(ProductDocument, { id: "prod-0021" });
    expect(product).toMatchObject({
      id: "prod-0021",
      name: "Merino Wool Crew Sweater",
      price: { formatted: "$89.00" },
    });

    const { createOrder } = await client.execute(PlaceOrderDocument, {
      input: { items: [{ productId: "prod-0021", quantity: 2 }] },
    });
    if (createOrder.__typename !== "Order") throw new Error(createOrder.message);
    expect(createOrder).toMatchObject({
      status: "PENDING",
      itemCount: 2,
      total: { formatted: "$178.00" },
    });

    const { customerOrders } = await client.execute(CustomerOrdersDocument, {});
    expect(customerOrders.edges.map((e) => e.node.id)).toEqual([createOrder.id]);
  });

  it("answers business failures as typed data", async () => {
    const { createOrder } = await client.execute(PlaceOrderDocument, {
      input: { items: [{ productId: "prod-0050", quantity: 1 }] },
    });
    expect(createOrder).toMatchObject({
      __typename: "InsufficientStock",
      productId: "prod-0050",
      available: 0,
    });
  });

  it("runs the admin operations", async () => {
    const { createOrder } = await admin.execute(PlaceOrderDocument, {
      input: { customerId: "admin-flow", items: [{ productId: "prod-0022", quantity: 1 }] },
    });
    if (createOrder.__typename !== "Order") throw new Error(createOrder.message);
    const ship = () => admin.execute(ShipOrderDocument, { orderId: createOrder.id });
    const shipped = await eventually(ship, (r) => r.shipOrder.__typename === "Order", {
      what: "a shippable order",
    });
    expect(shipped.shipOrder).toEqual({
      __typename: "Order",
      id: createOrder.id,
      status: "SHIPPED",
    });
  });

  it("throws the GraphQL errors of a request the server refuses", async () => {
    const broken = new TypedDocumentString<unknown, Record<string, never>>("{ noSuchField }");
    await expect(client.execute(broken)).rejects.toThrow(GraphQLRequestError);
    await expect(client.execute(broken)).rejects.toThrow(/Cannot query field "noSuchField"/);
  });
});

describe("the typed client's subscriptions", () => {
  it("pushes each change of an order, typed, until it is closed", async () => {
    const { createOrder } = await admin.execute(PlaceOrderDocument, {
      input: { customerId: "typed", items: [{ productId: "prod-0024", quantity: 1 }] },
    });
    if (createOrder.__typename !== "Order") throw new Error(createOrder.message);
    const orderId = createOrder.id;
    const updates = client.subscribe(OrderUpdatesDocument, { id: orderId });
    await updates.ready;
    await admin.execute(CancelOrderDocument, { orderId, reason: "typed test" });
    const seen: string[] = [];
    for await (const { orderUpdated } of updates) {
      expect(orderUpdated.id).toBe(orderId);
      seen.push(orderUpdated.status);
      if (orderUpdated.status === "CANCELLED") await updates.close();
    }
    // The fraud consumer may confirm it first; the cancellation is pushed either way.
    expect(seen.at(-1)).toBe("CANCELLED");
  }, 20_000);

  it("throws a SubscriptionError when the shop refuses the subscription", async () => {
    const { createOrder } = await admin.execute(PlaceOrderDocument, {
      input: { customerId: "someone-else", items: [{ productId: "prod-0024", quantity: 1 }] },
    });
    if (createOrder.__typename !== "Order") throw new Error(createOrder.message);
    const updates = client.subscribe(OrderUpdatesDocument, { id: createOrder.id });
    await expect(updates.ready).rejects.toThrow(SubscriptionError);
    await expect(drain(updates)).rejects.toThrow(`order ${createOrder.id} does not exist`);
  });

  it("throws a LiveConnectionClosedError (4403) for a token the shop does not accept", async () => {
    const stranger = new ShopClient(url, { authorization: "Bearer not-a-token" });
    const updates = stranger.subscribe(OrderUpdatesDocument, { id: "any" });
    const error = await drain(updates).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LiveConnectionClosedError);
    expect(error).toMatchObject({ code: 4403 });
  });

  it("throws a ShopUnreachableError when nothing listens at the url", async () => {
    const nowhere = `http://127.0.0.1:${await closedPort()}/graphql`;
    const updates = new ShopClient(nowhere).subscribe(OrderUpdatesDocument, { id: "any" });
    await expect(drain(updates)).rejects.toThrow(ShopUnreachableError);
    await expect(drain(updates)).rejects.toThrow(
      `no shop answers at ${nowhere.replace("http", "ws")}`,
    );
  });
});

/** Every result of a subscription, until it ends. */
async function drain<T>(updates: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const update of updates) all.push(update);
  return all;
}

describe("npm run example", () => {
  it("places an order and follows it by subscription, printing each status as it is pushed", async () => {
    const lines: string[] = [];
    const status = await runExample({
      url,
      headers: await shop.authorization({ customer: EXAMPLE_CUSTOMER }),
      log: (line) => lines.push(line),
    });
    expect(status).toBe("CONFIRMED");
    expect(lines[0]).toMatch(/^Ordering 1 x .+ \(\$\d+\.\d\d\)$/);
    expect(lines[1]).toMatch(/^Order .+ placed: PENDING, total \$/);
    expect(lines).toContainEqual(expect.stringMatching(/is now CONFIRMED$/));
    // Its one look, once subscribed, saw PENDING: CONFIRMED came over the WebSocket.
    expect(orderStatusAnswers).toHaveLength(1);
    expect(JSON.parse(orderStatusAnswers[0] ?? "{}")).toMatchObject({
      data: { order: { status: "PENDING" } },
    });
  });
});

describe("npm run example:restock", () => {
  it("shows an admin restocking a sold-out product and a customer ordering it", async () => {
    const lines: string[] = [];
    const status = await runRestockExample({
      url,
      admin: await shop.authorization({ admin: "restock-admin" }),
      customer: await shop.authorization({ customer: "restock-customer" }),
      log: (line) => lines.push(line),
    });
    expect(status).toBe("CONFIRMED");
    expect(lines[0]).toBe("Jump Rope Speed (prod-0050) is sold out");
    expect(lines[1]).toBe("Customer orders 1: Only 0 of prod-0050 in stock, 1 requested");
    expect(lines[2]).toBe("Admin restocks 10: 10 in stock");
    expect(lines[3]).toMatch(/^Customer orders 1: order .+ placed, PENDING$/);
    expect(lines).toContainEqual(expect.stringMatching(/is now CONFIRMED$/));
    expect(lines.at(-1)).toBe(
      "History: STOCK_ADJUSTED by admin:restock-admin: restocked 10 (0 -> 10): delivery from the supplier",
    );
    expect(await shop.stockOf("prod-0050")).toBe(9);
  });
});

/** Runs a client script as `npm run` does, with `env` over the test's own environment. */
function runScript(
  script: string,
  args: readonly string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const environment = { ...process.env, ...env };
  for (const [name, value] of Object.entries(environment)) {
    if (value === undefined) delete environment[name];
  }
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", `client/${script}`, ...args],
      { env: environment, timeout: 20_000 },
      (_, stdout, stderr) => done({ code: child.exitCode, stdout, stderr }),
    );
  });
}

/** A port nothing listens on: taken from the system, then given back. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((ready) => probe.listen(0, "127.0.0.1", ready));
  const { port } = probe.address() as AddressInfo;
  await new Promise((done) => probe.close(done));
  return port;
}

describe("the client scripts, run as commands", () => {
  const portOf = (address: string) => new URL(address).port;

  it.each([
    ["example.ts", []],
    ["restock-example.ts", []],
    ["timeline.ts", ["some-order"]],
  ] as const)(
    "%s says in one line that no shop answers on PORT, and exits 1",
    async (script, args) => {
      const port = String(await closedPort());
      const { code, stdout, stderr } = await runScript(script, args, {
        PORT: port,
        SHOP_GRAPHQL_URL: undefined,
        SHOP_TOKEN: "unused",
      });
      expect(stderr).toBe(
        `no shop answers at http://127.0.0.1:${port}/graphql: is \`npm start\` running? (PORT=${port}, or set SHOP_GRAPHQL_URL)\n`,
      );
      expect(stdout).toBe("");
      expect(code).toBe(1);
    },
  );

  it("calls the API on PORT", async () => {
    const admin = await shop.token({ admin: "timeline-script" });
    const { createOrder } = await client.execute(PlaceOrderDocument, {
      input: { items: [{ productId: "prod-0023", quantity: 1 }] },
    });
    if (createOrder.__typename !== "Order") throw new Error(createOrder.message);
    const env = { PORT: portOf(url), SHOP_GRAPHQL_URL: undefined, SHOP_TOKEN: admin };
    const known = await runScript("timeline.ts", [createOrder.id], env);
    expect([known.code, known.stderr]).toEqual([0, ""]);
    // An answer from the shop itself: it has no such order.
    const unknown = await runScript("timeline.ts", ["no-such-order"], env);
    expect([unknown.code, unknown.stderr]).toEqual([
      1,
      "npm run timeline: no order no-such-order\n",
    ]);
  });

  it("calls SHOP_GRAPHQL_URL rather than PORT, and names it when no shop answers there", async () => {
    const admin = await shop.token({ admin: "timeline-script" });
    const closed = await closedPort();
    const there = await runScript("timeline.ts", ["no-such-order"], {
      PORT: String(closed),
      SHOP_GRAPHQL_URL: url,
      SHOP_TOKEN: admin,
    });
    expect(there.stderr).toBe("npm run timeline: no order no-such-order\n");
    const nowhere = `http://127.0.0.1:${closed}/graphql`;
    const missing = await runScript("timeline.ts", ["no-such-order"], {
      SHOP_GRAPHQL_URL: nowhere,
      SHOP_TOKEN: admin,
    });
    expect([missing.code, missing.stderr]).toEqual([
      1,
      `no shop answers at ${nowhere}: is the shop running there? (the url is SHOP_GRAPHQL_URL)\n`,
    ]);
  });
});
