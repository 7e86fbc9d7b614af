import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphqlEvent, httpEvent, invoke } from "../test/support/api-events";
import { createTestShop, type TestShop } from "../test/support/test-shop";

let shop: TestShop;

beforeAll(async () => {
  shop = await createTestShop();
});
afterAll(() => shop.destroy());

const browserGet = (path: string) =>
  httpEvent({ path, headers: { accept: "text/html,application/xhtml+xml" } });

describe("the playground", () => {
  it("is served at /graphql to browsers in local mode, from this API only", async () => {
    const api = shop.api();
    const page = await invoke(api, browserGet("/graphql"));
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(page.body).toContain('<script src="/graphql/assets/graphiql.js">');
    expect(page.body).not.toMatch(/https?:\/\//);

    for (const [asset, type] of [
      ["react.js", "application/javascript"],
      ["react-dom.js", "application/javascript"],
      ["graphiql.js", "application/javascript"],
      ["graphiql.css", "text/css"],
      ["playground.js", "application/javascript"],
    ]) {
      const response = await invoke(api, httpEvent({ path: `/graphql/assets/${asset}` }));
      expect(response.status, asset).toBe(200);
      expect(response.headers["content-type"], asset).toBe(type);
      expect(response.body.length, asset).toBeGreaterThan(1000);
    }
    const start = await invoke(api, httpEvent({ path: "/graphql/assets/playground.js" }));
    expect(start.body).toContain("mutation PlaceOrder($input: CreateOrderInput!)");
    expect((await invoke(api, httpEvent({ path: "/graphql/assets/secrets.txt" }))).status).toBe(
      404,
    );
  });

  it("leaves GraphQL itself alone: a POST, or a GET with a query, is still GraphQL", async () => {
    const api = shop.api();
    expect((await invoke(api, graphqlEvent("{ ping }"))).json).toEqual({ data: { ping: true } });
    const get = await invoke(
      api,
      httpEvent({
        path: "/graphql",
        query: { query: "{ ping }" },
        headers: { "apollo-require-preflight": "true" },
      }),
    );
    expect(get.json).toEqual({ data: { ping: true } });
  });

  it("is off by default in production, and so is introspection", async () => {
    const api = shop.api({ SHOP_ENVIRONMENT: "production" });
    const page = await invoke(api, browserGet("/graphql"));
    expect(page.headers["content-type"]).not.toContain("text/html");
    expect((await invoke(api, httpEvent({ path: "/graphql/assets/graphiql.js" }))).status).toBe(
      404,
    );
    const introspection = await invoke(api, graphqlEvent("{ __schema { queryType { name } } }"));
    expect(JSON.stringify(introspection.json)).toContain("introspection");
  });

  it("can be turned on in production by configuration, with introspection for it", async () => {
    const api = shop.api({ SHOP_ENVIRONMENT: "production", PLAYGROUND: "on" });
    expect((await invoke(api, browserGet("/graphql"))).status).toBe(200);
    const introspection = await invoke(api, graphqlEvent("{ __schema { queryType { name } } }"));
    expect(introspection.json).toEqual({ data: { __schema: { queryType: { name: "Query" } } } });
  });
});
