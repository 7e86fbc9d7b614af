import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpBridge } from "../local/lambda/http-bridge";
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

// The REST routes are checked over this server in rest-api.test.ts; here, what only the
// bridge does.
describe("the local HTTP server", () => {
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

  it("passes a body over 1 MiB to the function, which refuses it with 413", async () => {
    const response = await fetch(`${base}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"customer_id":"${"x".repeat(1024 * 1024)}"}`,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: "the request body must be at most 1048576 bytes",
    });
  });

  it("refuses a body over API Gateway's 10 MB itself, as API Gateway does", async () => {
    const response = await fetch(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "x".repeat(10 * 1024 * 1024 + 1),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: "Request Entity Too Large" });
  });
});
