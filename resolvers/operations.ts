import { GraphQLError } from "graphql";
import { dayOf } from "../core/analytics/daily-sales";
import { buildTimeline } from "../core/orders/order-timeline";
import { requireAdmin } from "../core/shared/access";
import { InvalidInputError } from "../core/shared/errors";
import { cents } from "../core/shared/money";
import { pageSize } from "../core/shared/page";
import type { Resolvers } from "../generated/resolvers-types";

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** No sales were counted before this day. */
const FIRST_DAY = "2000-01-01";
const DAY_MS = 24 * 60 * 60 * 1000;

const utcDay = (ms: number) => dayOf(new Date(ms).toISOString());

/**
 * The day to count: today (UTC) when none is given. A given day must be a real date (Date
 * would read 2026-02-30 as March 2nd), from FIRST_DAY to tomorrow: a caller east of UTC
 * may already be in tomorrow's UTC day.
 */
function salesDay(day: string | null | undefined, now: number): string {
  if (day === null || day === undefined) return utcDay(now);
  const midnight = DAY.test(day) ? Date.parse(`${day}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(midnight) || utcDay(midnight) !== day) {
    throw new InvalidInputError(`day must be a date such as ${utcDay(now)} (YYYY-MM-DD)`);
  }
  const tomorrow = utcDay(now + DAY_MS);
  if (day < FIRST_DAY || day > tomorrow) {
    throw new InvalidInputError(`day must be from ${FIRST_DAY} to ${tomorrow}`);
  }
  return day;
}

export const operationsResolvers: Resolvers = {
  Query: {
    dailySales: (_, { day }, { services, viewer }) => {
      requireAdmin(viewer);
      return services.analytics.getDailySales(salesDay(day, Date.now()));
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
      const limit = pageSize(first);
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
