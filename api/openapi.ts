import * as z from "zod";
import {
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_LINES_PER_ORDER,
  MAX_QUANTITY_PER_LINE,
} from "../core/orders/order-input";
import { ORDER_STATUSES } from "../core/orders/order-status";
import { CORRELATION_ID_PATTERN } from "../core/shared/events";
import { CURRENCY } from "../core/shared/money";
import { MAX_PAGE_SIZE } from "../core/shared/page";
import { version } from "../package.json";
import { CATALOG_CACHE_CONTROL } from "./rest-routes";
import { API_ROUTES } from "./route-table";

/**
 * The OpenAPI 3.1 description of the REST routes: the old system's routes, health, and this
 * description itself. `/graphql` is left out: its schema describes it (introspection, or
 * schema/*.graphql). The paths are built from API_ROUTES, and the document has to describe
 * every route there but `/graphql` (the compiler sees to that, api/openapi.test.ts checks
 * it), so no route can be served without one. The REST test suites check every answer they
 * get against it (test/support/openapi-check.ts), and openapi.json at the repository root is
 * this document as committed (`npm run openapi` writes it).
 */

/** How long a cache may keep the description: it changes only with a deployment. */
export const OPENAPI_CACHE_CONTROL = "public, max-age=300";

/** A route the document describes: every route of the table but `/graphql`. */
export type DescribedRoute = Exclude<(typeof API_ROUTES)[number], { name: "graphql" }>;

export const DESCRIBED_ROUTES: readonly DescribedRoute[] = API_ROUTES.filter(
  (route): route is DescribedRoute => route.name !== "graphql",
);

export type JsonSchema = Record<string, unknown>;

export interface HeaderObject {
  readonly description: string;
  readonly required?: boolean;
  readonly schema: JsonSchema;
}

export interface ResponseObject {
  readonly description: string;
  readonly headers?: Readonly<Record<string, HeaderObject>>;
  readonly content: { readonly "application/json": { readonly schema: JsonSchema } };
}

export type Reference = { readonly $ref: string };

interface ParameterObject {
  readonly name: string;
  readonly in: "query" | "path" | "header";
  readonly description: string;
  readonly required?: boolean;
  readonly schema: JsonSchema;
}

export interface OperationObject {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly parameters?: readonly ParameterObject[];
  readonly requestBody?: {
    readonly required: boolean;
    readonly content: { readonly "application/json": { readonly schema: JsonSchema } };
  };
  readonly security: readonly Record<string, readonly string[]>[];
  readonly responses: Readonly<Record<string, ResponseObject | Reference>>;
}

export interface OpenApiDocument {
  readonly openapi: "3.1.0";
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly tags: readonly { readonly name: string; readonly description: string }[];
  readonly paths: Readonly<Record<string, Readonly<Record<string, OperationObject>>>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, JsonSchema>>;
    readonly responses: Readonly<Record<string, ResponseObject>>;
    readonly securitySchemes: Readonly<Record<string, Record<string, string>>>;
  };
}

// The wire formats, written once as zod schemas and turned into the document's JSON Schema.
// Responses are closed (no property the document does not name); the order body is open,
// as the route ignores what it does not read.
const schemas = z.registry<{ id: string; description?: string }>();
const ref = (id: string): Reference => ({ $ref: `#/components/schemas/${id}` });

const timestamp = z.iso
  .datetime()
  .register(schemas, { id: "Timestamp", description: "An instant in UTC, ISO 8601." });
const dollars = z
  .number()
  .nonnegative()
  .meta({ description: "Dollars as a decimal number, such as 549.99." });

const errorBody = z.object({ error: z.string() }).register(schemas, {
  id: "Error",
  description: "Every error the function answers on a REST route.",
});

const product = z
  .object({
    product_id: z.string(),
    name: z.string(),
    category: z.string(),
    brand: z.string(),
    description: z.string(),
    price: dollars,
    currency: z.literal(CURRENCY),
    stock: z.int().nonnegative().meta({ description: "Units that can still be ordered." }),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .register(schemas, { id: "Product", description: "A product on sale." });
/** A product as the REST routes answer it. */
export type RestProduct = z.output<typeof product>;

z.object({
  products: z.array(product).max(MAX_PAGE_SIZE),
  count: z.int().nonnegative().meta({ description: "The number of products in this answer." }),
  next_cursor: z.string().optional().meta({
    description:
      "Where the next page starts (`?cursor=`, with the same `limit` and `category`); absent on the last page.",
  }),
}).register(schemas, { id: "ProductPage", description: "One page of the products on sale." });

const orderLine = z
  .object({
    product_id: z.string(),
    product_name: z.string().meta({ description: "The product's name when it was ordered." }),
    quantity: z.int().min(1).max(MAX_QUANTITY_PER_LINE),
    unit_price: dollars,
    line_total: dollars,
  })
  .register(schemas, { id: "OrderLine" });

const order = z
  .object({
    order_id: z.string(),
    customer_id: z.string(),
    status: z.enum(ORDER_STATUSES),
    total_amount: dollars,
    currency: z.literal(CURRENCY),
    items: z.array(orderLine).min(1).max(MAX_LINES_PER_ORDER),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .register(schemas, { id: "Order" });
/** An order as the REST routes answer it. */
export type RestOrder = z.output<typeof order>;

z.object({
  orders: z.array(order).max(MAX_PAGE_SIZE),
  count: z.int().nonnegative(),
}).register(schemas, {
  id: "OrderList",
  description: `A customer's ${MAX_PAGE_SIZE} most recent orders, newest first.`,
});

z.looseObject({
  customer_id: z.string().optional().meta({
    description:
      "The customer the order is for. With a customer's token it may be left out (it is the token's customer); an admin names the customer.",
  }),
  items: z
    .array(
      z.looseObject({
        product_id: z.string(),
        quantity: z.int().min(1).max(MAX_QUANTITY_PER_LINE),
      }),
    )
    .min(1)
    .max(MAX_LINES_PER_ORDER),
}).register(schemas, {
  id: "OrderRequest",
  description: "A product listed twice is one line of the summed quantity.",
});

const healthBody = z
  .object({
    status: z.enum(["ok", "degraded"]),
    checks: z.record(z.string(), z.enum(["ok", "unreachable"])),
  })
  .register(schemas, {
    id: "Health",
    description: "Whether the api reaches each of its dependencies.",
  });

// Where the description is unavailable (503 from the health check or from the token issuer).
z.union([healthBody, errorBody]).register(schemas, { id: "HealthOrError" });

/** The schemas as the document holds them: without `$schema` and `$id`, which it supplies. */
function componentSchemas(): Record<string, JsonSchema> {
  const { schemas: converted } = z.toJSONSchema(schemas, {
    uri: (id) => `#/components/schemas/${id}`,
  });
  return Object.fromEntries(
    Object.entries(converted).map(([id, { $schema: _, $id: __, ...schema }]) => [id, schema]),
  );
}

function jsonResponse(
  description: string,
  schema: JsonSchema,
  headers?: Record<string, HeaderObject>,
): ResponseObject {
  return {
    description,
    ...(headers ? { headers } : {}),
    content: { "application/json": { schema } },
  };
}

const error = (description: string, headers?: Record<string, HeaderObject>) =>
  jsonResponse(description, ref("Error"), headers);

const retryAfter: HeaderObject = {
  description: "Seconds to wait before retrying.",
  required: true,
  schema: { type: "string", pattern: "^[0-9]+$" },
};

/** A catalog answer other than a 200: no cache may keep it. */
const noStore = (required: boolean): HeaderObject => ({
  description: "No cache may keep this answer.",
  required,
  schema: { const: "no-store" },
});

/** A catalog answer's caching: shared caches may keep it. */
const catalogCacheControl = (what: string): HeaderObject => ({
  description: `Shared caches may keep ${what}.`,
  required: true,
  schema: { const: CATALOG_CACHE_CONTROL },
});

/** A catalog route's 503: retry later, and no cache keeps the answer meanwhile. */
const catalogUnavailable = error("A dependency did not answer: retry.", {
  "Retry-After": retryAfter,
  "Cache-Control": noStore(false),
});

// The answers the function gives before any route runs, so every route can give them.
const sharedResponses = {
  Unauthorized: error("The Authorization header holds no valid token."),
  PayloadTooLarge: error("The request body is over 1 MB."),
  Unavailable: error("A dependency (the token issuer, the tables) did not answer: retry.", {
    "Retry-After": retryAfter,
  }),
  InternalError: error("An unexpected failure."),
} satisfies Record<string, ResponseObject>;
const shared = (name: keyof typeof sharedResponses): Reference => ({
  $ref: `#/components/responses/${name}`,
});

const catalogTag = "catalog";
const ordersTag = "orders";
const operationsTag = "operations";

const anyCaller = [{}, { bearerAuth: [] }];
const signedIn = [{ bearerAuth: [] }];

const operations: Record<DescribedRoute["name"], OperationObject> = {
  listProducts: {
    operationId: "listProducts",
    summary: "One page of the products on sale",
    description:
      "Follow `next_cursor` or the `Link` header for the next page; the last page has neither. A cursor belongs to its list: a category's cursor does not continue the whole catalog.",
    tags: [catalogTag],
    parameters: [
      {
        name: "limit",
        in: "query",
        description: `How many products a page holds, 1 to ${MAX_PAGE_SIZE}.`,
        schema: { type: "integer", minimum: 1, maximum: MAX_PAGE_SIZE, default: MAX_PAGE_SIZE },
      },
      {
        name: "cursor",
        in: "query",
        description: "The `next_cursor` of the page before.",
        schema: { type: "string" },
      },
      {
        name: "category",
        in: "query",
        description: "Only the products of this category.",
        schema: { type: "string" },
      },
    ],
    security: anyCaller,
    responses: {
      "200": jsonResponse("A page of products.", ref("ProductPage"), {
        "Cache-Control": catalogCacheControl("the page"),
        Link: {
          description: "The next page (RFC 8288), when one follows.",
          schema: { type: "string", pattern: '^</products\\?[^>]*>; rel="next"$' },
        },
      }),
      "400": error(
        "A `limit` that is not 1 to 100, a `cursor` this list did not give, or a bad `category`.",
        {
          "Cache-Control": noStore(true),
        },
      ),
      "401": shared("Unauthorized"),
      "413": shared("PayloadTooLarge"),
      "500": shared("InternalError"),
      "503": catalogUnavailable,
    },
  },
  getProduct: {
    operationId: "getProduct",
    summary: "A product on sale",
    tags: [catalogTag],
    parameters: [
      {
        name: "id",
        in: "path",
        required: true,
        description: "Its id.",
        schema: { type: "string" },
      },
    ],
    security: anyCaller,
    responses: {
      "200": jsonResponse("The product.", ref("Product"), {
        "Cache-Control": catalogCacheControl("the product"),
      }),
      "400": error("The id is not a valid path segment.", { "Cache-Control": noStore(true) }),
      "401": shared("Unauthorized"),
      "404": error("No such product, or it is archived.", { "Cache-Control": noStore(true) }),
      "413": shared("PayloadTooLarge"),
      "500": shared("InternalError"),
      "503": catalogUnavailable,
    },
  },
  placeOrder: {
    operationId: "placeOrder",
    summary: "Place an order",
    description:
      "Needs a customer's or an admin's token, unless the deployment reopens the old unauthenticated contract (the legacy switch), where the body's `customer_id` names the customer.",
    tags: [ordersTag],
    parameters: [
      {
        name: "Idempotency-Key",
        in: "header",
        description:
          "The same key with the same body answers the order it placed; with another body, 422.",
        schema: {
          type: "string",
          minLength: 1,
          maxLength: MAX_IDEMPOTENCY_KEY_LENGTH,
          pattern: "^[\\x21-\\x7e]+$",
        },
      },
    ],
    requestBody: {
      required: true,
      content: { "application/json": { schema: ref("OrderRequest") } },
    },
    security: signedIn,
    responses: {
      "201": jsonResponse("The order, placed.", ref("Order")),
      "400": error("A body that is not JSON, a missing field, a bad quantity or idempotency key."),
      "401": shared("Unauthorized"),
      "403": error("A customer naming another customer."),
      "404": error("An unknown or archived product."),
      "409": error("Not enough stock for a line."),
      "413": shared("PayloadTooLarge"),
      "415": error("The body is not `application/json`."),
      "422": error("The idempotency key was already used for a different order."),
      "500": shared("InternalError"),
      "503": shared("Unavailable"),
    },
  },
  listOrders: {
    operationId: "listOrders",
    summary: "A customer's most recent orders",
    description:
      "A customer sees its own orders; an admin names the customer. With the legacy switch on, an anonymous caller names the customer.",
    tags: [ordersTag],
    parameters: [
      {
        name: "customer_id",
        in: "query",
        description: "Whose orders: needed from an admin, optional for a customer.",
        schema: { type: "string" },
      },
    ],
    security: signedIn,
    responses: {
      "200": jsonResponse("The orders, newest first.", ref("OrderList")),
      "400": error("An admin (or, with the legacy switch, an anonymous caller) naming no one."),
      "401": shared("Unauthorized"),
      "403": error("A customer naming another customer."),
      "413": shared("PayloadTooLarge"),
      "500": shared("InternalError"),
      "503": shared("Unavailable"),
    },
  },
  health: {
    operationId: "health",
    summary: "Whether the api reaches its table and its topic",
    tags: [operationsTag],
    security: anyCaller,
    responses: {
      "200": jsonResponse("Every dependency answers.", ref("Health")),
      "401": shared("Unauthorized"),
      "413": shared("PayloadTooLarge"),
      "503": jsonResponse(
        "A dependency (or the token issuer) did not answer.",
        ref("HealthOrError"),
        {
          "Retry-After": retryAfter,
        },
      ),
    },
  },
  openapi: {
    operationId: "openapi",
    summary: "This description",
    tags: [operationsTag],
    security: anyCaller,
    responses: {
      "200": jsonResponse(
        "The OpenAPI document.",
        {
          type: "object",
          properties: {
            openapi: { const: "3.1.0" },
            info: { type: "object" },
            paths: { type: "object" },
          },
          required: ["openapi", "info", "paths"],
        },
        {
          "Cache-Control": {
            description: "Caches may keep it for five minutes.",
            required: true,
            schema: { const: OPENAPI_CACHE_CONTROL },
          },
        },
      ),
      "401": shared("Unauthorized"),
      "413": shared("PayloadTooLarge"),
      "503": shared("Unavailable"),
    },
  },
};

/** Every answer names the request's correlation id, which every request may give. */
const correlationIdHeader: HeaderObject = {
  description:
    "The request's correlation id: the one it gave, or the one made for it. Every log line the request caused carries it as `correlation_id`, and so does every line of an order it placed, in every function.",
  required: true,
  schema: { type: "string", pattern: CORRELATION_ID_PATTERN.source },
};
const correlationIdParameter: ParameterObject = {
  name: "X-Correlation-Id",
  in: "header",
  description:
    "A correlation id of the caller's choosing: 1 to 128 printable ASCII characters, no spaces. Any other value is replaced by one made for the request.",
  schema: { type: "string" },
};

const withCorrelationId = (response: ResponseObject): ResponseObject => ({
  ...response,
  headers: { ...response.headers, "X-Correlation-Id": correlationIdHeader },
});

function withCorrelation(operation: OperationObject): OperationObject {
  return {
    ...operation,
    parameters: [...(operation.parameters ?? []), correlationIdParameter],
    responses: Object.fromEntries(
      Object.entries(operation.responses).map(([status, response]) => [
        status,
        "$ref" in response ? response : withCorrelationId(response),
      ]),
    ),
  };
}

export function buildOpenApiDocument(): OpenApiDocument {
  const paths: Record<string, Record<string, OperationObject>> = {};
  for (const route of DESCRIBED_ROUTES) {
    paths[route.path] = {
      ...paths[route.path],
      [route.method.toLowerCase()]: withCorrelation(operations[route.name]),
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Shop REST routes",
      version,
      description:
        'The old system\'s REST routes (snake_case, dollars as decimals, `{"error": ...}` bodies), served beside the GraphQL API at `/graphql`, with health and this description. A request no route takes is answered by API Gateway: `404 {"message": "Not Found"}`. Every answer carries CORS headers.',
    },
    tags: [
      { name: catalogTag, description: "Public and cacheable." },
      { name: ordersTag, description: "For signed-in callers." },
      { name: operationsTag, description: "For monitors and tools." },
    ],
    paths,
    components: {
      schemas: componentSchemas(),
      responses: Object.fromEntries(
        Object.entries(sharedResponses).map(([name, response]) => [
          name,
          withCorrelationId(response),
        ]),
      ),
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description:
            "A Cognito ID or access token (locally, the local issuer's). A header without a valid token is refused with 401, on every route.",
        },
      },
    },
  };
}

let served: string | undefined;

/** The document as `GET /openapi.json` answers it and openapi.json holds it. */
export function openApiJson(): string {
  served ??= `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
  return served;
}
