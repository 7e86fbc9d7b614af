import { GraphQLError, GraphQLScalarType } from "graphql";
import type { Resolvers } from "../generated/resolvers-types";
import { catalogResolvers } from "./catalog";
import { commonResolvers } from "./common";
import { operationsResolvers } from "./operations";
import { orderResolvers } from "./orders";
import { errorOutcome } from "./outcomes";

/**
 * An expected error from core (bad input, not signed in, not allowed, contention) as the
 * GraphQL error the outcome table gives it, with its HTTP status; anything else unchanged.
 */
function asGraphQLError(error: unknown): unknown {
  const outcome = errorOutcome(error);
  if (!outcome) return error;
  return new GraphQLError(outcome.message, {
    originalError: error instanceof Error ? error : undefined,
    extensions: { code: outcome.code, http: { status: outcome.httpStatus } },
  });
}

// biome-ignore lint/suspicious/noExplicitAny: wraps resolvers of every signature alike.
type AnyResolver = (...args: any[]) => unknown;

function answeringErrors(resolve: AnyResolver): AnyResolver {
  return (...args) => {
    try {
      const result = resolve(...args);
      return result instanceof Promise
        ? result.catch((error: unknown) => {
            throw asGraphQLError(error);
          })
        : result;
    } catch (error) {
      throw asGraphQLError(error);
    }
  };
}

/** Every field resolver of every type, answering core's expected errors as the table says. */
function withErrorOutcomes(all: Resolvers): Resolvers {
  return Object.fromEntries(
    Object.entries(all).map(([typeName, fields]) => [
      typeName,
      fields instanceof GraphQLScalarType
        ? fields
        : Object.fromEntries(
            Object.entries(fields as Record<string, unknown>).map(([name, field]) => [
              name,
              typeof field === "function" ? answeringErrors(field as AnyResolver) : field,
            ]),
          ),
    ]),
  ) as Resolvers;
}

/** All resolvers, merged per type; each domain file owns the fields of its own types. */
export const resolvers: Resolvers = withErrorOutcomes({
  ...catalogResolvers,
  ...orderResolvers,
  ...operationsResolvers,
  ...commonResolvers,
  Query: {
    ...commonResolvers.Query,
    ...catalogResolvers.Query,
    ...orderResolvers.Query,
    ...operationsResolvers.Query,
  },
  Mutation: {
    ...catalogResolvers.Mutation,
    ...orderResolvers.Mutation,
  },
});
