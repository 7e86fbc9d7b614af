import { UnreachableCaseError } from "../core/errors";
import { cents } from "../core/money";
import type { ChangeStatusResult } from "../core/order-lifecycle";
import type { PlaceOrderResult } from "../core/order-service";
import type { OrderStatus, Resolvers, ResolversTypes } from "../generated/resolvers-types";
import { pageInfoOf } from "./common";

/** Business outcomes of placing an order, as members of the `CreateOrderResult` union. */
export function toCreateOrderResult(result: PlaceOrderResult): ResolversTypes["CreateOrderResult"] {
  switch (result.kind) {
    case "placed":
      return { __typename: "Order", ...result.order };
    case "invalidOrder":
      return {
        __typename: "InvalidOrder",
        errorCode: "INVALID_ORDER",
        message: `${result.field} ${result.reason}`,
        field: result.field,
        reason: result.reason,
      };
    case "productNotFound":
      return {
        __typename: "ProductNotFound",
        errorCode: "PRODUCT_NOT_FOUND",
        message: `Product ${result.productId} does not exist`,
        productId: result.productId,
      };
    case "insufficientStock":
      return {
        __typename: "InsufficientStock",
        errorCode: "INSUFFICIENT_STOCK",
        message: `Only ${result.available} of ${result.productId} in stock, ${result.requested} requested`,
        productId: result.productId,
        requested: result.requested,
        available: result.available,
      };
    case "idempotencyKeyReused":
      return {
        __typename: "IdempotencyKeyReused",
        errorCode: "IDEMPOTENCY_KEY_REUSED",
        message: `Idempotency key ${result.idempotencyKey} was already used for a different order`,
        idempotencyKey: result.idempotencyKey,
      };
    default:
      throw new UnreachableCaseError(result);
  }
}

/** Outcomes of a status change, as members of the `ChangeOrderStatusResult` union. */
export function toChangeOrderStatusResult(
  result: ChangeStatusResult,
): ResolversTypes["ChangeOrderStatusResult"] {
  switch (result.kind) {
    case "changed":
      return { __typename: "Order", ...result.order };
    case "orderNotFound":
      return {
        __typename: "OrderNotFound",
        errorCode: "ORDER_NOT_FOUND",
        message: `Order ${result.orderId} does not exist`,
        orderId: result.orderId,
      };
    case "invalidTransition":
      return {
        __typename: "InvalidTransition",
        errorCode: "INVALID_TRANSITION",
        message: `Order ${result.orderId} is ${result.from} and cannot become ${result.to}`,
        orderId: result.orderId,
        from: result.from,
        to: result.to,
      };
    default:
      throw new UnreachableCaseError(result);
  }
}

/** Who the history names for changes made through the API, until callers are identified. */
const API_ACTOR = "api";

export const orderResolvers: Resolvers = {
  Query: {
    order: (_, { id }, { orders }) => orders.getOrder(id).then((o) => o ?? null),
    customerOrders: (_, { customerId, first, after }, { orders }) =>
      orders.listCustomerOrders(customerId, { first, after }),
  },
  Mutation: {
    createOrder: async (_, { input }, { orders }) =>
      toCreateOrderResult(await orders.placeOrder(input)),
    shipOrder: async (_, { orderId }, { lifecycle }) =>
      toChangeOrderStatusResult(await lifecycle.shipOrder(orderId, API_ACTOR)),
    cancelOrder: async (_, { orderId, reason }, { lifecycle }) =>
      toChangeOrderStatusResult(
        await lifecycle.cancelOrder(orderId, API_ACTOR, reason ?? undefined),
      ),
  },
  OrderConnection: {
    edges: (page) => [...page.edges],
    pageInfo: pageInfoOf,
  },
  Order: {
    id: (order) => order.orderId,
    total: (order) => ({ amountCents: order.totalCents, currency: order.currency }),
    itemCount: (order) => order.items.reduce((sum, line) => sum + line.quantity, 0),
    statusReason: (order) => order.statusReason ?? null,
    fraudAssessment: (order) => order.fraudAssessment ?? null,
    history: async (order, _, { history }) => [...(await history.list(order.orderId))],
  },
  OrderHistoryEntry: {
    fromStatus: (entry) => (entry.fromStatus as OrderStatus | undefined) ?? null,
    toStatus: (entry) => (entry.toStatus as OrderStatus | undefined) ?? null,
  },
  FraudAssessment: {
    reasons: (assessment) => [...assessment.reasons],
  },
  OrderLine: {
    unitPrice: (line) => cents(line.unitPriceCents),
    lineTotal: (line) => cents(line.lineTotalCents),
  },
};
