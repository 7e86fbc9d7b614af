import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiHandler } from "../api/create-api";
import { graphqlEvent, httpEvent, invoke } from "./support/api-events";
import { createTestShop, type TestShop } from "./support/test-shop";

let shop: TestShop;
let api: ApiHandler;
/** The operations here run as an admin, who may do everything; access.test.ts tests who may do what. */
let admin: { authorization: string };

beforeAll(async () => {
  shop = await createTestShop({ catalog: "sample" });
  api = shop.api();
  admin = await shop.authorization({ admin: "graphql-tests" });
});
afterAll(() => shop.destroy());

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string; stacktrace?: unknown } }[];
}

/** The response's data, typed as the test expects it; fails with the errors when absent. */
function dataOf<T>(body: GraphQLBody): T {
  if (!body.data) throw new Error(`no data in the answer: ${JSON.stringify(body.errors)}`);
  return body.data as T;
}

async function query(source: string, variables?: Record<string, unknown>) {
  const response = await invoke(api, graphqlEvent(source, variables, admin));
  return { status: response.status, body: response.json as GraphQLBody, headers: response.headers };
}

const CREATE_ORDER = `mutation Create($input: CreateOrderInput!) {
  createOrder(input: $input) {
    __typename
    ... on Order { id customerId status itemCount total { amountCents currency formatted }
      items { productId productName quantity unitPrice { amountCents } lineTotal { amountCents } } }
    ... on ErrorResult { errorCode message }
    ... on InsufficientStock { productId requested available }
    ... on ProductNotFound { productId }
    ... on InvalidOrder { field reason }
    ... on IdempotencyKeyReused { idempotencyKey }
  }
}`;

describe("GraphQL queries", () => {
  it("reads a product with its price in cents", async () => {
    const { status, body } = await query(`{ product(id: "prod-0001") {
      id name category brand description stock inStock price { amountCents currency formatted } } }`);
    expect(status).toBe(200);
    expect(body.data?.product).toEqual({
      id: "prod-0001",
      name: "Wireless Noise-Cancelling Headphones",
      category: "Electronics",
      brand: "SoundWave",
      description: expect.any(String),
      stock: 45,
      inStock: true,
      price: { amountCents: 19999, currency: "USD", formatted: "$199.99" },
    });
  });

  it("answers null for an unknown product", async () => {
    expect((await query(`{ product(id: "prod-9999") { id } }`)).body).toEqual({
      data: { product: null },
    });
  });

  it("pages through the catalog with cursors and caps the page size", async () => {
    const page = `query($after: String) { products(first: 20, after: $after) {
      edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`;
    const ids: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const { body } = await query(page, { after });
      const products = body.data?.products as {
        edges: { cursor: string; node: { id: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
      ids.push(...products.edges.map((e) => e.node.id));
      expect(products.pageInfo.endCursor).toBe(products.edges.at(-1)?.cursor ?? null);
      if (!products.pageInfo.hasNextPage) break;
      after = products.pageInfo.endCursor;
    }
    expect(ids).toHaveLength(50);
    expect(new Set(ids).size).toBe(50);

    const all = await query("{ products(first: 5000) { edges { node { id } } } }");
    expect(dataOf<{ products: { edges: unknown[] } }>(all.body).products.edges).toHaveLength(50);
  });

  it("filters the catalog by category", async () => {
    const { body } = await query(
      `{ products(first: 100, category: "Books") { edges { node { id category } } } }`,
    );
    const edges = dataOf<{ products: { edges: { node: { id: string; category: string } }[] } }>(
      body,
    ).products.edges;
    expect(edges.map((e) => e.node.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `prod-${String(11 + i).padStart(4, "0")}`),
    );
  });

  it("refuses a forged cursor as bad user input, not as a server error", async () => {
    const { status, body } = await query(`{ products(after: "forged") { edges { cursor } } }`);
    expect(status).toBe(400);
    expect(body.errors?.[0]).toMatchObject({
      message: "the cursor is not valid for this list",
      extensions: { code: "BAD_USER_INPUT" },
    });
  });
});

interface Connection {
  edges: { cursor: string; node: { id: string } }[];
  pageInfo: {
    hasPreviousPage: boolean;
    hasNextPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

const PAGE_INFO = "pageInfo { hasPreviousPage hasNextPage startCursor endCursor }";

/** Every page of a connection from its start, with `first`, or from its end, with `last`. */
async function walk(
  field: "products" | "customerOrders",
  args: string,
  direction: { first: number } | { last: number },
): Promise<Connection[]> {
  const forward = "first" in direction;
  const source = `query($size: Int, $cursor: String) { ${field}(${args}
    ${forward ? "first: $size, after: $cursor" : "last: $size, before: $cursor"}) {
    edges { cursor node { id } } ${PAGE_INFO} } }`;
  const pages: Connection[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 20; i++) {
    const { body } = await query(source, {
      size: forward ? direction.first : direction.last,
      cursor,
    });
    const page = dataOf<Record<string, Connection>>(body)[field] as Connection;
    expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
    if (forward) {
      pages.push(page);
      if (!page.pageInfo.hasNextPage) return pages;
      cursor = page.pageInfo.endCursor;
    } else {
      pages.unshift(page);
      if (!page.pageInfo.hasPreviousPage) return pages;
      cursor = page.pageInfo.startCursor;
    }
  }
  throw new Error(`${field} did not end in 20 pages`);
}

const idsOf = (pages: Connection[]) => pages.flatMap((p) => p.edges.map((e) => e.node.id));

describe("Relay paging, forward and backward", () => {
  it("walks a category backward through the same products, in the same order, as forward", async () => {
    const forward = await walk("products", 'category: "Books"', { first: 4 });
    const backward = await walk("products", 'category: "Books"', { last: 4 });
    const books = Array.from({ length: 10 }, (_, i) => `prod-${String(11 + i).padStart(4, "0")}`);
    expect(idsOf(forward)).toEqual(books);
    expect(idsOf(backward)).toEqual(books);
    // Forward, the first page knows a next one follows, and the last page that none does;
    // whether one comes before is not looked for (Relay lets a server say false).
    expect(forward.map((p) => p.edges.length)).toEqual([4, 4, 2]);
    expect(forward.map((p) => p.pageInfo.hasNextPage)).toEqual([true, true, false]);
    expect(forward.map((p) => p.pageInfo.hasPreviousPage)).toEqual([false, false, false]);
    // Backward, the mirror image: read from the end, the page at the start says so.
    expect(backward.map((p) => p.edges.length)).toEqual([2, 4, 4]);
    expect(backward.map((p) => p.pageInfo.hasPreviousPage)).toEqual([false, true, true]);
    expect(backward.map((p) => p.pageInfo.hasNextPage)).toEqual([false, false, false]);
  });

  it("walks a customer's orders backward (toward the newest) as it walks them forward", async () => {
    const placed: string[] = [];
    for (const productId of ["prod-0005", "prod-0006", "prod-0007", "prod-0008", "prod-0009"]) {
      const { body } = await query(CREATE_ORDER, {
        input: { customerId: "gql-pager", items: [{ productId, quantity: 1 }] },
      });
      placed.push(dataOf<{ createOrder: { id: string } }>(body).createOrder.id);
    }
    const forward = await walk("customerOrders", 'customerId: "gql-pager"', { first: 2 });
    const backward = await walk("customerOrders", 'customerId: "gql-pager"', { last: 2 });
    expect(idsOf(forward)).toEqual(placed.toReversed());
    expect(idsOf(backward)).toEqual(placed.toReversed());
    expect(backward.map((p) => p.edges.length)).toEqual([1, 2, 2]);
  });

  it("answers an empty page with no cursors and nothing either side", async () => {
    for (const args of ['first: 5, category: "No Such Category"', 'last: 5, category: "Nope"']) {
      const { body } = await query(`{ products(${args}) { edges { cursor } ${PAGE_INFO} } }`);
      expect(dataOf<{ products: Connection }>(body).products).toEqual({
        edges: [],
        pageInfo: {
          hasPreviousPage: false,
          hasNextPage: false,
          startCursor: null,
          endCursor: null,
        },
      });
    }
  });

  it.each([
    [
      "first and last at once",
      `{ products(first: 2, last: 2, category: "Books") { edges { cursor } } }`,
      "page forward with first and after, or backward with last and before, not both ways at once",
    ],
    [
      "an after cursor with last",
      `{ customerOrders(customerId: "gql-pager", last: 2, after: "x") { edges { cursor } } }`,
      "page forward with first and after, or backward with last and before, not both ways at once",
    ],
    [
      "the whole catalog backward",
      "{ products(last: 5) { edges { cursor } } }",
      "the whole catalog pages forward only (first and after): name a category to page backward",
    ],
    [
      "a forged before cursor",
      `{ customerOrders(customerId: "gql-pager", before: "forged") { edges { cursor } } }`,
      "the cursor is not valid for this list",
    ],
  ])("refuses %s as bad user input (400)", async (_, source, message) => {
    const { status, body } = await query(source);
    expect(status).toBe(400);
    expect(body.errors?.[0]).toMatchObject({ message, extensions: { code: "BAD_USER_INPUT" } });
  });

  it("refuses a cursor from another list (400), either way", async () => {
    await query(CREATE_ORDER, {
      input: { customerId: "gql-cursor", items: [{ productId: "prod-0005", quantity: 1 }] },
    });
    const [orders] = await walk("customerOrders", 'customerId: "gql-cursor"', { first: 1 });
    const cursor = orders?.pageInfo.endCursor;
    expect(cursor).toEqual(expect.any(String));
    for (const source of [
      `query($c: String) { products(category: "Books", after: $c) { edges { cursor } } }`,
      `query($c: String) { products(category: "Books", before: $c) { edges { cursor } } }`,
      `query($c: String) { customerOrders(customerId: "gql-3", before: $c) { edges { cursor } } }`,
    ]) {
      const { status, body } = await query(source, { c: cursor });
      expect(status, source).toBe(400);
      expect(body.errors?.[0]?.message).toBe("the cursor is not valid for this list");
    }
  });
});

describe("dailySales", () => {
  const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const SALES = `query($day: String) { dailySales(day: $day) { day orders } }`;

  it("counts today (UTC) when no day is given", async () => {
    const before = utcDay(Date.now());
    const { status, body } = await query("{ dailySales { day orders units } }");
    const after = utcDay(Date.now());
    expect(status).toBe(200);
    const { dailySales } = dataOf<{ dailySales: { day: string; orders: number } }>(body);
    expect([before, after]).toContain(dailySales.day);
    expect(dailySales.orders).toEqual(expect.any(Number));
  });

  it("counts a given day, up to tomorrow's", async () => {
    for (const day of ["2026-03-01", "2000-01-01", utcDay(Date.now() + 86_400_000)]) {
      const { status, body } = await query(SALES, { day });
      expect(status, day).toBe(200);
      expect(dataOf<{ dailySales: { day: string } }>(body).dailySales.day).toBe(day);
    }
  });

  it.each([
    ["not a date", "yesterday", /^day must be a date such as \d{4}-\d{2}-\d{2} \(YYYY-MM-DD\)$/],
    ["in another format", "24/11/2026", /^day must be a date such as/],
    ["a day no month has", "2026-02-30", /^day must be a date such as/],
    ["a month no year has", "2026-13-01", /^day must be a date such as/],
    ["before 2000", "1999-12-31", /^day must be from 2000-01-01 to \d{4}-\d{2}-\d{2}$/],
    ["years ahead", "2999-01-01", /^day must be from 2000-01-01 to/],
  ])("refuses a day %s as bad user input (400)", async (_, day, message) => {
    const { status, body } = await query(SALES, { day });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(message);
    expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});

describe("the createOrder mutation", () => {
  it("returns the placed order, priced in cents", async () => {
    const { body } = await query(CREATE_ORDER, {
      input: { customerId: "gql-1", items: [{ productId: "prod-0003", quantity: 3 }] },
    });
    expect(body.data?.createOrder).toMatchObject({
      __typename: "Order",
      customerId: "gql-1",
      status: "PENDING",
      itemCount: 3,
      total: { amountCents: 14997, currency: "USD", formatted: "$149.97" },
      items: [
        {
          productId: "prod-0003",
          productName: "Bluetooth Portable Speaker",
          quantity: 3,
          unitPrice: { amountCents: 4999 },
          lineTotal: { amountCents: 14997 },
        },
      ],
    });
  });

  it("reports insufficient stock as data naming the product and what is left", async () => {
    const { body } = await query(CREATE_ORDER, {
      input: { customerId: "gql-1", items: [{ productId: "prod-0030", quantity: 1000 }] },
    });
    expect(body.data?.createOrder).toEqual({
      __typename: "InsufficientStock",
      errorCode: "INSUFFICIENT_STOCK",
      message: "Only 85 of prod-0030 in stock, 1000 requested",
      productId: "prod-0030",
      requested: 1000,
      available: 85,
    });
  });

  it("reports an unknown product as data", async () => {
    const { body } = await query(CREATE_ORDER, {
      input: { customerId: "gql-1", items: [{ productId: "prod-9999", quantity: 1 }] },
    });
    expect(body.data?.createOrder).toMatchObject({
      __typename: "ProductNotFound",
      productId: "prod-9999",
    });
  });

  it("reports a rule the input breaks with its field and reason", async () => {
    const { body } = await query(CREATE_ORDER, {
      input: { customerId: "gql-1", items: [{ productId: "prod-0001", quantity: 0 }] },
    });
    expect(body.data?.createOrder).toEqual({
      __typename: "InvalidOrder",
      errorCode: "INVALID_ORDER",
      message: "items[0].quantity must be at least 1",
      field: "items[0].quantity",
      reason: "must be at least 1",
    });
  });

  it("returns the same order for a retried idempotency key, and refuses it for another input", async () => {
    const input = {
      customerId: "gql-2",
      items: [{ productId: "prod-0004", quantity: 1 }],
      idempotencyKey: "once",
    };
    const first = await query(CREATE_ORDER, { input });
    const retry = await query(CREATE_ORDER, { input });
    const id = dataOf<{ createOrder: { id: string } }>(first.body).createOrder.id;
    expect(dataOf<{ createOrder: { id: string } }>(retry.body).createOrder.id).toBe(id);
    expect(await shop.stockOf("prod-0004")).toBe(59);

    const other = await query(CREATE_ORDER, {
      input: { ...input, items: [{ productId: "prod-0004", quantity: 2 }] },
    });
    expect(other.body.data?.createOrder).toMatchObject({
      __typename: "IdempotencyKeyReused",
      errorCode: "IDEMPOTENCY_KEY_REUSED",
      idempotencyKey: "once",
    });
    expect(await shop.stockOf("prod-0004")).toBe(59);
  });

  it("lists a customer's orders newest first, and reads one by id", async () => {
    const ids: string[] = [];
    for (const productId of ["prod-0005", "prod-0006", "prod-0008"]) {
      const { body } = await query(CREATE_ORDER, {
        input: { customerId: "gql-3", items: [{ productId, quantity: 1 }] },
      });
      ids.push(dataOf<{ createOrder: { id: string } }>(body).createOrder.id);
    }
    const { body } = await query(`{ customerOrders(customerId: "gql-3", first: 2) {
      edges { node { id items { productId } } } pageInfo { hasNextPage } } }`);
    const orders = body.data?.customerOrders as {
      edges: { node: { id: string } }[];
      pageInfo: { hasNextPage: boolean };
    };
    expect(orders.edges.map((e) => e.node.id)).toEqual([ids[2], ids[1]]);
    expect(orders.pageInfo.hasNextPage).toBe(true);

    const one = await query(`query($id: ID!) { order(id: $id) { id status customerId } }`, {
      id: ids[0],
    });
    expect(one.body.data?.order).toEqual({ id: ids[0], status: "PENDING", customerId: "gql-3" });
    expect((await query(`{ order(id: "missing") { id } }`)).body.data?.order).toBeNull();
  });
});

describe("malformed requests get a clear 400, never a 500", () => {
  const cases: [string, () => ReturnType<typeof invoke>][] = [
    [
      "a body that is not JSON",
      () =>
        invoke(
          api,
          httpEvent({
            method: "POST",
            path: "/graphql",
            headers: { "content-type": "application/json" },
            body: "{nope",
          }),
        ),
    ],
    ["a query that does not parse", () => invoke(api, graphqlEvent("{ products { "))],
    ["a field the schema does not have", () => invoke(api, graphqlEvent("{ nothing }"))],
    [
      "a variable of the wrong type",
      () =>
        invoke(
          api,
          graphqlEvent(CREATE_ORDER, {
            input: { customerId: "x", items: [{ productId: "p", quantity: "two" }] },
          }),
        ),
    ],
    ["a missing required variable", () => invoke(api, graphqlEvent(CREATE_ORDER))],
    [
      "no query at all",
      () =>
        invoke(
          api,
          httpEvent({
            method: "POST",
            path: "/graphql",
            headers: { "content-type": "application/json" },
            body: "{}",
          }),
        ),
    ],
  ];
  for (const [name, send] of cases) {
    it(`answers ${name} with 400 and a message`, async () => {
      const response = await send();
      expect(response.status).toBe(400);
      const body = response.json as GraphQLBody;
      expect(body.errors?.[0]?.message).toEqual(expect.any(String));
      expect(body.errors?.[0]?.extensions?.stacktrace).toBeUndefined();
    });
  }
});

describe("unexpected failures", () => {
  it("are masked in production: a generic message, its code, and no stack trace", async () => {
    const broken = shop.api({
      SHOP_ENVIRONMENT: "production",
      PRODUCTS_TABLE_NAME: "no-such-table",
    });
    const response = await invoke(broken, graphqlEvent(`{ product(id: "prod-0001") { id } }`));
    expect(response.body).not.toContain("no-such-table");
    expect(response.json).toMatchObject({
      data: { product: null },
      errors: [
        {
          message: "Internal server error",
          extensions: { code: "INTERNAL_SERVER_ERROR" },
          path: ["product"],
        },
      ],
    });
    expect(response.body).not.toContain("stacktrace");
  });

  it("keep their message in local mode, for the developer", async () => {
    const broken = shop.api({
      PRODUCTS_TABLE_NAME: "no-such-table",
    });
    const response = await invoke(broken, graphqlEvent(`{ product(id: "prod-0001") { id } }`));
    expect((response.json as GraphQLBody).errors?.[0]?.message).toMatch(
      /non-existent table|not found/i,
    );
  });
});

describe("HTTP around GraphQL", () => {
  it("sends CORS headers with GraphQL answers and answers preflight requests", async () => {
    const answer = await invoke(api, graphqlEvent("{ ping }"));
    expect(answer.headers["access-control-allow-origin"]).toBe("*");
    const preflight = await invoke(api, httpEvent({ method: "OPTIONS", path: "/graphql" }));
    expect(preflight.status).toBe(204);
    expect(preflight.headers["access-control-allow-headers"]).toContain("Idempotency-Key");
  });

  it("answers a request without an operation with a short hint on how to send one", async () => {
    const bare = [
      httpEvent({ path: "/graphql" }),
      httpEvent({ path: "/graphql", query: { query: "" } }),
      httpEvent({ method: "POST", path: "/graphql" }),
      httpEvent({ method: "POST", path: "/graphql", body: " " }),
      httpEvent({
        method: "POST",
        path: "/graphql",
        headers: { "content-type": "application/json" },
      }),
    ];
    for (const event of bare) {
      const label = `${event.requestContext.http.method} ${event.rawQueryString}`;
      const response = await invoke(api, event);
      expect(response.status, label).toBe(400);
      expect(response.headers["access-control-allow-origin"], label).toBe("*");
      expect(response.json, label).toEqual({
        errors: [
          {
            message:
              'Send a GraphQL operation: POST /graphql with content-type: application/json and a body such as {"query": "{ ping }"}, or open /graphql in a browser for the playground.',
            extensions: { code: "BAD_REQUEST" },
          },
        ],
      });
    }
    // Where there is no playground, the hint offers none.
    const production = shop.api({ SHOP_ENVIRONMENT: "production" });
    const hint = (await invoke(production, httpEvent({ path: "/graphql" }))).json as GraphQLBody;
    expect(hint.errors?.[0]?.message).toMatch(/\{"query": "\{ ping \}"\}\.$/);
  });

  it("keeps Apollo's CSRF prevention for every request that carries an operation", async () => {
    const blocked = [
      // A form could send this one cross-site: a simple content type, no preflight.
      httpEvent({
        method: "POST",
        path: "/graphql",
        headers: { "content-type": "text/plain" },
        body: JSON.stringify({ query: "{ ping }" }),
      }),
      httpEvent({ method: "POST", path: "/graphql", body: JSON.stringify({ query: "{ ping }" }) }),
      // And an image tag this one.
      httpEvent({ path: "/graphql", query: { query: "{ ping }" } }),
    ];
    for (const event of blocked) {
      const response = await invoke(api, event);
      expect(response.status).toBe(400);
      expect((response.json as GraphQLBody).errors?.[0]?.message).toContain(
        "Cross-Site Request Forgery",
      );
    }
    const allowed = await invoke(
      api,
      httpEvent({
        path: "/graphql",
        query: { query: "{ ping }" },
        headers: { "apollo-require-preflight": "true" },
      }),
    );
    expect(allowed.json).toEqual({ data: { ping: true } });
  });

  it("answers 404 with an error body for a path it does not serve", async () => {
    const response = await invoke(api, httpEvent({ path: "/nowhere" }));
    expect(response.status).toBe(404);
    expect(response.json).toEqual({ error: "Not found" });
  });

  it("reports health once the table and the topic answer", async () => {
    const response = await invoke(api, httpEvent({ path: "/health" }));
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ status: "ok", checks: { dynamodb: "ok", sns: "ok" } });
  });

  it("reports 503 when a dependency is unreachable", async () => {
    const broken = shop.api({
      PRODUCTS_TABLE_NAME: "no-such-table",
    });
    const response = await invoke(broken, httpEvent({ path: "/health" }));
    expect(response.status).toBe(503);
    expect(response.headers["retry-after"]).toBe("1");
    expect(response.json).toEqual({
      status: "degraded",
      checks: { dynamodb: "unreachable", sns: "ok" },
    });
  });
});
