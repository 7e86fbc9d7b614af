import { ApolloServer } from "@apollo/server";
import { unwrapResolverError } from "@apollo/server/errors";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from "@apollo/server/plugin/disabled";
import type { GraphQLFormattedError } from "graphql";
import type { Logger } from "../core/shared/ports";
import type { RequestContext } from "../resolvers/context";
import { errorOutcome } from "../resolvers/outcomes";
import { costLimitPlugin, limitRules, REQUEST_LIMITS } from "./request-limits";
import { shopSchema } from "./schema";

export interface GraphQLServerOptions {
  /** In production, unexpected errors are masked. */
  readonly environment: "local" | "production";
  /** Schema introspection: on locally and wherever the playground is on. */
  readonly introspection: boolean;
  readonly logger: Logger;
  /** Apollo's default plugins (cache control per field); only benchmarks turn this on. */
  readonly apolloDefaults?: boolean;
}

/**
 * The Apollo server, kept lean: no cache-control, tracing or reporting plugins (they cost
 * per field, and nothing here reads cache hints or traces), no stack traces in responses,
 * and unexpected errors masked in production. Each plugin turned off here is one Apollo
 * never loads, so the api's bundle leaves its module out (see `APOLLO_UNLOADED_PLUGINS`
 * in infra/shop-stack.ts).
 */
export function createGraphQLServer(options: GraphQLServerOptions): ApolloServer<RequestContext> {
  const { logger } = options;
  return new ApolloServer<RequestContext>({
    schema: shopSchema(),
    introspection: options.introspection,
    includeStacktraceInErrorResponses: false,
    // "Did you mean ...?" would hand out the schema that introspection keeps to itself.
    hideSchemaDetailsFromClientErrors: options.environment === "production",
    parseOptions: { maxTokens: REQUEST_LIMITS.maxTokens },
    validationRules: limitRules,
    plugins: [
      costLimitPlugin,
      ...(options.apolloDefaults ? [] : [ApolloServerPluginCacheControlDisabled()]),
      // Otherwise Apollo loads the federated-tracing plugin (and its protobuf code) on start,
      // only to find the schema is no subgraph.
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
    ],
    formatError: (formatted, error) => formatGraphQLError(formatted, error, options),
    logger: {
      debug: () => {},
      info: (message) => logger.info(String(message)),
      warn: (message) => logger.warn(String(message)),
      error: (message) => logger.error(String(message)),
    },
  });
}

function formatGraphQLError(
  formatted: GraphQLFormattedError,
  error: unknown,
  { environment, logger }: GraphQLServerOptions,
): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const expected = errorOutcome(original);
  if (expected) {
    return { ...formatted, message: expected.message, extensions: { code: expected.code } };
  }
  if (formatted.extensions?.code !== "INTERNAL_SERVER_ERROR") return formatted;
  logger.error("GraphQL operation failed", {
    path: formatted.path,
    error:
      original instanceof Error
        ? { name: original.name, message: original.message, stack: original.stack }
        : String(original),
  });
  if (environment === "local") return formatted;
  const { path, locations } = formatted;
  return {
    message: "Internal server error",
    extensions: { code: "INTERNAL_SERVER_ERROR" },
    ...(path ? { path } : {}),
    ...(locations ? { locations } : {}),
  };
}
