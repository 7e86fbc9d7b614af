import { GraphQLError, GraphQLScalarType, Kind } from "graphql";
import { formatMoney } from "../core/shared/money";
import type { Page } from "../core/shared/page";
import type { PageInfo, Resolvers } from "../generated/resolvers-types";

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

function parseDateTime(value: unknown): string {
  if (typeof value !== "string" || !ISO_UTC.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError("DateTime must be an ISO-8601 UTC string such as 2026-01-31T12:00:00Z", {
      extensions: { code: "BAD_USER_INPUT" },
    });
  }
  return value;
}

export const DateTime = new GraphQLScalarType<string, string>({
  name: "DateTime",
  serialize: (value) => parseDateTime(value),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

/** The Relay page info of any page. */
export function pageInfoOf(page: Page<unknown>): PageInfo {
  return {
    hasPreviousPage: page.hasPreviousPage ?? false,
    hasNextPage: page.hasNextPage,
    startCursor: page.edges[0]?.cursor ?? null,
    endCursor: page.edges.at(-1)?.cursor ?? null,
  };
}

export const commonResolvers: Resolvers = {
  DateTime,
  Money: {
    formatted: (money) => formatMoney(money),
  },
  Query: {
    ping: () => true,
    viewer: (_, __, { viewer }) => {
      switch (viewer.kind) {
        case "anonymous":
          return { role: "ANONYMOUS", customerId: null, subject: null };
        case "customer":
          return { role: "CUSTOMER", customerId: viewer.customerId, subject: null };
        case "admin":
          return { role: "ADMIN", customerId: null, subject: viewer.subject };
      }
    },
  },
};
