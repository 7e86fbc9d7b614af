import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiHandler } from "../api/create-api";
import { type ApiResponse, graphqlEvent, httpEvent, invoke } from "./support/api-events";
import {
  aProduct,
  createTestShop,
  MANY_CONTAINERS_IN_ONE_PROCESS,
  type Probe,
  type TestShop,
} from "./support/test-shop";

let shop: TestShop;
let api: ApiHandler;
let changes: Probe;
let adjustments: Probe;

beforeAll(async () => {
  shop = await createTestShop();
  api = shop.api();
  changes = await shop.subscribeProbe(["product_changed"]);
  adjustments = await shop.subscribeProbe(["stock_adjusted"]);
});
afterAll(() => shop.destroy());

type Who = "admin" | "customer" | "anonymous";
// biome-ignore lint/suspicious/noExplicitAny: answers are read loosely here; the schema types them.
type Answer = any;

async function gql(
  query: string,
  variables: Record<string, unknown> = {},
  who: Who = "admin",
): Promise<{ data?: Record<string, Answer>; errors?: { message: string; extensions?: Answer }[] }> {
  const headers =
    who === "anonymous"
      ? {}
      : await shop.authorization(who === "admin" ? { admin: "owner" } : { customer: "alice" });
  const response = await invoke(api, graphqlEvent(query, variables, headers));
  return response.json as never;
}

const rest = (path: string): Promise<ApiResponse> => invoke(api, httpEvent({ path }));

const PRODUCT_FIELDS = `id name description category brand price { amountCents currency } stock version archived`;
const RESULT = `__typename
  ... on Product { ${PRODUCT_FIELDS} }
  ... on ErrorResult { errorCode message }
  ... on InvalidProduct { field reason }`;

const CREATE = `mutation($input: ProductInput!) { createProduct(input: $input) { ${RESULT} } }`;
const UPDATE = `mutation($id: ID!, $input: ProductUpdate!) { updateProduct(id: $id, input: $input) {
  ${RESULT} ... on VersionConflict { expectedVersion currentVersion } } }`;
const ADJUST = `mutation($productId: ID!, $delta: Int!, $reason: String!) {
  adjustStock(productId: $productId, delta: $delta, reason: $reason) {
  ${RESULT} ... on InsufficientStock { requested available } } }`;
const ARCHIVE = `mutation($id: ID!) { archiveProduct(id: $id) { ${RESULT} } }`;
const PRODUCT = `query($id: ID!) { product(id: $id) { ${PRODUCT_FIELDS} } }`;
const HISTORY = `query($id: ID!) { product(id: $id) { history {
  at actor change summary before { name price { amountCents } archived } after { name price { amountCents } archived }
  stockBefore stockAfter reason } } }`;
const ORDER = `mutation($input: CreateOrderInput!) { createOrder(input: $input) {
  __typename ... on Order { id total { amountCents } items { productId productName unitPrice { amountCents } } }
  ... on ErrorResult { errorCode message } } }`;

const lamp = (overrides: Record<string, unknown> = {}) => ({
  name: "Desk Lamp",
  description: "A lamp for a desk.",
  category: "Home",
  brand: "Lumen",
  price: { amountCents: 2500, currency: "USD" },
  stock: 10,
  ...overrides,
});

function eventsOf(messages: { Body?: string | undefined }[]) {
  return messages.map((m) => JSON.parse(m.Body ?? "{}"));
}

describe("who may run the catalog", () => {
  it.each([
    ["createProduct", CREATE, { input: lamp({ id: "forbidden-1" }) }],
    ["updateProduct", UPDATE, { id: "p", input: { name: "x", expectedVersion: 1 } }],
    ["adjustStock", ADJUST, { productId: "p", delta: 1, reason: "r" }],
    ["archiveProduct", ARCHIVE, { id: "p" }],
  ])(
    "%s: anonymous callers must sign in, customers are refused",
    async (field, query, variables) => {
      const anonymous = await gql(query, variables, "anonymous");
      expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
      const customer = await gql(query, variables, "customer");
      expect(customer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      expect(customer.data?.[field] ?? null).toBeNull();
      expect(await shop.stockOf("forbidden-1")).toBeUndefined();
    },
  );

  it("shows a product's history to admins only", async () => {
    await gql(CREATE, { input: lamp({ id: "history-secret" }) });
    const customer = await gql(HISTORY, { id: "history-secret" }, "customer");
    expect(customer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(customer.data?.product?.history).toBeNull();
    const admin = await gql(HISTORY, { id: "history-secret" });
    expect(admin.data?.product?.history).toHaveLength(1);
  });
});

describe("createProduct", () => {
  it("creates a product, records it and announces it", async () => {
    const { data } = await gql(CREATE, { input: lamp({ id: "lamp-1" }) });
    expect(data?.createProduct).toMatchObject({
      __typename: "Product",
      id: "lamp-1",
      name: "Desk Lamp",
      price: { amountCents: 2500, currency: "USD" },
      stock: 10,
      version: 1,
      archived: false,
    });
    expect(await shop.stockOf("lamp-1")).toBe(10);
    const history = await gql(HISTORY, { id: "lamp-1" });
    expect(history.data?.product?.history).toEqual([
      expect.objectContaining({
        actor: "admin:owner",
        change: "CREATED",
        before: null,
        after: { name: "Desk Lamp", price: { amountCents: 2500 }, archived: false },
        stockAfter: 10,
      }),
    ]);
    const events = eventsOf(await changes.receive(10, 5000)).filter(
      (e) => e.data.productId === "lamp-1",
    );
    expect(events).toEqual([
      expect.objectContaining({
        eventType: "product_changed",
        data: expect.objectContaining({ productId: "lamp-1", change: "CREATED", version: 1 }),
      }),
    ]);
  });

  it("generates the id when none is given", async () => {
    const { data } = await gql(CREATE, { input: lamp() });
    expect(data?.createProduct.__typename).toBe("Product");
    expect(data?.createProduct.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await shop.stockOf(data?.createProduct.id)).toBe(10);
  });

  it("refuses a duplicate id and changes nothing", async () => {
    await gql(CREATE, { input: lamp({ id: "dup-1", stock: 3 }) });
    const { data } = await gql(CREATE, { input: lamp({ id: "dup-1", name: "Other", stock: 99 }) });
    expect(data?.createProduct).toMatchObject({
      __typename: "ProductAlreadyExists",
      errorCode: "PRODUCT_ALREADY_EXISTS",
    });
    const product = await gql(PRODUCT, { id: "dup-1" });
    expect(product.data?.product).toMatchObject({ name: "Desk Lamp", stock: 3, version: 1 });
    expect((await gql(HISTORY, { id: "dup-1" })).data?.product?.history).toHaveLength(1);
  });

  it.each([
    ["a negative price", { price: { amountCents: -1, currency: "USD" } }, "price.amountCents"],
    ["another currency", { price: { amountCents: 100, currency: "EUR" } }, "price.currency"],
    [
      "a price over the limit",
      { price: { amountCents: 10_000_001, currency: "USD" } },
      "price.amountCents",
    ],
    ["a blank name", { name: "   " }, "name"],
    ["a name over 200 characters", { name: "n".repeat(201) }, "name"],
    ["a description over 2000 characters", { description: "d".repeat(2001) }, "description"],
    ["a control character", { brand: "Lu\u0000men" }, "brand"],
    ["negative stock", { stock: -5 }, "stock"],
    ["an id with a slash", { id: "a/b" }, "id"],
    ["an id over 64 characters", { id: "i".repeat(65) }, "id"],
  ])("refuses %s, naming the field, and writes nothing", async (_, overrides, field) => {
    const id = (overrides as { id?: string }).id ?? `invalid-${field}`;
    const { data } = await gql(CREATE, { input: lamp({ id, ...overrides }) });
    expect(data?.createProduct).toMatchObject({
      __typename: "InvalidProduct",
      errorCode: "INVALID_PRODUCT",
      field,
    });
    expect(await shop.stockOf(id)).toBeUndefined();
  });
});

describe("updateProduct", () => {
  it("changes what it is asked to, as the next version, with before and after in the history", async () => {
    await gql(CREATE, { input: lamp({ id: "upd-1" }) });
    const { data } = await gql(UPDATE, {
      id: "upd-1",
      input: { name: "Desk Lamp Pro", price: { amountCents: 3500 }, expectedVersion: 1 },
    });
    expect(data?.updateProduct).toMatchObject({
      __typename: "Product",
      name: "Desk Lamp Pro",
      description: "A lamp for a desk.",
      price: { amountCents: 3500 },
      stock: 10,
      version: 2,
    });
    const history = (await gql(HISTORY, { id: "upd-1" })).data?.product?.history;
    expect(history[1]).toMatchObject({
      change: "UPDATED",
      summary: "changed name, priceCents",
      before: { name: "Desk Lamp", price: { amountCents: 2500 } },
      after: { name: "Desk Lamp Pro", price: { amountCents: 3500 } },
    });
  });

  it("answers VersionConflict to a change made against an old version, and changes nothing", async () => {
    await gql(CREATE, { input: lamp({ id: "upd-2" }) });
    await gql(UPDATE, { id: "upd-2", input: { name: "First", expectedVersion: 1 } });
    const { data } = await gql(UPDATE, {
      id: "upd-2",
      input: { name: "Second", expectedVersion: 1 },
    });
    expect(data?.updateProduct).toMatchObject({
      __typename: "VersionConflict",
      errorCode: "VERSION_CONFLICT",
      expectedVersion: 1,
      currentVersion: 2,
    });
    expect((await gql(PRODUCT, { id: "upd-2" })).data?.product).toMatchObject({
      name: "First",
      version: 2,
    });
  });

  it("lets exactly one of many concurrent changes against the same version win", async () => {
    await gql(CREATE, { input: lamp({ id: "upd-3" }) });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        gql(UPDATE, { id: "upd-3", input: { name: `Name ${i}`, expectedVersion: 1 } }),
      ),
    );
    const kinds = results.map((r) => r.data?.updateProduct.__typename);
    expect(kinds.filter((k) => k === "Product")).toHaveLength(1);
    expect(kinds.filter((k) => k === "VersionConflict")).toHaveLength(7);
    expect((await gql(HISTORY, { id: "upd-3" })).data?.product?.history).toHaveLength(2);
  });

  it("answers ProductNotFound for an unknown product, and InvalidProduct for an empty change", async () => {
    const missing = await gql(UPDATE, { id: "nope", input: { name: "x", expectedVersion: 1 } });
    expect(missing.data?.updateProduct.__typename).toBe("ProductNotFound");
    await gql(CREATE, { input: lamp({ id: "upd-4" }) });
    const empty = await gql(UPDATE, { id: "upd-4", input: { expectedVersion: 1 } });
    expect(empty.data?.updateProduct).toMatchObject({ __typename: "InvalidProduct" });
  });

  it("never changes the price of an order already placed", async () => {
    await gql(CREATE, { input: lamp({ id: "priced", price: { amountCents: 1000 } }) });
    const order = (
      await gql(ORDER, {
        input: { customerId: "bob", items: [{ productId: "priced", quantity: 2 }] },
      })
    ).data?.createOrder;
    expect(order.total.amountCents).toBe(2000);
    await gql(UPDATE, {
      id: "priced",
      input: { name: "Renamed", price: { amountCents: 5000 }, expectedVersion: 1 },
    });
    const again = await gql(
      `query($id: ID!) { order(id: $id) { total { amountCents }
      items { productName unitPrice { amountCents } } } }`,
      { id: order.id },
    );
    expect(again.data?.order).toEqual({
      total: { amountCents: 2000 },
      items: [{ productName: "Desk Lamp", unitPrice: { amountCents: 1000 } }],
    });
    const next = (
      await gql(ORDER, {
        input: { customerId: "bob", items: [{ productId: "priced", quantity: 2 }] },
      })
    ).data?.createOrder;
    expect(next.total.amountCents).toBe(10_000);
  });
});

describe("adjustStock", () => {
  it("restocks and writes off, recording the stock before and after and announcing each", async () => {
    await gql(CREATE, { input: lamp({ id: "adj-1", stock: 4 }) });
    const restock = await gql(ADJUST, { productId: "adj-1", delta: 6, reason: "delivery 42" });
    expect(restock.data?.adjustStock).toMatchObject({
      __typename: "Product",
      stock: 10,
      version: 1,
    });
    const writeOff = await gql(ADJUST, { productId: "adj-1", delta: -3, reason: "water damage" });
    expect(writeOff.data?.adjustStock).toMatchObject({ stock: 7 });
    expect(await shop.stockOf("adj-1")).toBe(7);
    const history = (await gql(HISTORY, { id: "adj-1" })).data?.product?.history;
    expect(history.slice(1)).toEqual([
      expect.objectContaining({
        change: "STOCK_ADJUSTED",
        stockBefore: 4,
        stockAfter: 10,
        reason: "delivery 42",
      }),
      expect.objectContaining({
        change: "STOCK_ADJUSTED",
        stockBefore: 10,
        stockAfter: 7,
        reason: "water damage",
      }),
    ]);
    const events = eventsOf(await adjustments.receive(2, 5000)).filter(
      (e) => e.data.productId === "adj-1",
    );
    expect(events.map((e) => e.data.delta).sort()).toEqual([-3, 6]);
  });

  it("never goes below zero: a write-off of more than the stock is refused and changes nothing", async () => {
    await gql(CREATE, { input: lamp({ id: "adj-2", stock: 2 }) });
    const { data } = await gql(ADJUST, { productId: "adj-2", delta: -3, reason: "lost" });
    expect(data?.adjustStock).toMatchObject({
      __typename: "InsufficientStock",
      requested: 3,
      available: 2,
    });
    expect(await shop.stockOf("adj-2")).toBe(2);
    expect((await gql(HISTORY, { id: "adj-2" })).data?.product?.history).toHaveLength(1);
  });

  it.each([
    ["a zero delta", { delta: 0, reason: "nothing" }, "delta"],
    ["a blank reason", { delta: 1, reason: "  " }, "reason"],
    ["a reason over 500 characters", { delta: 1, reason: "r".repeat(501) }, "reason"],
    ["a delta over the limit", { delta: 1_000_001, reason: "lots" }, "delta"],
  ])("refuses %s", async (_, variables, field) => {
    await gql(CREATE, { input: lamp({ id: `adj-invalid-${field}`, stock: 2 }) });
    const { data } = await gql(ADJUST, { productId: `adj-invalid-${field}`, ...variables });
    expect(data?.adjustStock).toMatchObject({ __typename: "InvalidProduct", field });
    expect(await shop.stockOf(`adj-invalid-${field}`)).toBe(2);
  });

  it("answers ProductNotFound for an unknown product", async () => {
    const { data } = await gql(ADJUST, { productId: "ghost", delta: 5, reason: "r" });
    expect(data?.adjustStock.__typename).toBe("ProductNotFound");
    expect(await shop.stockOf("ghost")).toBeUndefined();
  });

  it("never races an order: 200 orders and 10 restocks at once, every unit accounted for", async () => {
    await shop.putProducts([aProduct({ productId: "race", stock: 20 })]);
    const buyers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => shop.authorization({ customer: `racer-${i}` })),
    );
    const admin = await shop.authorization({ admin: "owner" });
    const api = shop.api(MANY_CONTAINERS_IN_ONE_PROCESS);
    const orders = buyers.map((buyer) =>
      invoke(
        api,
        graphqlEvent(ORDER, { input: { items: [{ productId: "race", quantity: 1 }] } }, buyer),
      ),
    );
    const restocks = Array.from({ length: 10 }, (_, i) =>
      invoke(
        api,
        graphqlEvent(ADJUST, { productId: "race", delta: 1, reason: `pallet ${i}` }, admin),
      ),
    );
    const [orderResponses, restockResponses] = await Promise.all([
      Promise.all(orders),
      Promise.all(restocks),
    ]);
    const placed = orderResponses.filter(
      (r) => (r.json as Answer).data?.createOrder?.__typename === "Order",
    ).length;
    const refused = orderResponses.filter(
      (r) => (r.json as Answer).data?.createOrder?.__typename === "InsufficientStock",
    ).length;
    const others = orderResponses.filter(
      (r) =>
        !["Order", "InsufficientStock"].includes((r.json as Answer).data?.createOrder?.__typename),
    );
    expect(others.map((r) => r.body).slice(0, 3)).toEqual([]);
    expect(placed + refused).toBe(200);
    expect(restockResponses.map((r) => (r.json as Answer).data?.adjustStock?.__typename)).toEqual(
      Array(10).fill("Product"),
    );
    const stock = await shop.stockOf("race");
    expect(stock).toBeGreaterThanOrEqual(0);
    // 20 at the start and 10 restocked: each unit was sold once or is still there.
    expect(placed + (stock ?? 0)).toBe(30);
    const history = (await gql(HISTORY, { id: "race" })).data?.product?.history;
    expect(history).toHaveLength(10);
    for (const entry of history) expect(entry.stockAfter).toBe(entry.stockBefore + 1);
  });
});

describe("archiveProduct", () => {
  it("hides the product from listings and new orders, while orders that have it keep it", async () => {
    await gql(CREATE, { input: lamp({ id: "arch-1", category: "Archive" }) });
    await gql(CREATE, { input: lamp({ id: "arch-2", category: "Archive" }) });
    const order = (
      await gql(ORDER, {
        input: { customerId: "carol", items: [{ productId: "arch-1", quantity: 1 }] },
      })
    ).data?.createOrder;
    const archived = await gql(ARCHIVE, { id: "arch-1" });
    expect(archived.data?.archiveProduct).toMatchObject({ archived: true, version: 2 });

    const listing = await gql(
      `{ products(first: 100, category: "Archive") { edges { node { id } } } }`,
    );
    expect(listing.data?.products.edges.map((e: Answer) => e.node.id)).toEqual(["arch-2"]);
    expect((await gql(PRODUCT, { id: "arch-1" }, "customer")).data?.product).toBeNull();
    expect((await gql(PRODUCT, { id: "arch-1" })).data?.product).toMatchObject({ archived: true });

    const refused = await gql(ORDER, {
      input: { customerId: "carol", items: [{ productId: "arch-1", quantity: 1 }] },
    });
    expect(refused.data?.createOrder).toMatchObject({
      __typename: "ProductUnavailable",
      errorCode: "PRODUCT_UNAVAILABLE",
    });
    expect(await shop.stockOf("arch-1")).toBe(9);

    const kept = await gql(
      `query($id: ID!) { order(id: $id) { items { productId productName } } }`,
      {
        id: order.id,
      },
    );
    expect(kept.data?.order.items).toEqual([{ productId: "arch-1", productName: "Desk Lamp" }]);
  });

  it("is hidden from the REST routes too, and a REST order for it is refused", async () => {
    await gql(CREATE, { input: lamp({ id: "arch-rest" }) });
    expect((await rest("/products/arch-rest")).status).toBe(200);
    await gql(ARCHIVE, { id: "arch-rest" });
    expect((await rest("/products/arch-rest")).status).toBe(404);
    const all = (await rest("/products")).json as { products: { product_id: string }[] };
    expect(all.products.map((p) => p.product_id)).not.toContain("arch-rest");
    const order = await invoke(
      api,
      httpEvent({
        method: "POST",
        path: "/orders",
        headers: {
          "content-type": "application/json",
          ...(await shop.authorization({ customer: "dan" })),
        },
        body: JSON.stringify({
          customer_id: "dan",
          items: [{ product_id: "arch-rest", quantity: 1 }],
        }),
      }),
    );
    expect(order.status).toBe(404);
    expect(order.json).toEqual({ error: "Product arch-rest is no longer sold" });
  });

  it("changes nothing the second time, and answers ProductNotFound for an unknown product", async () => {
    await gql(CREATE, { input: lamp({ id: "arch-3" }) });
    await gql(ARCHIVE, { id: "arch-3" });
    const again = await gql(ARCHIVE, { id: "arch-3" });
    expect(again.data?.archiveProduct).toMatchObject({ archived: true, version: 2 });
    const history = (await gql(HISTORY, { id: "arch-3" })).data?.product?.history;
    expect(history.map((h: Answer) => h.change)).toEqual(["CREATED", "ARCHIVED"]);
    expect((await gql(ARCHIVE, { id: "nope" })).data?.archiveProduct.__typename).toBe(
      "ProductNotFound",
    );
  });

  it("pages through the products on sale without gaps or repeats, however many are archived", async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `page-${String(i).padStart(2, "0")}`);
    for (const id of ids) await gql(CREATE, { input: lamp({ id, category: "Paging" }) });
    for (const id of ids.filter((_, i) => i % 3 !== 0)) await gql(ARCHIVE, { id });
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const result: Answer = await gql(
        `query($after: String) { products(first: 2, category: "Paging", after: $after) {
          edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      seen.push(...result.data.products.edges.map((e: Answer) => e.node.id));
      if (!result.data.products.pageInfo.hasNextPage) break;
      after = result.data.products.pageInfo.endCursor;
    }
    expect(seen).toEqual(["page-00", "page-03", "page-06", "page-09"]);
  });
});
