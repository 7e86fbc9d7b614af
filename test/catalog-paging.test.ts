import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CATALOG_CACHE_CONTROL } from "../api/rest-routes";
import { createHttpBridge } from "../local/lambda/http-bridge";
import {
  type ApiRequest,
  type ApiResponse,
  httpTransport,
  lambdaTransport,
  type Transport,
} from "./support/api-events";
import { checkedTransport } from "./support/openapi-check";
import { aProduct, createTestShop, type TestShop } from "./support/test-shop";

/**
 * `GET /products` a page at a time over a catalog larger than a page, and the catalog
 * routes' cache headers; checked through the Lambda handler and over HTTP through the local
 * server, as test/rest-api.test.ts checks the rest of the old contract.
 */

interface ListBody {
  products: { product_id: string; category: string }[];
  count: number;
  next_cursor?: string;
}

/** 230 products in one category and 20 in another: 250 in all, more than two pages. */
const GARDEN = 20;
const catalog = Array.from({ length: 250 }, (_, i) => {
  const productId = `page-${String(i).padStart(3, "0")}`;
  return aProduct({ productId, category: i % 12 === 0 && i < 12 * GARDEN ? "Garden" : "Test" });
});
const gardenIds = catalog.filter((p) => p.category === "Garden").map((p) => p.productId);

const transports: Record<
  string,
  (shop: TestShop) => Promise<{ send: Transport; close(): Promise<void> }>
> = {
  "the Lambda handler": async (shop) => ({
    send: lambdaTransport(shop.api()),
    close: async () => {},
  }),
  "the local HTTP server": async (shop) => {
    const server: Server = createHttpBridge(shop.api(), shop.logger);
    await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
    const { port } = server.address() as AddressInfo;
    return {
      send: httpTransport(`http://127.0.0.1:${port}`),
      close: () => new Promise((done) => server.close(() => done())),
    };
  },
};

/** The request a `Link: <...>; rel="next"` header points at, or undefined without one. */
function nextLink(response: ApiResponse): ApiRequest | undefined {
  const header = response.headers.link;
  if (header === undefined) return undefined;
  const target = /^<([^>]*)>; rel="next"$/.exec(header)?.[1];
  if (target === undefined) throw new Error(`not a next link: ${header}`);
  const url = new URL(target, "http://api.example.test");
  return { path: url.pathname, query: Object.fromEntries(url.searchParams) };
}

describe.each(Object.keys(transports))("GET /products a page at a time, through %s", (name) => {
  let shop: TestShop;
  let send: Transport;
  let close: () => Promise<void>;

  beforeAll(async () => {
    shop = await createTestShop({ catalog: "empty" });
    await shop.putProducts(catalog);
    const opened = await (transports[name] as (typeof transports)[string])(shop);
    // Every answer of this suite must be one openapi.json describes.
    send = checkedTransport(opened.send);
    close = opened.close;
  });
  afterAll(async () => {
    await close();
    shop.destroy();
  });

  it("answers the first 100, with next_cursor and a Link to the next page", async () => {
    const response = await send({ path: "/products" });
    expect(response.status).toBe(200);
    const body = response.json as ListBody;
    expect(body.count).toBe(100);
    expect(body.products).toHaveLength(100);
    expect(body.next_cursor).toEqual(expect.any(String));
    expect(Object.keys(body)).toEqual(["products", "count", "next_cursor"]);
    expect(response.headers.link).toBe(
      `</products?cursor=${encodeURIComponent(body.next_cursor ?? "")}&limit=100>; rel="next"`,
    );
    expect(response.headers["cache-control"]).toBe(CATALOG_CACHE_CONTROL);
    // A script on another origin may read it.
    expect(response.headers["access-control-expose-headers"]).toBe("Link,X-Correlation-Id");
  });

  it("visits every product exactly once by following next_cursor; the last page says no more", async () => {
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    let last: ApiResponse | undefined;
    for (let page = 0; page < 10; page++) {
      last = await send({ path: "/products", query: cursor ? { cursor } : {} });
      expect(last.status).toBe(200);
      const body = last.json as ListBody;
      expect(body.count).toBe(body.products.length);
      sizes.push(body.count);
      seen.push(...body.products.map((p) => p.product_id));
      cursor = body.next_cursor;
      if (!cursor) break;
    }
    expect(sizes).toEqual([100, 100, 50]);
    expect(seen).toHaveLength(catalog.length);
    expect(new Set(seen)).toEqual(new Set(catalog.map((p) => p.productId)));
    expect(last?.headers.link).toBeUndefined();
    expect(Object.keys(last?.json as ListBody)).toEqual(["products", "count"]);
  });

  it("answers as many as limit asks, and its Link keeps the limit", async () => {
    const response = await send({ path: "/products", query: { limit: "7" } });
    const body = response.json as ListBody;
    expect(body.count).toBe(7);
    expect(body.products).toHaveLength(7);
    expect(nextLink(response)).toEqual({
      path: "/products",
      query: { cursor: body.next_cursor, limit: "7" },
    });
  });

  it("pages a category by the Link header, and only that category", async () => {
    const seen: string[] = [];
    const sizes: number[] = [];
    let request: ApiRequest | undefined = {
      path: "/products",
      query: { category: "Garden", limit: "7" },
    };
    for (let page = 0; request && page < 10; page++) {
      const response = await send(request);
      expect(response.status).toBe(200);
      const body = response.json as ListBody;
      expect(body.products.every((p) => p.category === "Garden")).toBe(true);
      sizes.push(body.count);
      seen.push(...body.products.map((p) => p.product_id));
      request = nextLink(response);
      expect(request?.query?.cursor).toBe(body.next_cursor);
      if (request) expect(request.query).toMatchObject({ category: "Garden", limit: "7" });
    }
    expect(sizes).toEqual([7, 7, 6]);
    expect(seen.sort()).toEqual(gardenIds);
  });

  const limitError = "limit query parameter must be a whole number from 1 to 100";
  it.each([
    ["limit=0", { limit: "0" }, limitError],
    ["limit=101", { limit: "101" }, limitError],
    ["limit=abc", { limit: "abc" }, limitError],
    ["limit=-1", { limit: "-1" }, limitError],
    ["limit=7.5", { limit: "7.5" }, limitError],
    ["an empty limit", { limit: "" }, limitError],
    [
      "cursor=garbage",
      { cursor: "garbage" },
      "cursor query parameter is not a cursor this list gave: start again without it",
    ],
  ])("answers 400 for %s, naming the parameter, and no cache keeps it", async (_, query, error) => {
    const response = await send({ path: "/products", query });
    expect(response.status).toBe(400);
    expect(response.json).toEqual({ error });
    expect(response.headers["cache-control"]).toBe("no-store");
  });

  it("answers 400 for a cursor from another list, not 500", async () => {
    const garden = (await send({ path: "/products", query: { category: "Garden", limit: "2" } }))
      .json as ListBody;
    for (const query of [
      { cursor: garden.next_cursor ?? "" },
      { cursor: garden.next_cursor ?? "", category: "Test" },
    ]) {
      const response = await send({ path: "/products", query });
      expect(response.status).toBe(400);
      expect(response.json).toEqual({
        error: "cursor query parameter is not a cursor this list gave: start again without it",
      });
    }
  });

  it("lets shared caches keep a product, and no cache keep a 404 or a 400", async () => {
    const found = await send({ path: "/products/page-001" });
    expect(found.status).toBe(200);
    expect(found.headers["cache-control"]).toBe(CATALOG_CACHE_CONTROL);
    const missing = await send({ path: "/products/page-999" });
    expect(missing.status).toBe(404);
    expect(missing.headers["cache-control"]).toBe("no-store");
    const malformed = await send({ path: "/products/%E0%A4%A" });
    expect(malformed.status).toBe(400);
    expect(malformed.headers["cache-control"]).toBe("no-store");
    const tooLong = await send({ path: "/products", query: { category: "x".repeat(3000) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.headers["cache-control"]).toBe("no-store");
  });
});

describe("GET /products over a catalog of exactly one page", () => {
  let shop: TestShop;
  let send: Transport;
  beforeAll(async () => {
    shop = await createTestShop({ catalog: "empty" });
    await shop.putProducts(catalog.slice(0, 100));
    send = checkedTransport(lambdaTransport(shop.api()));
  });
  afterAll(() => shop.destroy());

  it("answers the whole catalog as before: no next_cursor, no Link", async () => {
    const response = await send({ path: "/products" });
    expect(response.status).toBe(200);
    const body = response.json as ListBody;
    expect(Object.keys(body)).toEqual(["products", "count"]);
    expect(body.count).toBe(100);
    expect(response.headers.link).toBeUndefined();
  });
});
