import type { ApolloServer } from "@apollo/server";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { GraphQLFormattedError } from "graphql";
import { toDecimal } from "../core/money";
import { parseOrderRequest } from "../core/order-input";
import { MAX_PAGE_SIZE } from "../core/page";
import type { ApiContext } from "./context";
import { type HttpResult, json, jsonError } from "./http";
import {
  CREATE_ORDER,
  type CreateOrderData,
  CUSTOMER_ORDERS,
  type CustomerOrdersData,
  GET_PRODUCT,
  type GetProductData,
  LIST_PRODUCTS,
  type ListProductsData,
  type OrderData,
  type ProductData,
} from "./rest-operations";

/** HTTP status of each business outcome of `createOrder`. */
const CREATE_ORDER_STATUS: Record<CreateOrderData["createOrder"]["__typename"], number> = {
  Order: 201,
  InvalidOrder: 400,
  ProductNotFound: 404,
  InsufficientStock: 409,
  IdempotencyKeyReused: 422,
};

/** Safety stop for `GET /products`, which returns the whole catalog a page at a time. */
const MAX_CATALOG_PAGES = 100;

/** A GraphQL operation answered with errors; mapped to a status by what the errors say. */
class OperationError extends Error {
  constructor(readonly errors: readonly GraphQLFormattedError[]) {
    super(errors.map((e) => e.message).join("; "));
    this.name = "OperationError";
  }
}

type Route = (event: APIGatewayProxyEventV2) => Promise<HttpResult>;

/**
 * The old system's REST routes, served by the GraphQL Lambda. Each runs a GraphQL
 * operation in-process and reshapes the result into the old wire format (snake_case,
 * dollars as decimals, `{"error": ...}` on failure). Returns undefined for paths that
 * are not REST routes.
 */
export function createRestRoutes(server: ApolloServer<ApiContext>, context: ApiContext) {
  async function run<TData>(query: string, variables: Record<string, unknown>): Promise<TData> {
    const response = await server.executeOperation<TData>(
      { query, variables },
      { contextValue: context },
    );
    if (response.body.kind !== "single") throw new Error("unexpected incremental response");
    const { data, errors } = response.body.singleResult;
    if (errors?.length) throw new OperationError(errors);
    if (!data) throw new Error("GraphQL answered with neither data nor errors");
    return data;
  }

  const listProducts: Route = async (event) => {
    const category = event.queryStringParameters?.category || undefined;
    const products: ProductData[] = [];
    let after: string | null = null;
    for (let page = 0; page < MAX_CATALOG_PAGES; page++) {
      const data: ListProductsData = await run<ListProductsData>(LIST_PRODUCTS, {
        first: MAX_PAGE_SIZE,
        after,
        category,
      });
      products.push(...data.products.edges.map((edge) => edge.node));
      after = data.products.pageInfo.endCursor;
      if (!data.products.pageInfo.hasNextPage) break;
    }
    return json(200, { products: products.map(restProduct), count: products.length });
  };

  const getProduct = async (productId: string): Promise<HttpResult> => {
    const { product } = await run<GetProductData>(GET_PRODUCT, { id: productId });
    return product ? json(200, restProduct(product)) : jsonError(404, "Product not found");
  };

  const createOrder: Route = async (event) => {
    const body = parseJsonBody(event);
    if (!body.ok) return jsonError(400, body.error);
    const idempotencyKey = event.headers?.["idempotency-key"];
    const request = parseOrderRequest(fromRestOrderBody(body.value, idempotencyKey));
    if (!request.ok) return jsonError(400, `${restFieldName(request.field)} ${request.reason}`);
    const { createOrder: result } = await run<CreateOrderData>(CREATE_ORDER, {
      input: request.request,
    });
    if (result.__typename === "Order") return json(201, restOrder(result));
    return jsonError(CREATE_ORDER_STATUS[result.__typename], result.message);
  };

  const customerOrders: Route = async (event) => {
    const customerId = event.queryStringParameters?.customer_id?.trim();
    if (!customerId) return jsonError(400, "customer_id query parameter is required");
    const data = await run<CustomerOrdersData>(CUSTOMER_ORDERS, {
      customerId,
      first: MAX_PAGE_SIZE,
    });
    const orders = data.customerOrders.edges.map((edge) => restOrder(edge.node));
    return json(200, { orders, count: orders.length });
  };

  return async function routeRest(event: APIGatewayProxyEventV2): Promise<HttpResult | undefined> {
    const method = event.requestContext.http.method;
    const path = event.rawPath;
    const productPath = /^\/products\/([^/]+)\/?$/.exec(path);
    try {
      if (path === "/products" || path === "/products/") {
        return method === "GET" ? await listProducts(event) : methodNotAllowed("GET");
      }
      if (productPath?.[1]) {
        const id = decodePathSegment(productPath[1]);
        if (id === undefined) return jsonError(400, "Product id is not valid");
        return method === "GET" ? await getProduct(id) : methodNotAllowed("GET");
      }
      if (path === "/orders" || path === "/orders/") {
        if (method === "POST") return await createOrder(event);
        if (method === "GET") return await customerOrders(event);
        return methodNotAllowed("GET, POST");
      }
      return undefined;
    } catch (error) {
      return errorResult(error, context);
    }
  };
}

function methodNotAllowed(allow: string): HttpResult {
  return jsonError(405, "Method not allowed", { allow });
}

function errorResult(error: unknown, context: ApiContext): HttpResult {
  if (error instanceof OperationError) {
    const codes = error.errors.map((e) => e.extensions?.code);
    if (codes.includes("BAD_USER_INPUT")) return jsonError(400, error.message);
    if (codes.includes("SERVICE_UNAVAILABLE")) return jsonError(503, error.message);
  }
  context.logger.error("REST route failed", { error: String(error) });
  return jsonError(500, "Internal server error");
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

/** The old body `{customer_id, items: [{product_id, quantity}]}` as the order request. */
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

function restProduct(product: ProductData) {
  return {
    product_id: product.id,
    name: product.name,
    category: product.category,
    brand: product.brand,
    description: product.description,
    price: toDecimal(product.price.amountCents),
    currency: product.price.currency,
    stock: product.stock,
    created_at: product.createdAt,
    updated_at: product.updatedAt,
  };
}

function restOrder(order: OrderData) {
  return {
    order_id: order.id,
    customer_id: order.customerId,
    status: order.status,
    total_amount: toDecimal(order.total.amountCents),
    currency: order.total.currency,
    items: order.items.map((line) => ({
      product_id: line.productId,
      product_name: line.productName,
      quantity: line.quantity,
      unit_price: toDecimal(line.unitPrice.amountCents),
      line_total: toDecimal(line.lineTotal.amountCents),
    })),
    created_at: order.createdAt,
    updated_at: order.updatedAt,
  };
}
