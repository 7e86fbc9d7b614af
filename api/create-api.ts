import {
  handlers,
  type LambdaHandler,
  type middleware,
  startServerAndCreateLambdaHandler,
} from "@as-integrations/aws-lambda";
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from "aws-lambda";
import type { AwsClients } from "../adapters/aws-clients";
import type { Config } from "../adapters/config";
import type { Logger } from "../core/ports";
import type { ApiContext } from "./context";
import { createHealthCheck } from "./health";
import { CORS_HEADERS, json, jsonError, preflight } from "./http";
import { createPlayground } from "./playground";
import { createRestRoutes } from "./rest-routes";
import { createGraphQLServer } from "./server";
import { createServices } from "./services";

export type ApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export interface ApiDependencies {
  readonly config: Config;
  readonly clients: AwsClients;
  readonly logger: Logger;
  /** The services the resolvers use; built from the clients when not given (benchmarks stub them). */
  readonly services?: ApiContext;
  /** Keep Apollo's default per-field plugins (cache control), to measure what leaving them off saves. */
  readonly apolloDefaults?: boolean;
}

const requestHandler = handlers.createAPIGatewayProxyEventV2RequestHandler();
type RequestHandler = typeof requestHandler;
type Middleware = middleware.MiddlewareFn<RequestHandler>;

/**
 * The API Lambda: one Apollo server behind API Gateway v2 events, with CORS, health,
 * the REST compatibility routes and the playground as middleware in front of it.
 */
export function createApiHandler({
  config,
  clients,
  logger,
  services,
  apolloDefaults,
}: ApiDependencies): ApiHandler {
  const server = createGraphQLServer({
    environment: config.environment,
    introspection: config.environment === "local" || config.playground,
    logger,
    ...(apolloDefaults ? { apolloDefaults } : {}),
  });
  const context = services ?? createServices(config, clients, logger);
  const routeRest = createRestRoutes(server, context);
  const checkHealth = createHealthCheck(config, clients);

  const cors: Middleware = async (event) => {
    if (event.requestContext.http.method === "OPTIONS") return preflight();
    return async (result) => {
      result.headers = { ...result.headers, ...CORS_HEADERS };
    };
  };
  const health: Middleware = async (event) =>
    event.rawPath === "/health" ? checkHealth() : undefined;
  const rest: Middleware = (event) => routeRest(event);
  const servePlayground = config.playground ? createPlayground() : undefined;
  const playground: Middleware = async (event) => servePlayground?.(event);
  const graphqlOnly: Middleware = async (event) =>
    event.rawPath === "/graphql" ? undefined : jsonError(404, "Not found");

  const lambdaHandler: LambdaHandler<RequestHandler> = startServerAndCreateLambdaHandler(
    server,
    {
      ...requestHandler,
      // Reached when the body is not JSON, or when a middleware throws.
      toErrorResult: (error) => {
        if (error instanceof SyntaxError) {
          return json(400, {
            errors: [
              {
                message: `Request body is not valid JSON: ${error.message}`,
                extensions: { code: "BAD_REQUEST" },
              },
            ],
          });
        }
        logger.error("request failed before reaching GraphQL", { error: String(error) });
        return jsonError(500, "Internal server error");
      },
    },
    {
      context: async () => context,
      middleware: [cors, health, rest, playground, graphqlOnly],
    },
  );
  return (event, lambdaContext) =>
    lambdaHandler(event, lambdaContext, () => {}) as Promise<APIGatewayProxyStructuredResultV2>;
}
