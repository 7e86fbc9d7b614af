import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOpenApiDocument, OPENAPI_CACHE_CONTROL } from "../api/openapi";
import { createHttpBridge } from "../local/lambda/http-bridge";
import {
  httpEvent,
  httpTransport,
  invoke,
  lambdaTransport,
  type Transport,
} from "./support/api-events";
import { checkedTransport, checkResponse } from "./support/openapi-check";
import { createTestShop, type TestShop } from "./support/test-shop";

/**
 * The old system's REST routes and every error they answer, as its clients used them (no
 * token), which the migration switch keeps open; checked twice: through the Lambda handler
 * with API Gateway v2 events, and over HTTP through the local server. Without the switch,
 * the same requests are refused (test/access.test.ts).
 */
const LEGACY = { LEGACY_OPEN_REST: "true" };
const transports: Record<
  string,
  (shop: TestShop) => Promise<{ send: Transport; close(): Promise<void> }>
> = {
  "the Lambda handler": async (shop) => ({
    send: lambdaTransport(shop.api(LEGACY)),
    close: async () => {},
  }),
  "the local HTTP server": async (shop) => {
    const server: Server = createHttpBridge(shop.api(LEGACY), shop.logger);
    await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
    const { port } = server.address() as AddressInfo;
    return {
      send: httpTransport(`http://127.0.0.1:${port}`),
      close: () => new Promise((done) => server.close(() => done())),
    };
  },
};

describe.each(Object.keys(transports))("REST routes through %s", (transport) => {
  let shop: TestShop;
  let send: Transport;
  let close: () => Promise<void>;

  beforeAll(async () => {
    shop = await createTestShop({ catalog: "sample" });
    const opened = await (transports[transport] as (typeof transports)[string])(shop);
    // Every answer of this suite must be one openapi.json describes.
    send = checkedTransport(opened.send);
    close = opened.close;
  });
  afterAll(async () => {
    await close();
    shop.destroy();
  });

  function postOrder(body: unknown, headers: Record<string, string> = {}) {
    return send({
      method: "POST",
      path: "/orders",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  }

  describe("GET /openapi.json", () => {
    it("answers the routes' OpenAPI document, which caches may keep", async () => {
      const response = await send({ path: "/openapi.json" });
      expect(response.status).toBe(200);
      expect(response.headers["content-type"]).toBe("application/json");
      expect(response.headers["cache-control"]).toBe(OPENAPI_CACHE_CONTROL);
      expect(response.json).toEqual(buildOpenApiDocument());
    });
  });

  describe("GET /products", () => {
    it("lists the whole catalog in the old wire format", async () => {
      const response = await send({ path: "/products" });
      expect(response.status).toBe(200);
      const body = response.json as { products: Record<string, unknown>[]; count: number };
      expect(body.count).toBe(50);
      expect(body.products).toHaveLength(50);
      expect(body.products.find((p) => p.product_id === "prod-0002")).toEqual({
        product_id: "prod-0002",
        name: '4K Ultra HD Smart TV 55"',
        category: "Electronics",
        brand: "Visionix",
        description: "55-inch 4K HDR television with built-in streaming apps.",
        price: 549.99,
        currency: "USD",
        stock: 12,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      expect(response.headers["access-control-allow-origin"]).toBe("*");
    });

    it("filters by category", async () => {
      const response = await send({ path: "/products", query: { category: "Clothing" } });
      const body = response.json as { products: { category: string }[]; count: number };
      expect(body.count).toBe(10);
      expect(body.products.every((p) => p.category === "Clothing")).toBe(true);
    });
  });

  describe("GET /products/{id}", () => {
    it("answers the product", async () => {
      const response = await send({ path: "/products/prod-0011" });
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({
        product_id: "prod-0011",
        name: "The Pragmatic Programmer",
        price: 44.99,
      });
    });

    it("answers 404 with the old error body for an unknown product", async () => {
      const response = await send({ path: "/products/prod-9999" });
      expect(response.status).toBe(404);
      expect(response.json).toEqual({ error: "Product not found" });
    });

    it("answers 400 for a malformed path escape instead of failing", async () => {
      const response = await send({ path: "/products/%E0%A4%A" });
      expect(response.status).toBe(400);
      expect(response.json).toEqual({ error: "Product id is not valid" });
    });
  });

  describe("POST /orders", () => {
    it("places the order and answers 201 with its id, status and total in dollars", async () => {
      const response = await postOrder({
        customer_id: "rest-1",
        items: [
          { product_id: "prod-0012", quantity: 2 },
          { product_id: "prod-0013", quantity: 1 },
        ],
      });
      expect(response.status).toBe(201);
      expect(response.json).toMatchObject({
        order_id: expect.any(String),
        customer_id: "rest-1",
        status: "PENDING",
        total_amount: 143.97,
        currency: "USD",
        items: [
          {
            product_id: "prod-0012",
            product_name: "Designing Data-Intensive Applications",
            quantity: 2,
            unit_price: 52.99,
            line_total: 105.98,
          },
          {
            product_id: "prod-0013",
            product_name: "Clean Architecture",
            quantity: 1,
            unit_price: 37.99,
            line_total: 37.99,
          },
        ],
      });
      expect(await shop.stockOf("prod-0012")).toBe(33);
    });

    const badRequests: [string, unknown, string][] = [
      ["no body", undefined, "Request body is required"],
      ["a body that is not JSON", "{customer_id:", "Request body must be valid JSON"],
      ["a body that is not an object", "[1,2]", "Request body must be a JSON object"],
      [
        "a missing customer_id",
        { items: [{ product_id: "prod-0001", quantity: 1 }] },
        "customer_id is required",
      ],
      ["missing items", { customer_id: "c" }, "items must be a list of items"],
      ["no items", { customer_id: "c", items: [] }, "items must contain at least one item"],
      [
        "a missing product_id",
        { customer_id: "c", items: [{ quantity: 1 }] },
        "items[0].product_id is required",
      ],
      [
        "a zero quantity",
        { customer_id: "c", items: [{ product_id: "prod-0001", quantity: 0 }] },
        "items[0].quantity must be at least 1",
      ],
      [
        "a negative quantity",
        { customer_id: "c", items: [{ product_id: "prod-0001", quantity: -3 }] },
        "items[0].quantity must be at least 1",
      ],
      [
        "a fractional quantity",
        { customer_id: "c", items: [{ product_id: "prod-0001", quantity: 1.5 }] },
        "items[0].quantity must be a whole number",
      ],
      [
        "a quantity that is a string",
        { customer_id: "c", items: [{ product_id: "prod-0001", quantity: "2" }] },
        "items[0].quantity must be a whole number",
      ],
    ];
    for (const [name, body, error] of badRequests) {
      it(`answers 400 for ${name}, and changes nothing`, async () => {
        const before = await shop.orderCount();
        const response =
          body === undefined
            ? await send({
                method: "POST",
                path: "/orders",
                headers: { "content-type": "application/json" },
              })
            : await postOrder(body);
        expect(response.status).toBe(400);
        expect(response.json).toEqual({ error });
        expect(await shop.orderCount()).toBe(before);
      });
    }

    it("answers 404 for an unknown product, and changes nothing", async () => {
      const before = await shop.orderCount();
      const response = await postOrder({
        customer_id: "rest-2",
        items: [
          { product_id: "prod-0015", quantity: 1 },
          { product_id: "prod-9999", quantity: 1 },
        ],
      });
      expect(response.status).toBe(404);
      expect(response.json).toEqual({ error: "Product prod-9999 does not exist" });
      expect(await shop.stockOf("prod-0015")).toBe(100);
      expect(await shop.orderCount()).toBe(before);
    });

    it("answers 409 for insufficient stock, and changes nothing", async () => {
      const response = await postOrder({
        customer_id: "rest-2",
        items: [{ product_id: "prod-0010", quantity: 6 }],
      });
      expect(response.status).toBe(409);
      expect(response.json).toEqual({ error: "Only 5 of prod-0010 in stock, 6 requested" });
      expect(await shop.stockOf("prod-0010")).toBe(5);
    });

    it("honours the Idempotency-Key header: same body, same order; other body, 422", async () => {
      const body = { customer_id: "rest-3", items: [{ product_id: "prod-0016", quantity: 2 }] };
      const first = await postOrder(body, { "idempotency-key": "checkout-77" });
      const retry = await postOrder(body, { "idempotency-key": "checkout-77" });
      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      expect((retry.json as { order_id: string }).order_id).toBe(
        (first.json as { order_id: string }).order_id,
      );
      expect(await shop.stockOf("prod-0016")).toBe(53);

      const changed = await postOrder(
        { ...body, items: [{ product_id: "prod-0016", quantity: 3 }] },
        { "idempotency-key": "checkout-77" },
      );
      expect(changed.status).toBe(422);
      expect(changed.json).toEqual({
        error: "Idempotency key checkout-77 was already used for a different order",
      });
      expect(await shop.stockOf("prod-0016")).toBe(53);
    });

    it("answers 400 for an idempotency key it cannot use", async () => {
      const response = await postOrder(
        { customer_id: "rest-3", items: [{ product_id: "prod-0016", quantity: 1 }] },
        { "idempotency-key": "x".repeat(300) },
      );
      expect(response.status).toBe(400);
      expect(response.json).toEqual({
        error: "Idempotency-Key header must be at most 255 characters",
      });
    });
  });

  describe("GET /orders", () => {
    it("lists a customer's orders, newest first", async () => {
      const ids: string[] = [];
      for (const product_id of ["prod-0017", "prod-0018"]) {
        const placed = await postOrder({
          customer_id: "rest-4",
          items: [{ product_id, quantity: 1 }],
        });
        ids.push((placed.json as { order_id: string }).order_id);
      }
      const response = await send({ path: "/orders", query: { customer_id: "rest-4" } });
      expect(response.status).toBe(200);
      const body = response.json as {
        orders: { order_id: string; status: string; total_amount: number }[];
        count: number;
      };
      expect(body.count).toBe(2);
      expect(body.orders.map((o) => o.order_id)).toEqual(ids.reverse());
      expect(body.orders[0]).toMatchObject({ status: "PENDING", total_amount: 79.99 });
    });

    it("answers an empty list for a customer without orders", async () => {
      const response = await send({ path: "/orders", query: { customer_id: "nobody" } });
      expect(response.json).toEqual({ orders: [], count: 0 });
    });

    it("answers 400 without customer_id", async () => {
      const response = await send({ path: "/orders" });
      expect(response.status).toBe(400);
      expect(response.json).toEqual({ error: "customer_id query parameter is required" });
    });
  });
});

describe("REST routes through the Lambda handler only", () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await createTestShop({ catalog: "sample" });
  });
  afterAll(() => shop.destroy());

  // Behind API Gateway, and the local bridge (test/http-bridge.test.ts), neither request
  // reaches the function: the gateway answers both itself. A direct invocation gets these,
  // which is why openapi.json does not describe them.
  it("answers 405 with Allow for a verb a route does not take", async () => {
    const response = await invoke(
      shop.api(LEGACY),
      httpEvent({ method: "DELETE", path: "/orders" }),
    );
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe("GET, POST");
    expect(response.json).toEqual({ error: "Method not allowed" });
  });

  it("answers CORS preflight for the REST routes", async () => {
    const response = await invoke(
      shop.api(LEGACY),
      httpEvent({ method: "OPTIONS", path: "/orders" }),
    );
    expect(response.status).toBe(204);
    expect(response.headers["access-control-allow-methods"]).toBe("GET,POST,OPTIONS");
  });

  it("accepts a base64-encoded body, as API Gateway may send it", async () => {
    const body = Buffer.from(
      JSON.stringify({
        customer_id: "rest-b64",
        items: [{ product_id: "prod-0014", quantity: 1 }],
      }),
    ).toString("base64");
    const request = {
      method: "POST",
      path: "/orders",
      headers: { "content-type": "application/json" },
      body,
    };
    const response = await invoke(shop.api(LEGACY), httpEvent({ ...request, base64: true }));
    expect(response.status).toBe(201);
    checkResponse(request, response);
  });
});
