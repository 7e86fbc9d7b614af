import { GraphQLError } from "graphql";
import { cents } from "../core/money";
import { buildTimeline } from "../core/order-timeline";
import type { Resolvers } from "../generated/resolvers-types";

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export const operationsResolvers: Resolvers = {
  Query: {
    dailySales: (_, { day }, { analytics }) => {
      if (!DAY.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
        throw new GraphQLError("day must be a date such as 2026-11-24", {
          extensions: { code: "BAD_USER_INPUT" },
        });
      }
      return analytics.getDailySales(day);
    },
    orderTimeline: async (_, { orderId }, { orders, history, eventLog, outbox }) => {
      const order = await orders.getOrder(orderId);
      if (!order) return null;
      const [changes, handling, emails] = await Promise.all([
        history.list(orderId),
        eventLog.forOrder(orderId),
        outbox.forOrder(orderId),
      ]);
      return buildTimeline(order, changes, handling, emails);
    },
    outbox: async (_, { orderId, first }, { outbox, environment }) => {
      if (environment !== "local") {
        throw new GraphQLError("the outbox is readable in local mode only", {
          extensions: { code: "FORBIDDEN" },
        });
      }
      const limit = Math.min(Math.max(first ?? 20, 1), 100);
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
