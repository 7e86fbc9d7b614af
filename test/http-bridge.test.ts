import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CORS_POLICY } from "../api/cors";
import { routesFor } from "../api/route-table";
import { createHttpBridge, type GatewaySettings } from "../local/lambda/http-bridge";
import { createTestShop, type TestShop } from "./support/test-shop";

let shop: TestShop;
let base: string;
/** Every event the bridge hands the function, in order. */
let invoked: APIGatewayProxyEventV2[];
const servers: Server[] = [];

/** A bridge on a free port over the shop's api, recording each event it invokes it with. */
async function startBridge(settings: GatewaySettings = {}): Promise<string> {
  const api = shop.api();
  const bridge = createHttpBridge(
    (event, context) => {
      invoked.push(event);
      return api(event, context);
    },
    shop.logger,
    settings,
  );
  servers.push(bridge);
  await new Promise<void>((ready) => bridge.listen(0, "127.0.0.1", ready));
  return `http://127.0.0.1:${(bridge.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  shop = await createTestShop({ catalog: "sample" });
  invoked = [];
  base = await startBridge();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  shop.destroy();
});

/** The answer API Gateway gives, itself, to a request no route takes. */
async function expectGatewayNotFound(response: Response) {
  expect(response.status).toBe(404);
  expect(response.headers.get("content-type")).toBe("application/json");
  expect(response.headers.get("allow")).toBeNull();
  expect(await response.json()).toEqual({ message: "Not Found" });
}

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

  it("answers health", async () => {
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

// What API Gateway answers itself, without invoking the function: the bridge must answer
// the same, and leave the function out of it just as the cloud does.
describe("the local HTTP server, as API Gateway", () => {
  it("answers API Gateway's own 404 for a path no route takes, without invoking the function", async () => {
    const before = invoked.length;
    for (const path of ["/nowhere", "/products/prod-0001/reviews", "/graphql/assets/", "/"]) {
      await expectGatewayNotFound(await fetch(`${base}${path}`));
    }
    expect(invoked.length).toBe(before);
  });

  it("answers the same 404, not 405, for a known path with a verb no route takes", async () => {
    const before = invoked.length;
    await expectGatewayNotFound(await fetch(`${base}/orders`, { method: "DELETE" }));
    await expectGatewayNotFound(await fetch(`${base}/products`, { method: "POST", body: "{}" }));
    await expectGatewayNotFound(await fetch(`${base}/graphql`, { method: "PUT", body: "{}" }));
    expect(invoked.length).toBe(before);
  });

  it("answers POST /health with API Gateway's 404: only GET /health is a route", async () => {
    const before = invoked.length;
    await expectGatewayNotFound(await fetch(`${base}/health`, { method: "POST" }));
    await expectGatewayNotFound(
      await fetch(`${base}/health`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      }),
    );
    expect(invoked.length).toBe(before);
  });

  it("answers CORS preflight itself, from the API's CORS declaration, on any path", async () => {
    const before = invoked.length;
    for (const path of ["/orders", "/graphql", "/nowhere"]) {
      const response = await fetch(`${base}${path}`, {
        method: "OPTIONS",
        headers: {
          origin: "https://shop.example",
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type,authorization,idempotency-key",
        },
      });
      expect(response.status, path).toBe(204);
      expect(response.headers.get("access-control-allow-origin"), path).toBe("*");
      expect(response.headers.get("access-control-allow-methods"), path).toBe(
        CORS_POLICY.allowMethods.join(","),
      );
      expect(response.headers.get("access-control-allow-headers"), path).toBe(
        CORS_POLICY.allowHeaders.join(","),
      );
      expect(response.headers.get("access-control-max-age"), path).toBe(
        String(CORS_POLICY.maxAgeSeconds),
      );
      expect(await response.text(), path).toBe("");
    }
    expect(invoked.length).toBe(before);
  });

  it("takes an OPTIONS request that is no preflight as any other: no route, so 404", async () => {
    const before = invoked.length;
    await expectGatewayNotFound(await fetch(`${base}/orders`, { method: "OPTIONS" }));
    await expectGatewayNotFound(
      await fetch(`${base}/orders`, {
        method: "OPTIONS",
        headers: { origin: "https://shop.example" },
      }),
    );
    expect(invoked.length).toBe(before);
  });

  it("grants preflight only to the allowed origins, when the API lists them", async () => {
    const listed = await startBridge({ allowedOrigins: ["https://shop.example"] });
    const preflight = (origin: string) =>
      fetch(`${listed}/graphql`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST" },
      });
    const allowed = await preflight("https://shop.example");
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    expect(allowed.headers.get("vary")).toBe("Origin");
    const other = await preflight("https://elsewhere.example");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("passes every route of the list to the function, as the cloud's route, trailing slash or not", async () => {
    for (const route of routesFor({ playground: true })) {
      const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => `${name}-1`);
      for (const sent of [path, `${path}/`]) {
        const before = invoked.length;
        const response = await fetch(`${base}${sent}`, {
          method: route.method,
          ...(route.method === "POST"
            ? { headers: { "content-type": "application/json" }, body: "{}" }
            : {}),
        });
        const label = `${route.method} ${sent}`;
        expect(invoked.length, label).toBe(before + 1);
        expect(invoked.at(-1)?.routeKey, label).toBe(`${route.method} ${route.path}`);
        expect(invoked.at(-1)?.rawPath, label).toBe(sent);
        expect(await response.text(), label).not.toBe(JSON.stringify({ message: "Not Found" }));
      }
    }
  });

  it("hands the function the route's key and its path parameters, decoded", async () => {
    const response = await fetch(`${base}/products/prod%2D0001`);
    expect(response.status).toBe(200);
    const event = invoked.at(-1);
    expect(event?.routeKey).toBe("GET /products/{id}");
    expect(event?.requestContext.routeKey).toBe("GET /products/{id}");
    expect(event?.pathParameters).toEqual({ id: "prod-0001" });
    expect(event?.rawPath).toBe("/products/prod%2D0001");
  });

  it("has no route for the playground's assets where the playground is off", async () => {
    const off = await startBridge({ playground: false });
    const before = invoked.length;
    await expectGatewayNotFound(await fetch(`${off}/graphql/assets/graphiql.js`));
    expect(invoked.length).toBe(before);
    expect((await fetch(`${base}/graphql/assets/graphiql.js`)).status).toBe(200);
  });
});
