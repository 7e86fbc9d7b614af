import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpBridge } from "../local/http-bridge";
import { createTestShop, type TestShop } from "./support/test-shop";

let shop: TestShop;
let server: Server;
let base: string;

beforeAll(async () => {
  shop = await createTestShop({ catalog: "sample" });
  server = createHttpBridge(shop.api(), shop.logger);
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((done) => server.close(done));
  shop.destroy();
});

describe("the local HTTP server", () => {
  it("serves the REST catalog", async () => {
    const response = await fetch(`${base}/products`);
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(((await response.json()) as { count: number }).count).toBe(50);
    const one = await fetch(`${base}/products/prod-0021`);
    expect(await one.json()).toMatchObject({
      product_id: "prod-0021",
      name: "Merino Wool Crew Sweater",
      price: 89,
    });
    expect((await fetch(`${base}/products/prod-0000`)).status).toBe(404);
  });

  it("places an order over REST and lists it by customer", async () => {
    const placed = await fetch(`${base}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": "bridge-1" },
      body: JSON.stringify({
        customer_id: "bridge",
        items: [{ product_id: "prod-0022", quantity: 2 }],
      }),
    });
    expect(placed.status).toBe(201);
    const order = (await placed.json()) as { order_id: string; total_amount: number };
    expect(order.total_amount).toBe(258);
    const listed = await fetch(`${base}/orders?customer_id=bridge`);
    expect(await listed.json()).toMatchObject({ count: 1, orders: [{ order_id: order.order_id }] });
  });

  it("answers each REST error as the Lambda does", async () => {
    const post = (body: string) =>
      fetch(`${base}/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
    const bad = await post("{oops");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "Request body must be valid JSON" });
    const unknown = await post(
      JSON.stringify({ customer_id: "b", items: [{ product_id: "prod-9999", quantity: 1 }] }),
    );
    expect(unknown.status).toBe(404);
    const tooMany = await post(
      JSON.stringify({ customer_id: "b", items: [{ product_id: "prod-0050", quantity: 1 }] }),
    );
    expect(tooMany.status).toBe(409);
    expect((await fetch(`${base}/orders`)).status).toBe(400);
  });

  it("serves GraphQL", async () => {
    const response = await fetch(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: '{ product(id: "prod-0023") { name price { formatted } } }' }),
    });
    expect(await response.json()).toEqual({
      data: { product: { name: "Classic Denim Jeans", price: { formatted: "$69.00" } } },
    });
  });

  it("answers preflight and health", async () => {
    const preflight = await fetch(`${base}/orders`, { method: "OPTIONS" });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-methods")).toBe("GET,POST,OPTIONS");
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
  });

  it("refuses a body over 1 MiB with 413 before calling the handler", async () => {
    const response = await fetch(`${base}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"customer_id":"${"x".repeat(1024 * 1024)}"}`,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: "Request body too large" });
  });
});
