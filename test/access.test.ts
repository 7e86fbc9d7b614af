import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { importJWK, SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { ApiHandler } from "../api/create-api";
import { MAX_BODY_BYTES } from "../api/create-api";
import { REQUEST_LIMITS } from "../api/request-limits";
import type { Order } from "../core/orders/order";
import { LOCAL_AUDIENCE, LOCAL_ISSUER, localIssuer } from "../local/emulators/local-issuer";
import { type ApiResponse, graphqlEvent, httpEvent, invoke } from "./support/api-events";
import { asAdmin, createTestShop, type TestShop } from "./support/test-shop";

/**
 * Who may do what, through the real api handler with real tokens from the run's issuer:
 * each role against each operation and route, every kind of bad token, every request
 * limit, and the client mistakes that must answer 4xx.
 */

type Headers = Record<string, string>;

let shop: TestShop;
let api: ApiHandler;
const as: Record<"anonymous" | "alice" | "bob" | "admin", Headers> = {
  anonymous: {},
  alice: {},
  bob: {},
  admin: {},
};
/** Alice's order, placed by Alice; still PENDING (no consumers run here). */
let alicesOrder: string;

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function gql(
  headers: Headers,
  query: string,
  variables?: Record<string, unknown>,
  handler = api,
): Promise<Omit<ApiResponse, "body"> & { body: GraphQLBody }> {
  const response = await invoke(handler, graphqlEvent(query, variables, headers));
  return { ...response, body: response.json as GraphQLBody };
}

const codeOf = (body: GraphQLBody) => body.errors?.[0]?.extensions?.code;

function rest(headers: Headers, method: string, path: string, body?: unknown, type = "json") {
  return invoke(
    api,
    httpEvent({
      method,
      path: path.split("?")[0] ?? path,
      ...(path.includes("?")
        ? { query: Object.fromEntries(new URLSearchParams(path.split("?")[1])) }
        : {}),
      headers: {
        ...(body === undefined ? {} : { "content-type": `application/${type}` }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
}

const PLACE = `mutation($input: CreateOrderInput!) {
  createOrder(input: $input) {
    __typename
    ... on Order { id customerId }
    ... on ErrorResult { errorCode message }
  }
}`;

beforeAll(async () => {
  shop = await createTestShop({ catalog: "sample" });
  api = shop.api();
  as.alice = await shop.authorization({ customer: "alice" });
  as.bob = await shop.authorization({ customer: "bob" });
  as.admin = await shop.authorization({ admin: "ops" });
  const placed = await gql(as.alice, PLACE, {
    input: { items: [{ productId: "prod-0004", quantity: 1 }] },
  });
  alicesOrder = (placed.body.data as { createOrder: { id: string } }).createOrder.id;
});
afterAll(() => shop.destroy());

describe("the catalog", () => {
  it.each(Object.keys(as))("is open to %s, over GraphQL and REST", async (who) => {
    const headers = as[who as keyof typeof as];
    const { status, body } = await gql(
      headers,
      `{ product(id: "prod-0001") { id } products(first: 2) { edges { node { id } } } }`,
    );
    expect(status).toBe(200);
    expect(body.data?.product).toEqual({ id: "prod-0001" });
    expect((await rest(headers, "GET", "/products")).status).toBe(200);
    expect((await rest(headers, "GET", "/products/prod-0001")).status).toBe(200);
    expect((await rest(headers, "GET", "/health")).status).toBe(200);
  });
});

describe("who the API takes the caller to be", () => {
  it("reads the role and id from the token", async () => {
    const viewer = async (headers: Headers) =>
      (await gql(headers, "{ viewer { role customerId subject } }")).body.data?.viewer;
    expect(await viewer(as.anonymous)).toEqual({
      role: "ANONYMOUS",
      customerId: null,
      subject: null,
    });
    expect(await viewer(as.alice)).toEqual({
      role: "CUSTOMER",
      customerId: "alice",
      subject: null,
    });
    expect(await viewer(as.admin)).toEqual({ role: "ADMIN", customerId: null, subject: "ops" });
  });
});

describe("placing orders", () => {
  const input = { items: [{ productId: "prod-0005", quantity: 1 }] };

  it("needs a signed-in caller: anonymous is UNAUTHENTICATED (401), and nothing is written", async () => {
    const before = await shop.orderCount();
    const { status, body } = await gql(as.anonymous, PLACE, { input });
    expect(status).toBe(401);
    expect(codeOf(body)).toBe("UNAUTHENTICATED");
    expect(await shop.orderCount()).toBe(before);
  });

  it("places a customer's order as that customer, whatever else it says", async () => {
    const { body } = await gql(as.bob, PLACE, { input });
    expect(body.data?.createOrder).toMatchObject({ __typename: "Order", customerId: "bob" });
    const named = await gql(as.bob, PLACE, { input: { ...input, customerId: "bob" } });
    expect(named.body.data?.createOrder).toMatchObject({ customerId: "bob" });
  });

  it("refuses a customer ordering as another customer (FORBIDDEN, 403), writing nothing", async () => {
    const before = await shop.orderCount();
    const { status, body } = await gql(as.bob, PLACE, { input: { ...input, customerId: "alice" } });
    expect(status).toBe(403);
    expect(codeOf(body)).toBe("FORBIDDEN");
    expect(await shop.orderCount()).toBe(before);
  });

  it("lets an admin order for a named customer, and asks it to name one", async () => {
    const named = await gql(as.admin, PLACE, { input: { ...input, customerId: "carol" } });
    expect(named.body.data?.createOrder).toMatchObject({
      __typename: "Order",
      customerId: "carol",
    });
    const unnamed = await gql(as.admin, PLACE, { input });
    expect(unnamed.body.data?.createOrder).toMatchObject({
      __typename: "InvalidOrder",
      message: "customerId is required",
    });
  });

  it("names the real actor on the order", async () => {
    const { orders } = shop.services();
    const order = (await orders.getOrder(asAdmin, alicesOrder)) as Order;
    expect(order.updatedBy).toBe("customer:alice");
  });
});

describe("reading orders", () => {
  const ORDER = `query($id: ID!) { order(id: $id) { id customerId fraudAssessment { score } } }`;

  it("shows an order to its customer and to admins, and to nobody else", async () => {
    const anonymous = await gql(as.anonymous, ORDER, { id: alicesOrder });
    expect(anonymous.status).toBe(401);
    expect(codeOf(anonymous.body)).toBe("UNAUTHENTICATED");
    expect((await gql(as.alice, ORDER, { id: alicesOrder })).body.data?.order).toMatchObject({
      id: alicesOrder,
    });
    expect((await gql(as.admin, ORDER, { id: alicesOrder })).body.data?.order).toMatchObject({
      id: alicesOrder,
    });
    // Another customer is told there is no such order: the id reveals nothing.
    const bob = await gql(as.bob, ORDER, { id: alicesOrder });
    expect(bob.body).toEqual({ data: { order: null } });
    expect(bob.body).toEqual((await gql(as.bob, ORDER, { id: "no-such-order" })).body);
  });

  it("shows the fraud assessment to admins only", async () => {
    // As the fraud consumer leaves it: the assessment on the order.
    await shop.local.document.send(
      new UpdateCommand({
        TableName: shop.provisioned.tableNames.orders,
        Key: { orderId: alicesOrder },
        UpdateExpression: "SET fraudAssessment = :assessment",
        ExpressionAttributeValues: {
          ":assessment": {
            score: 10,
            decision: "APPROVE",
            reasons: ["first order"],
            assessedAt: new Date().toISOString(),
          },
        },
      }),
    );
    expect((await gql(as.alice, ORDER, { id: alicesOrder })).body.data?.order).toMatchObject({
      fraudAssessment: null,
    });
    expect((await gql(as.admin, ORDER, { id: alicesOrder })).body.data?.order).toMatchObject({
      fraudAssessment: { score: 10 },
    });
  });

  it("lists a customer's own orders, refuses another's, and lets admins name whose", async () => {
    const LIST = `query($customerId: ID) { customerOrders(customerId: $customerId) { edges { node { customerId } } } }`;
    const owners = (body: GraphQLBody) =>
      (
        body.data as { customerOrders: { edges: { node: { customerId: string } }[] } }
      ).customerOrders.edges.map((e) => e.node.customerId);
    expect((await gql(as.anonymous, LIST)).status).toBe(401);
    expect(owners((await gql(as.alice, LIST)).body)).toContain("alice");
    expect(new Set(owners((await gql(as.alice, LIST)).body))).toEqual(new Set(["alice"]));
    const bob = await gql(as.bob, LIST, { customerId: "alice" });
    expect(bob.status).toBe(403);
    expect(codeOf(bob.body)).toBe("FORBIDDEN");
    expect(owners((await gql(as.admin, LIST, { customerId: "alice" })).body)).toContain("alice");
    const unnamed = await gql(as.admin, LIST);
    expect(unnamed.status).toBe(400);
    expect(codeOf(unnamed.body)).toBe("BAD_USER_INPUT");
  });
});

describe("changing orders", () => {
  const CANCEL = `mutation($id: ID!, $reason: String) { cancelOrder(orderId: $id, reason: $reason) {
    __typename ... on Order { status statusReason } ... on ErrorResult { errorCode } } }`;
  const SHIP = `mutation($id: ID!) { shipOrder(orderId: $id) { __typename } }`;

  async function placeFor(customer: string): Promise<string> {
    const { orders } = shop.services();
    const result = await orders.placeOrder(asAdmin, {
      customerId: customer,
      items: [{ productId: "prod-0006", quantity: 1 }],
    });
    if (result.kind !== "placed") throw new Error(result.kind);
    return result.order.orderId;
  }

  it("lets a customer cancel its own PENDING order, and nobody else's", async () => {
    const id = await placeFor("alice");
    expect((await gql(as.anonymous, CANCEL, { id })).status).toBe(401);
    expect((await gql(as.bob, CANCEL, { id })).body.data?.cancelOrder).toEqual({
      __typename: "OrderNotFound",
      errorCode: "ORDER_NOT_FOUND",
    });
    expect(
      (await gql(as.alice, CANCEL, { id, reason: "changed my mind" })).body.data?.cancelOrder,
    ).toEqual({
      __typename: "Order",
      status: "CANCELLED",
      statusReason: "changed my mind",
    });
  });

  it("leaves a CONFIRMED order's cancellation to the shop", async () => {
    const id = await placeFor("alice");
    await shop.services().lifecycle.changeStatus(id, "CONFIRMED", "fraud");
    const alice = await gql(as.alice, CANCEL, { id });
    expect(alice.status).toBe(403);
    expect(codeOf(alice.body)).toBe("FORBIDDEN");
    expect((await gql(as.admin, CANCEL, { id })).body.data?.cancelOrder).toMatchObject({
      status: "CANCELLED",
    });
  });

  it("takes a reason of at most 500 characters, and changes nothing for a longer one", async () => {
    const id = await placeFor("alice");
    const long = await gql(as.alice, CANCEL, { id, reason: "x".repeat(501) });
    expect(long.status).toBe(400);
    expect(long.body.errors?.[0]).toMatchObject({
      message: "the reason must be at most 500 characters",
      extensions: { code: "BAD_USER_INPUT" },
    });
    const { orders } = shop.services();
    expect((await orders.getOrder(asAdmin, id))?.status).toBe("PENDING");
  });

  it("lets only admins ship", async () => {
    const id = await placeFor("alice");
    await shop.services().lifecycle.changeStatus(id, "CONFIRMED", "fraud");
    expect((await gql(as.anonymous, SHIP, { id })).status).toBe(401);
    const alice = await gql(as.alice, SHIP, { id });
    expect(alice.status).toBe(403);
    expect(codeOf(alice.body)).toBe("FORBIDDEN");
    expect((await gql(as.admin, SHIP, { id })).body.data?.shipOrder).toEqual({
      __typename: "Order",
    });
  });
});

describe("running the shop", () => {
  const today = new Date().toISOString().slice(0, 10);
  it.each([
    ["dailySales", `{ dailySales(day: "${today}") { orders } }`],
    ["orderTimeline", `{ orderTimeline(orderId: "any") { kind } }`],
    ["outbox", "{ outbox { subject } }"],
  ])("%s is for admins only", async (_, query) => {
    const anonymous = await gql(as.anonymous, query);
    expect([anonymous.status, codeOf(anonymous.body)]).toEqual([401, "UNAUTHENTICATED"]);
    const customer = await gql(as.alice, query);
    expect([customer.status, codeOf(customer.body)]).toEqual([403, "FORBIDDEN"]);
    const admin = await gql(as.admin, query);
    expect(admin.status).toBe(200);
    expect(admin.body.errors).toBeUndefined();
  });
});

describe("the REST order routes, with the legacy switch off", () => {
  const body = { customer_id: "alice", items: [{ product_id: "prod-0007", quantity: 1 }] };

  it("refuse the old unauthenticated requests with 401, writing nothing", async () => {
    const before = await shop.orderCount();
    const post = await rest(as.anonymous, "POST", "/orders", body);
    expect(post.status).toBe(401);
    expect(post.json).toEqual({ error: expect.stringContaining("sign in") });
    expect(await shop.orderCount()).toBe(before);
    expect((await rest(as.anonymous, "GET", "/orders?customer_id=alice")).status).toBe(401);
  });

  it("serve a customer with a token, as that customer", async () => {
    const post = await rest(as.alice, "POST", "/orders", { items: body.items });
    expect(post.status).toBe(201);
    expect(post.json).toMatchObject({ customer_id: "alice", status: "PENDING" });
    const mine = await rest(as.alice, "GET", "/orders");
    expect(mine.status).toBe(200);
    const owners = (mine.json as { orders: { customer_id: string }[] }).orders.map(
      (o) => o.customer_id,
    );
    expect(new Set(owners)).toEqual(new Set(["alice"]));
  });

  it("refuse a customer naming another customer with 403", async () => {
    expect((await rest(as.bob, "POST", "/orders", body)).status).toBe(403);
    const other = await rest(as.bob, "GET", "/orders?customer_id=alice");
    expect(other.status).toBe(403);
    expect(other.json).toEqual({ error: "a customer acts only as itself" });
  });

  it("let an admin list any customer's orders", async () => {
    expect((await rest(as.admin, "GET", "/orders?customer_id=alice")).status).toBe(200);
    expect((await rest(as.admin, "GET", "/orders")).status).toBe(400);
  });

  it("take only JSON: a form or plain text is 415, and places nothing", async () => {
    const before = await shop.orderCount();
    for (const type of ["x-www-form-urlencoded", "text/plain"]) {
      const response = await invoke(
        api,
        httpEvent({
          method: "POST",
          path: "/orders",
          headers: {
            "content-type": type.includes("/") ? type : `application/${type}`,
            ...as.alice,
          },
          body: JSON.stringify(body),
        }),
      );
      expect(response.status).toBe(415);
      expect(response.json).toEqual({ error: "Content-Type must be application/json" });
    }
    expect(await shop.orderCount()).toBe(before);
  });
});

describe("the REST order routes, with the legacy switch on", () => {
  it("take the old unauthenticated requests as the customer they name, and log them as legacy", async () => {
    const legacy = shop.api({ LEGACY_OPEN_REST: "true" });
    const placed = await invoke(
      legacy,
      httpEvent({
        method: "POST",
        path: "/orders",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          customer_id: "old-client",
          items: [{ product_id: "prod-0008", quantity: 1 }],
        }),
      }),
    );
    expect(placed.status).toBe(201);
    expect(placed.json).toMatchObject({ customer_id: "old-client" });
    const listed = await invoke(
      legacy,
      httpEvent({ path: "/orders", query: { customer_id: "old-client" } }),
    );
    expect((listed.json as { count: number }).count).toBe(1);
    expect(shop.logger.lines).toContainEqual(
      expect.objectContaining({ level: "warn", message: "legacy unauthenticated request" }),
    );
    // A token still wins: its caller, not the body, decides.
    const withToken = await invoke(
      legacy,
      httpEvent({
        method: "POST",
        path: "/orders",
        headers: { "content-type": "application/json", ...as.bob },
        body: JSON.stringify({
          customer_id: "old-client",
          items: [{ product_id: "prod-0008", quantity: 1 }],
        }),
      }),
    );
    expect(withToken.status).toBe(403);
  });
});

describe("bad tokens", () => {
  const key = () => importJWK(inject("issuerKey"), "RS256");
  const claims = { token_use: "id", "cognito:groups": ["admin"] };
  const sign = async (build: (jwt: SignJWT) => SignJWT) =>
    build(
      new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: inject("issuerKey").kid ?? "" }),
    ).sign(await key());
  const base = (jwt: SignJWT) =>
    jwt.setIssuer(LOCAL_ISSUER).setAudience(LOCAL_AUDIENCE).setSubject("mallory").setIssuedAt();

  const cases: [string, () => Promise<string>][] = [
    ["not a bearer token", async () => "Basic bWFsbG9yeTpwYXNzd29yZA=="],
    ["a malformed token", async () => "Bearer not.a.token"],
    [
      "an expired token",
      async () =>
        `Bearer ${await sign((jwt) => base(jwt).setExpirationTime(Math.floor(Date.now() / 1000) - 60))}`,
    ],
    [
      "a token from another issuer",
      async () =>
        `Bearer ${await sign((jwt) => base(jwt).setIssuer("https://evil.example").setExpirationTime("1h"))}`,
    ],
    [
      "a token for another audience",
      async () =>
        `Bearer ${await sign((jwt) => base(jwt).setAudience("another-app").setExpirationTime("1h"))}`,
    ],
    [
      "a token with alg none",
      async () =>
        `Bearer ${new UnsecuredJWT(claims).setIssuer(LOCAL_ISSUER).setAudience(LOCAL_AUDIENCE).setSubject("mallory").setExpirationTime("1h").encode()}`,
    ],
    [
      "a token signed with a key of its own",
      async () => {
        const stranger = await localIssuer();
        return `Bearer ${await stranger.mint({ admin: "mallory" })}`;
      },
    ],
    [
      "a token signed HS256 with the public key (key confusion)",
      async () => {
        const { n } = inject("issuerKey");
        const secret = new TextEncoder().encode(n);
        const token = await base(new SignJWT(claims).setProtectedHeader({ alg: "HS256" }))
          .setExpirationTime("1h")
          .sign(secret);
        return `Bearer ${token}`;
      },
    ],
  ];

  it.each(cases)(
    "answer %s with 401, over GraphQL and REST, never as anonymous",
    async (_, header) => {
      const authorization = await header();
      const graphql = await gql({ authorization }, "{ products(first: 1) { edges { cursor } } }");
      expect(graphql.status).toBe(401);
      expect(codeOf(graphql.body)).toBe("UNAUTHENTICATED");
      const products = await rest({ authorization }, "GET", "/products");
      expect(products.status).toBe(401);
      expect(products.json).toEqual({ error: expect.any(String) });
    },
  );

  it("answer 503, not 401, when the issuer's keys cannot be read", async () => {
    const blind = shop.api({ AUTH_JWKS_URL: "http://127.0.0.1:9/jwks.json" });
    const { status, body } = await gql(as.alice, "{ viewer { role } }", undefined, blind);
    expect(status).toBe(503);
    expect(codeOf(body)).toBe("SERVICE_UNAVAILABLE");
  });
});

describe("request limits", () => {
  it(`stop parsing at ${REQUEST_LIMITS.maxTokens} tokens`, async () => {
    const fields = Array.from({ length: REQUEST_LIMITS.maxTokens }, () => "__typename").join(" ");
    const { status, body } = await gql(as.anonymous, `{ ${fields} }`);
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toContain(`${REQUEST_LIMITS.maxTokens} tokens`);
  });

  it(`refuse a query nested deeper than ${REQUEST_LIMITS.maxDepth}`, async () => {
    const ofTypes = (n: number): string => (n === 0 ? "name" : `ofType { ${ofTypes(n - 1)} }`);
    // __type { fields { type { ofType x6 { name } } } }: nine levels.
    const deep = `{ __type(name: "Order") { fields { type { ${ofTypes(6)} } } } }`;
    const { status, body } = await gql(as.anonymous, deep);
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toContain(`depth limit of ${REQUEST_LIMITS.maxDepth}`);
    // The deepest question the shop's own types allow is well within it.
    const real = `{ customerOrders { edges { node { items { unitPrice { formatted } } } } } }`;
    expect((await gql(as.alice, real)).status).toBe(200);
  });

  it(`refuse more than ${REQUEST_LIMITS.maxAliases} aliases`, async () => {
    const aliases = Array.from({ length: REQUEST_LIMITS.maxAliases + 1 }, (_, i) => `a${i}: ping`);
    const { status, body } = await gql(as.anonymous, `{ ${aliases.join(" ")} }`);
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toContain(`Aliases limit of ${REQUEST_LIMITS.maxAliases}`);
    expect((await gql(as.anonymous, `{ ${aliases.slice(1).join(" ")} }`)).status).toBe(200);
  });

  it(`price list fields by their page size, and refuse a query over ${REQUEST_LIMITS.maxCost}`, async () => {
    const costly = `{ customerOrders(first: 100) { edges { node {
      status total { formatted }
      history { at actor change summary fromStatus toStatus }
      items { productName quantity unitPrice { formatted } } } } } }`;
    const { status, body } = await gql(as.alice, costly);
    expect(status).toBe(400);
    expect(body.errors?.[0]).toMatchObject({
      message: expect.stringContaining(`cost limit of ${REQUEST_LIMITS.maxCost}`),
      extensions: { code: "QUERY_TOO_COMPLEX" },
    });
    // The same query a page of 20 at a time is well within the limit.
    expect((await gql(as.alice, costly.replace("first: 100", "first: 20"))).status).toBe(200);
  });

  it("price one query anew for each page size its variables ask for, however often it is asked", async () => {
    const paged = `query Orders($first: Int) { customerOrders(first: $first) { edges { node {
      status total { formatted }
      history { at actor change summary fromStatus toStatus }
      items { productName quantity unitPrice { formatted } } } } } }`;
    for (const [first, status] of [
      [100, 400],
      [20, 200],
      [100, 400],
      [20, 200],
    ] as const) {
      expect((await gql(as.alice, paged, { first })).status, `first: ${first}`).toBe(status);
    }
  });

  it("price a page read backward by its last, as one read forward by its first", async () => {
    const costly = `query($last: Int) { customerOrders(last: $last) { edges { node {
      status total { formatted }
      history { at actor change summary fromStatus toStatus }
      items { productName quantity unitPrice { formatted } } } } } }`;
    const refused = await gql(as.alice, costly, { last: 100 });
    expect(refused.status).toBe(400);
    expect(codeOf(refused.body)).toBe("QUERY_TOO_COMPLEX");
    expect((await gql(as.alice, costly, { last: 20 })).status).toBe(200);
    // Left out, both are the default page of 20.
    expect((await gql(as.alice, costly, {})).status).toBe(200);
    const category = `{ products(last: 5000, category: "Books") {
      edges { node { id name description category brand price { formatted amountCents }
        history { at actor change summary } } } } }`;
    expect((await gql(as.admin, category)).status).toBe(400);
    expect((await gql(as.admin, category.replace("5000", "10"))).status).toBe(200);
  });

  it("refuse the 5000-alias catalog flood at once, before any resolver runs", async () => {
    const flood = `{ ${Array.from({ length: 5000 }, (_, i) => `p${i}: products(first: 100) { edges { node { id name description } } }`).join(" ")} }`;
    const started = performance.now();
    const { status } = await gql(as.anonymous, flood);
    expect(status).toBe(400);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it(`refuse a body over ${MAX_BODY_BYTES} bytes with 413`, async () => {
    const big = `{ ping } # ${"x".repeat(MAX_BODY_BYTES)}`;
    const { status, body } = await gql(as.anonymous, big);
    expect(status).toBe(413);
    expect(codeOf(body)).toBe("PAYLOAD_TOO_LARGE");
    const restBig = await rest(as.alice, "POST", "/orders", { pad: "x".repeat(MAX_BODY_BYTES) });
    expect(restBig.status).toBe(413);
  });

  it("hide field suggestions in production, which would reveal the schema", async () => {
    const production = shop.api({ SHOP_ENVIRONMENT: "production" });
    const { status, body } = await gql(
      as.anonymous,
      "{ prodcts { edges { cursor } } }",
      undefined,
      production,
    );
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).not.toMatch(/Did you mean/);
    const local = await gql(as.anonymous, "{ prodcts { edges { cursor } } }");
    expect(local.body.errors?.[0]?.message).toMatch(/Did you mean "products"/);
  });
});

describe("client mistakes answer 4xx, never 5xx", () => {
  const long = "x".repeat(3000);
  const cursor = (key: Record<string, string>) =>
    Buffer.from(JSON.stringify(key)).toString("base64url");

  it.each([
    ["an empty product id", `{ product(id: "") { id } }`],
    ["a 3000-character product id", `{ product(id: "${long}") { id } }`],
    ["an empty order id", `{ order(id: "") { id } }`],
    ["a 3000-character order id", `{ order(id: "${long}") { id } }`],
    ["a 3000-character category", `{ products(category: "${long}") { edges { cursor } } }`],
    ["a forged cursor", `{ products(after: "not-a-cursor") { edges { cursor } } }`],
    [
      "a cursor naming another key",
      `{ products(after: "${cursor({ orderId: "x" })}") { edges { cursor } } }`,
    ],
    [
      "a cursor with a 3000-character key",
      `{ products(after: "${cursor({ productId: long })}") { edges { cursor } } }`,
    ],
  ])("GraphQL: %s is 400 BAD_USER_INPUT", async (_, query) => {
    const { status, body } = await gql(as.alice, query);
    expect(status).toBe(400);
    expect(codeOf(body)).toBe("BAD_USER_INPUT");
  });

  it.each([
    ["a 3000-character product id", "GET", `/products/${long}`],
    ["a 3000-character category", "GET", `/products?category=${long}`],
    ["a 3000-character customer id", "GET", `/orders?customer_id=${long}`],
  ])("REST: %s is 400", async (_, method, path) => {
    const response = await rest(as.admin, method, path);
    expect(response.status).toBe(400);
    expect(response.json).toEqual({ error: expect.any(String) });
  });
});
