import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { Product } from "../core/catalog/product";
import type { Order } from "../core/orders/order";
import { InvalidCursorError } from "../core/shared/errors";
import { toDecimal } from "../core/shared/money";
import { MAX_PAGE_SIZE, type Page } from "../core/shared/page";
import type { Viewer } from "../core/shared/viewer";
import type { RequestContext } from "../resolvers/context";
import { placeOrder } from "../resolvers/orders";
import { errorOutcome, placeOrderOutcome } from "../resolvers/outcomes";
import { type HttpResult, json, jsonError } from "./http";

/** What a route handler gets: the event, its path parameters and the request's context. */
export interface RouteRequest {
  readonly event: APIGatewayProxyEventV2;
  readonly params: Readonly<Record<string, string>>;
  readonly context: RequestContext;
  /** The migration switch: the order routes take the old unauthenticated requests. */
  readonly legacyOpenRest: boolean;
}

export type RestRoute = (request: RouteRequest) => Promise<HttpResult>;

/**
 * How long a shared cache (CloudFront, a proxy) or a browser may keep a catalog answer. A
 * listing that is this old is harmless: orders are priced from, and take their stock in,
 * the table itself. Past it, a cache may answer stale for a while longer while it fetches
 * the new answer, so a popular page never waits on the origin.
 */
export const CATALOG_MAX_AGE_SECONDS = 30;
export const CATALOG_CACHE_CONTROL = `public, max-age=${CATALOG_MAX_AGE_SECONDS}, stale-while-revalidate=${2 * CATALOG_MAX_AGE_SECONDS}`;

/**
 * A `GET /products` page holds this many products unless `limit` says fewer: the most a
 * page may hold, so a client of the old route, which answered the whole catalog, still gets
 * a catalog of up to this size whole, byte for byte as before.
 */
const DEFAULT_LIMIT = MAX_PAGE_SIZE;

/**
 * The old system's REST routes. Each calls the same core service as its GraphQL twin, with
 * the same request context, and answers in the old wire format: snake_case, dollars as
 * decimals, and `{"error": ...}` with the status the outcome table gives.
 */
export const restRoutes = {
  /**
   * One page of the products on sale: a client follows `next_cursor` (or the `Link` header)
   * for the next, so no answer grows with the catalog. As in core, an empty `cursor` or
   * `category` is no cursor or category at all.
   */
  listProducts: catalogRead(async ({ event, context }) => {
    const query = event.queryStringParameters ?? {};
    const category = query.category || undefined;
    const after = query.cursor || undefined;
    const limit = pageLimit(query.limit);
    if (limit === undefined) {
      return jsonError(
        400,
        `limit query parameter must be a whole number from 1 to ${MAX_PAGE_SIZE}`,
      );
    }
    let page: Page<Product>;
    try {
      page = await context.services.catalog.listProducts({ first: limit, after, category });
    } catch (error) {
      if (error instanceof InvalidCursorError) {
        return jsonError(
          400,
          "cursor query parameter is not a cursor this list gave: start again without it",
        );
      }
      throw error;
    }
    const products = page.edges.map((edge) => restProduct(edge.node));
    const next = page.hasNextPage ? page.edges.at(-1)?.cursor : undefined;
    if (!next) return json(200, { products, count: products.length });
    return json(
      200,
      { products, count: products.length, next_cursor: next },
      { link: nextPageLink(next, limit, category) },
    );
  }),

  getProduct: catalogRead(async ({ params, context }) => {
    const productId = decodePathSegment(params.id ?? "");
    if (!productId) return jsonError(400, "Product id is not valid");
    const product = await context.services.catalog.getProduct(context.viewer, productId);
    // The old routes show the products on sale, to admins as to anyone.
    return product && !product.archived
      ? json(200, restProduct(product))
      : jsonError(404, "Product not found");
  }),

  async placeOrder({ event, context, legacyOpenRest }) {
    // Only JSON: a plain cross-site form (text/plain, form-encoded) cannot place an order.
    const type = (event.headers?.["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
    if (type !== "application/json") {
      return jsonError(415, "Content-Type must be application/json");
    }
    const body = parseJsonBody(event);
    if (!body.ok) return jsonError(400, body.error);
    const input = fromRestOrderBody(body.value, event.headers?.["idempotency-key"]);
    const viewer = legacyOpenRest
      ? legacyViewer(context, (input as { customerId?: unknown }).customerId, "POST /orders")
      : context.viewer;
    const result = await placeOrder(context, input, viewer);
    if (result.kind === "placed") return json(201, restOrder(result.order));
    const { httpStatus, member } = placeOrderOutcome(result, restFieldName);
    return jsonError(httpStatus, member.message);
  },

  async listOrders({ event, context, legacyOpenRest }) {
    const customerId = event.queryStringParameters?.customer_id?.trim() || undefined;
    let viewer = context.viewer;
    if (viewer.kind === "anonymous" && legacyOpenRest) {
      if (!customerId) return jsonError(400, "customer_id query parameter is required");
      viewer = legacyViewer(context, customerId, "GET /orders");
    }
    const page = await context.services.orders.listCustomerOrders(viewer, customerId, {
      first: MAX_PAGE_SIZE,
    });
    const orders = page.edges.map((edge) => restOrder(edge.node));
    return json(200, { orders, count: orders.length });
  },
} satisfies Record<string, RestRoute>;

/**
 * A catalog read as shared caches may keep it: a 200 for CATALOG_CACHE_CONTROL, any other
 * answer not at all (a product missing now may be created a moment later). The answer is
 * the same for every caller (it shows the products on sale, to admins as to anyone), which
 * is what makes it `public`. A failure core expects is answered here, as the api would
 * answer it, so that it carries `no-store` too.
 */
function catalogRead(route: RestRoute): RestRoute {
  return async (request) => {
    let result: HttpResult;
    try {
      result = await route(request);
    } catch (error) {
      const expected = errorOutcome(error);
      if (!expected) throw error;
      result = jsonError(expected.httpStatus, expected.message);
    }
    const cacheControl = result.statusCode === 200 ? CATALOG_CACHE_CONTROL : "no-store";
    return { ...result, headers: { ...result.headers, "cache-control": cacheControl } };
  };
}

/** The page size `limit` asks for: absent is the default; anything but 1..100 is undefined. */
function pageLimit(limit: string | undefined): number | undefined {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!/^[0-9]{1,3}$/.test(limit)) return undefined;
  const size = Number(limit);
  return size >= 1 && size <= MAX_PAGE_SIZE ? size : undefined;
}

/**
 * The `Link` header (RFC 8288) to the next page, relative to the API's origin. The
 * parameters come in one order, so every client that follows it asks shared caches for the
 * same URL. Percent-encoded rather than form-encoded: a `+` in a query is a space only to
 * some servers.
 */
function nextPageLink(cursor: string, limit: number, category: string | undefined): string {
  const parameters: [string, string][] = [
    ["cursor", cursor],
    ["limit", String(limit)],
    ...(category === undefined ? [] : [["category", category] as [string, string]]),
  ];
  const query = parameters.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("&");
  return `</products?${query}>; rel="next"`;
}

/**
 * The caller of an old, unauthenticated request, while the migration switch is on: the
 * customer the request names, as the old system took it. Logged, so the switch's users can
 * be found and moved to tokens. A request that carries a token is that token's caller.
 */
function legacyViewer(context: RequestContext, customerId: unknown, route: string): Viewer {
  if (context.viewer.kind !== "anonymous") return context.viewer;
  const named = typeof customerId === "string" ? customerId.trim() : "";
  context.logger.warn("legacy unauthenticated request", { route, customerId: named });
  return { kind: "customer", customerId: named };
}

function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape such as %E0%A4%A is the client's mistake, not a server error.
    return undefined;
  }
}

type JsonBody = { ok: true; value: unknown } | { ok: false; error: string };

function parseJsonBody(event: APIGatewayProxyEventV2): JsonBody {
  if (!event.body) return { ok: false, error: "Request body is required" };
  const text = event.isBase64Encoded
    ? Buffer.from(event.body, "base64").toString("utf8")
    : event.body;
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, error: "Request body must be valid JSON" };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The old body `{customer_id, items: [{product_id, quantity}]}` as core's order request. */
function fromRestOrderBody(body: unknown, idempotencyKey: string | undefined): unknown {
  if (!isRecord(body)) return body;
  const items = Array.isArray(body.items)
    ? body.items.map((item) =>
        isRecord(item) ? { productId: item.product_id, quantity: item.quantity } : item,
      )
    : body.items;
  return {
    customerId: body.customer_id,
    items,
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  };
}

/** The REST name of a field the order rules complain about. */
function restFieldName(field: string): string {
  if (field === "input") return "Request body";
  if (field === "idempotencyKey") return "Idempotency-Key header";
  return field.replace("customerId", "customer_id").replace("productId", "product_id");
}

function restProduct(product: Product) {
  return {
    product_id: product.productId,
    name: product.name,
    category: product.category,
    brand: product.brand,
    description: product.description,
    price: toDecimal(product.priceCents),
    currency: product.currency,
    stock: product.stock,
    created_at: product.createdAt,
    updated_at: product.updatedAt,
  };
}

function restOrder(order: Order) {
  return {
    order_id: order.orderId,
    customer_id: order.customerId,
    status: order.status,
    total_amount: toDecimal(order.totalCents),
    currency: order.currency,
    items: order.items.map((line) => ({
      product_id: line.productId,
      product_name: line.productName,
      quantity: line.quantity,
      unit_price: toDecimal(line.unitPriceCents),
      line_total: toDecimal(line.lineTotalCents),
    })),
    created_at: order.createdAt,
    updated_at: order.updatedAt,
  };
}
