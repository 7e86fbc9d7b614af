import { GraphQLError } from "graphql";
import { buildTimeline } from "../core/orders/order-timeline";
import { requireAdmin } from "../core/shared/access";
import { cents } from "../core/shared/money";
import { pageRequest } from "../core/shared/page";
import type { Resolvers } from "../generated/resolvers-types";

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export const operationsResolvers: Resolvers = {
  Query: {
    dailySales: (_, { day }, { services, viewer }) => {
      requireAdmin(viewer);
      if (!DAY.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
        throw new GraphQLError("day must be a date such as 2026-11-24", {
          extensions: { code: "BAD_USER_INPUT" },
        });
      }
      return services.analytics.getDailySales(day);
    },
    orderTimeline: async (_, { orderId }, { services, viewer }) => {
      const { orders, history, eventLog, outbox } = services;
      const order = await orders.getOrder(requireAdmin(viewer), orderId);
      if (!order) return null;
      const [changes, handling, emails] = await Promise.all([
        history.list(orderId),
        eventLog.forOrder(orderId),
        outbox.forOrder(orderId),
      ]);
      return buildTimeline(order, changes, handling, emails);
    },
    outbox: async (_, { orderId, first }, { services: { outbox }, environment, viewer }) => {
      requireAdmin(viewer);
      if (environment !== "local") {
        throw new GraphQLError("the outbox is readable in local mode only", {
          extensions: { code: "FORBIDDEN" },
        });
      }
      const limit = pageRequest(first).first;
      return orderId ? (await outbox.forOrder(orderId)).slice(0, limit) : outbox.recent(limit);
    },
  },
  DailySales: {
    revenue: (sales) => cents(sales.revenueCents),
    products: (sales) => [...sales.products],
  },
  ProductSales: {
    revenue: (sales) => cents(sales.revenueCents),
  },
};
