import { unitsIn } from "../core/orders/order";
import type { ChangeStatusResult } from "../core/orders/order-lifecycle";
import type { PlaceOrderResult } from "../core/orders/order-service";
import { cents } from "../core/shared/money";
import type { OrderStatus, Resolvers, ResolversTypes } from "../generated/resolvers-types";
import { pageInfoOf } from "./common";
import type { RequestContext } from "./context";
import { changeStatusOutcome, placeOrderOutcome } from "./outcomes";

/**
 * Places an order for a request, GraphQL or REST: the order keeps the request's correlation
 * id, and the request's trace is annotated with the order's id.
 */
export async function placeOrder(
  context: RequestContext,
  input: unknown,
  viewer = context.viewer,
): Promise<PlaceOrderResult> {
  const result = await context.services.orders.placeOrder(viewer, input, {
    correlationId: context.correlationId,
  });
  if (result.kind === "placed") context.annotate("orderId", result.order.orderId);
  return result;
}

/** The order, or the business reason it was not placed, as a `CreateOrderResult` member. */
export function toCreateOrderResult(result: PlaceOrderResult): ResolversTypes["CreateOrderResult"] {
  return result.kind === "placed"
    ? { __typename: "Order", ...result.order }
    : placeOrderOutcome(result).member;
}

/** The changed order, or why it could not change, as a `ChangeOrderStatusResult` member. */
export function toChangeOrderStatusResult(
  result: ChangeStatusResult,
): ResolversTypes["ChangeOrderStatusResult"] {
  return result.kind === "changed"
    ? { __typename: "Order", ...result.order }
    : changeStatusOutcome(result).member;
}

export const orderResolvers: Resolvers = {
  Query: {
    order: (_, { id }, { services, viewer }) =>
      services.orders.getOrder(viewer, id).then((o) => o ?? null),
    customerOrders: (_, { customerId, first, after, last, before }, { services, viewer }) =>
      services.orders.listCustomerOrders(viewer, customerId ?? undefined, {
        first,
        after,
        last,
        before,
      }),
  },
  Mutation: {
    createOrder: async (_, { input }, context) =>
      toCreateOrderResult(await placeOrder(context, input)),
    shipOrder: async (_, { orderId }, { services, viewer }) =>
      toChangeOrderStatusResult(await services.lifecycle.shipOrder(viewer, orderId)),
    cancelOrder: async (_, { orderId, reason }, { services, viewer }) =>
      toChangeOrderStatusResult(
        await services.lifecycle.cancelOrder(viewer, orderId, reason ?? undefined),
      ),
  },
  OrderConnection: {
    edges: (page) => [...page.edges],
    pageInfo: pageInfoOf,
  },
  Order: {
    id: (order) => order.orderId,
    total: (order) => ({ amountCents: order.totalCents, currency: order.currency }),
    itemCount: (order) => unitsIn(order),
    statusReason: (order) => order.statusReason ?? null,
    // The score and its reasons would teach a fraudster the rules: admins only.
    fraudAssessment: (order, _, { viewer }) =>
      viewer.kind === "admin" ? (order.fraudAssessment ?? null) : null,
    history: async (order, _, { services }) => [...(await services.history.list(order.orderId))],
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
