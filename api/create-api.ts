import {
  handlers,
  type LambdaHandler,
  startServerAndCreateLambdaHandler,
} from "@as-integrations/aws-lambda";
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from "aws-lambda";
import type { Logger } from "../core/shared/ports";
import { ANONYMOUS } from "../core/shared/viewer";
import type { RequestContext, ShopServices } from "../resolvers/context";
import { errorOutcome } from "../resolvers/outcomes";
import type { ApiClients, ApiConfig } from "./api-config";
import { createHealthCheck } from "./health";
import { type HttpResult, json, jsonError, preflight, withCors } from "./http";
import { type RestRoute, restRoutes } from "./rest-routes";
import { type RouteName, routesFor } from "./route-table";
import { createRouter } from "./router";
import { createGraphQLServer } from "./server";
import { createServices } from "./services";

export type ApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export interface ApiDependencies {
  readonly config: ApiConfig;
  readonly clients: ApiClients;
  readonly logger: Logger;
  /** The services behind the routes; built from the clients when not given (benchmarks stub them). */
  readonly services?: ShopServices;
  /** Keep Apollo's default per-field plugins (cache control), to measure what leaving them off saves. */
  readonly apolloDefaults?: boolean;
}

type RouteHandler = (
  event: APIGatewayProxyEventV2,
  params: Readonly<Record<string, string>>,
  lambdaContext: Context,
) => Promise<HttpResult>;

const requestHandler = handlers.createAPIGatewayProxyEventV2RequestHandler();

/**
 * The api Lambda: one router over the route table. `/graphql` goes to Apollo Server, the
 * REST routes straight to the core services, and every request runs with a context of its
 * own (who calls, its request id) around the container's services, built once.
 */
export function createApiHandler({
  config,
  clients,
  logger,
  services: given,
  apolloDefaults,
}: ApiDependencies): ApiHandler {
  const services = given ?? createServices(config, clients, logger);
  const contextFor = (event: APIGatewayProxyEventV2): RequestContext => ({
    requestId: event.requestContext.requestId,
    viewer: ANONYMOUS,
    environment: config.environment,
    services,
    logger,
  });

  const server = createGraphQLServer({
    environment: config.environment,
    introspection: config.environment === "local" || config.playground,
    logger,
    ...(apolloDefaults ? { apolloDefaults } : {}),
  });
  const graphql: LambdaHandler<typeof requestHandler> = startServerAndCreateLambdaHandler(
    server,
    {
      ...requestHandler,
      // Reached when the body is not JSON, or when building the context throws.
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
    { context: async ({ event }) => contextFor(event) },
  );

  // The playground's module (documents, page, assets) loads on its first request only.
  let playground: Promise<(event: APIGatewayProxyEventV2) => HttpResult | undefined> | undefined;
  const playgroundPage = async (event: APIGatewayProxyEventV2) => {
    if (!config.playground) return undefined;
    playground ??= import("./playground").then((module) => module.createPlayground());
    return (await playground)(event);
  };

  const rest =
    (route: RestRoute): RouteHandler =>
    async (event, params) => {
      try {
        return await route({ event, params, context: contextFor(event) });
      } catch (error) {
        const expected = errorOutcome(error);
        if (expected) return jsonError(expected.httpStatus, expected.message);
        logger.error("REST route failed", { path: event.rawPath, error: String(error) });
        return jsonError(500, "Internal server error");
      }
    };
  const checkHealth = createHealthCheck(config, clients);
  const routeHandlers: Record<RouteName, RouteHandler> = {
    graphql: async (event, _params, lambdaContext) =>
      (await playgroundPage(event)) ??
      ((await graphql(event, lambdaContext, () => {})) as HttpResult),
    playgroundAsset: async (event) => (await playgroundPage(event)) ?? jsonError(404, "Not found"),
    listProducts: rest(restRoutes.listProducts),
    getProduct: rest(restRoutes.getProduct),
    placeOrder: rest(restRoutes.placeOrder),
    listOrders: rest(restRoutes.listOrders),
    health: () => checkHealth(),
  };

  const match = createRouter(routesFor({ playground: config.playground }));
  return async (event, lambdaContext) => {
    const method = event.requestContext.http.method;
    if (method === "OPTIONS") return preflight();
    const found = match(method, event.rawPath);
    switch (found.kind) {
      case "notFound":
        return jsonError(404, "Not found");
      case "methodNotAllowed":
        return jsonError(405, "Method not allowed", { allow: found.allow.join(", ") });
      case "found":
        return withCors(await routeHandlers[found.route.name](event, found.params, lambdaContext));
    }
  };
}
