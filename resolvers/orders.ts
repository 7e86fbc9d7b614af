import { UnreachableCaseError } from "../core/errors";
import { cents } from "../core/money";
import type { PlaceOrderResult } from "../core/order-service";
import type { Resolvers, ResolversTypes } from "../generated/resolvers-types";
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

export const orderResolvers: Resolvers = {
  Query: {
    order: (_, { id }, { orders }) => orders.getOrder(id).then((o) => o ?? null),
    customerOrders: (_, { customerId, first, after }, { orders }) =>
      orders.listCustomerOrders(customerId, { first, after }),
  },
  Mutation: {
    createOrder: async (_, { input }, { orders }) =>
      toCreateOrderResult(await orders.placeOrder(input)),
  },
  OrderConnection: {
    edges: (page) => [...page.edges],
    pageInfo: pageInfoOf,
  },
  Order: {
    id: (order) => order.orderId,
    total: (order) => ({ amountCents: order.totalCents, currency: order.currency }),
    itemCount: (order) => order.items.reduce((sum, line) => sum + line.quantity, 0),
  },
  OrderLine: {
    unitPrice: (line) => cents(line.unitPriceCents),
    lineTotal: (line) => cents(line.lineTotalCents),
  },
};
