import { createHash } from "node:crypto";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLambdaContext } from "../local/lambda/lambda-context";
import { graphqlEvent, httpEvent, invoke } from "../test/support/api-events";
import { createTestShop, type TestShop } from "../test/support/test-shop";
import type { ApiHandler } from "./create-api";
import { preferredEncoding } from "./playground";

let shop: TestShop;

beforeAll(async () => {
  shop = await createTestShop();
});
afterAll(() => shop.destroy());

const browserGet = (path: string) =>
  httpEvent({ path, headers: { accept: "text/html,application/xhtml+xml" } });

/** The asset URLs the page links to, other than its start script. */
async function assetUrls(api: ApiHandler): Promise<string[]> {
  const page = await invoke(api, browserGet("/graphql"));
  return [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)]
    .map((found) => found[1] ?? "")
    .filter((url) => !url.endsWith("/playground.js"));
}

/** The raw Lambda result, as API Gateway would take it (base64 and all). */
const call = (api: ApiHandler, path: string, headers: Record<string, string> = {}) =>
  api(httpEvent({ path, headers }), createLambdaContext("shop-api"));

/** Lambda refuses a response whose JSON is over 6 MB. */
const LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024;

describe("the playground", () => {
  it("is served at /graphql to browsers in local mode, from this API only", async () => {
    const api = shop.api();
    const page = await invoke(api, browserGet("/graphql"));
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(page.body).toMatch(/<script src="\/graphql\/assets\/graphiql\.[0-9a-f]{16}\.js">/);
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

  it("runs subscriptions on its own host, or on the WebSocket API the deployment names, and may connect there", async () => {
    const local = await invoke(shop.api(), httpEvent({ path: "/graphql/assets/playground.js" }));
    expect(local.body).toContain("subscription OrderUpdates($id: ID!)");
    expect(local.body).toContain('subscriptionUrl: "" || sameHost');
    expect(local.headers["content-security-policy"]).toMatch(/connect-src 'self'$/);

    const live = "wss://abc123.execute-api.eu-west-1.amazonaws.com/live";
    const deployed = shop.api({
      SHOP_ENVIRONMENT: "production",
      PLAYGROUND: "on",
      PLAYGROUND_LIVE_URL: live,
    });
    const script = await invoke(deployed, httpEvent({ path: "/graphql/assets/playground.js" }));
    expect(script.body).toContain(`subscriptionUrl: ${JSON.stringify(live)} || sameHost`);
    const page = await invoke(deployed, browserGet("/graphql"));
    expect(page.headers["content-security-policy"]).toMatch(
      /connect-src 'self' wss:\/\/abc123\.execute-api\.eu-west-1\.amazonaws\.com$/,
    );
  });

  it("links its assets by URLs that name their content, which browsers may keep for good", async () => {
    const api = shop.api();
    const urls = await assetUrls(api);
    expect(urls).toHaveLength(4);
    for (const url of urls) {
      const response = await call(api, url);
      expect(response.statusCode, url).toBe(200);
      expect(response.headers?.["cache-control"], url).toBe("public, max-age=31536000, immutable");
      expect(response.headers?.vary, url).toBe("accept-encoding");
      const hash = createHash("sha256")
        .update(response.body ?? "")
        .digest("hex");
      expect(url, "the URL carries the content's hash").toContain(`.${hash.slice(0, 16)}.`);
      // Another hash names content this deploy does not have.
      const stale = url.replace(/\.[0-9a-f]{16}\./, ".0123456789abcdef.");
      expect((await call(api, stale)).statusCode, stale).toBe(404);
    }
    // By its plain name an asset is still there, for curl, but a browser must ask again.
    const plain = await call(api, "/graphql/assets/graphiql.js");
    expect(plain.headers?.["cache-control"]).toBe("no-cache");
  });

  it("compresses its assets as the browser accepts, within Lambda's response limit", async () => {
    const api = shop.api();
    for (const url of await assetUrls(api)) {
      const plain = await call(api, url);
      expect(plain.headers?.["content-encoding"], url).toBeUndefined();
      expect(plain.isBase64Encoded ?? false, url).toBe(false);
      const original = Buffer.from(plain.body ?? "");
      for (const [accepted, encoding, decompress] of [
        ["gzip, deflate, br, zstd", "br", brotliDecompressSync],
        ["gzip", "gzip", gunzipSync],
      ] as const) {
        const response = await call(api, url, { "accept-encoding": accepted });
        expect(response.headers?.["content-encoding"], url).toBe(encoding);
        expect(response.headers?.vary, url).toBe("accept-encoding");
        expect(response.isBase64Encoded, url).toBe(true);
        const sent = Buffer.from(response.body ?? "", "base64");
        expect(sent.length, url).toBeLessThan(original.length * 0.8);
        expect(decompress(sent).equals(original), url).toBe(true);
        expect(Buffer.byteLength(JSON.stringify(response)), url).toBeLessThan(
          LAMBDA_RESPONSE_LIMIT,
        );
      }
      expect(Buffer.byteLength(JSON.stringify(plain)), url).toBeLessThan(LAMBDA_RESPONSE_LIMIT);
    }
  });

  it("picks the encoding by the accept-encoding header's weights", () => {
    expect(preferredEncoding(undefined)).toBeUndefined();
    expect(preferredEncoding("")).toBeUndefined();
    expect(preferredEncoding("identity")).toBeUndefined();
    expect(preferredEncoding("deflate, gzip")).toBe("gzip");
    expect(preferredEncoding("gzip, br")).toBe("br");
    expect(preferredEncoding("BR;q=0.5, gzip;q=0.8")).toBe("gzip");
    expect(preferredEncoding("br;q=0, gzip")).toBe("gzip");
    expect(preferredEncoding("*")).toBe("br");
    expect(preferredEncoding("*;q=0.1, br;q=0")).toBe("gzip");
    expect(preferredEncoding("gzip;q=0, br;q=0")).toBeUndefined();
  });

  it("keeps both reasons an asset varies when CORS varies it by origin too", async () => {
    const api = shop.api({ ALLOWED_ORIGINS: "https://shop.example" });
    const [url = ""] = await assetUrls(api);
    const response = await call(api, url, {
      origin: "https://shop.example",
      "accept-encoding": "br",
    });
    expect(response.headers?.vary).toBe("accept-encoding, Origin");
    expect(response.headers?.["access-control-allow-origin"]).toBe("https://shop.example");
  });
});
