import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CustomerOrdersDocument,
  PlaceOrderDocument,
  ProductDocument,
  ShipOrderDocument,
  TypedDocumentString,
} from "../generated/client/graphql";
import { createHttpBridge } from "../local/lambda/http-bridge";
import type { Poller } from "../local/lambda/sqs-poller";
import { runConsumers } from "../test/support/consumer-harness";
import { createTestShop, eventually, type TestShop } from "../test/support/test-shop";
import { runExample } from "./example";
import { runRestockExample } from "./restock-example";
import { GraphQLRequestError, ShopClient } from "./shop-client";

let shop: TestShop;
let server: Server;
let consumers: Poller;
/** A customer's client, and an admin's. */
let client: ShopClient;
let admin: ShopClient;
let url: string;

beforeAll(async () => {
  shop = await createTestShop({ catalog: "sample" });
  server = createHttpBridge(shop.api(), shop.logger);
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  client = new ShopClient(url, await shop.authorization({ customer: "typed" }));
  admin = new ShopClient(url, await shop.authorization({ admin: "typed-admin" }));
  consumers = await runConsumers(shop, ["fraud"], {
    env: { PAYMENT_LATENCY_MS: "0" },
  });
});
afterAll(async () => {
  await consumers.stop();
  await new Promise((done) => server.close(done));
  shop.destroy();
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

describe("npm run example", () => {
  it("places an order and follows it until it settles, printing each status", async () => {
    const lines: string[] = [];
    const status = await runExample({
      url,
      headers: await shop.authorization({ customer: "example-test" }),
      log: (line) => lines.push(line),
    });
    expect(status).toBe("CONFIRMED");
    expect(lines[0]).toMatch(/^Ordering 1 x .+ \(\$\d+\.\d\d\)$/);
    expect(lines[1]).toMatch(/^Order .+ placed: PENDING, total \$/);
    expect(lines).toContainEqual(expect.stringMatching(/is now CONFIRMED$/));
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
