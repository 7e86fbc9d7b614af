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
import { instrumented } from "../adapters/invocation";
import { JwtAuthenticator } from "../adapters/jwt-authenticator";
import { withLogKeys } from "../adapters/powertools-logger";
import { annotate } from "../adapters/tracing";
import { CORRELATION_ID_PATTERN } from "../core/shared/events";
import type { Logger } from "../core/shared/ports";
import type { Viewer } from "../core/shared/viewer";
import type { RequestContext, ShopServices } from "../resolvers/context";
import { errorOutcome } from "../resolvers/outcomes";
import type { ApiClients, ApiConfig } from "./api-config";
import { corsHeaders } from "./cors";
import { createHealthCheck } from "./health";
import { graphqlError, type HttpResult, jsonError, preflight } from "./http";
import { OPENAPI_CACHE_CONTROL, openApiJson } from "./openapi";
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
  /** Tells who calls from the Authorization header; the JWT verifier when not given. */
  readonly authenticate?: (authorization: string | undefined) => Promise<Viewer>;
  /** Keep Apollo's default per-field plugins (cache control), to measure what leaving them off saves. */
  readonly apolloDefaults?: boolean;
}

type RouteHandler = (
  event: APIGatewayProxyEventV2,
  params: Readonly<Record<string, string>>,
  context: RequestContext,
  lambdaContext: Context,
) => Promise<HttpResult>;

/** The largest request body taken (API Gateway's own limit is 10 MB); larger is 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** What a 503 tells the client to wait before it retries. */
const RETRY_AFTER_SECONDS = "1";

const requestHandler = handlers.createAPIGatewayProxyEventV2RequestHandler();

/**
 * The api Lambda: one router over the route table. Every request is bounded (body size),
 * its caller identified from the bearer token, and then run with a context of its own
 * (who calls, its request id) around the container's services, built once: `/graphql` by
 * Apollo Server, the REST routes by the core services directly.
 */
export function createApiHandler({
  config,
  clients,
  logger,
  services: given,
  authenticate,
  apolloDefaults,
}: ApiDependencies): ApiHandler {
  const services = given ?? createServices(config, clients, logger);
  const verifier =
    authenticate ??
    (() => {
      // Built once: its cache of the issuer's keys lives as long as the container.
      const jwt = new JwtAuthenticator(config.identity);
      return (header: string | undefined) => jwt.viewerFor(header);
    })();
  const contexts = new WeakMap<APIGatewayProxyEventV2, RequestContext>();

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
      // Reached when the body is not JSON.
      toErrorResult: (error) => {
        if (error instanceof SyntaxError) {
          return graphqlError(
            400,
            `Request body is not valid JSON: ${error.message}`,
            "BAD_REQUEST",
          );
        }
        logger.error("request failed before reaching GraphQL", { error: String(error) });
        return graphqlError(500, "Internal server error", "INTERNAL_SERVER_ERROR");
      },
    },
    {
      context: async ({ event }) => {
        const context = contexts.get(event);
        if (!context) throw new Error("no request context for this event");
        return context;
      },
    },
  );

  // The playground's module (documents, page, assets) loads on its first request only.
  let playground:
    | Promise<(event: APIGatewayProxyEventV2) => Promise<HttpResult | undefined>>
    | undefined;
  const playgroundPage = async (event: APIGatewayProxyEventV2) => {
    if (!config.playground) return undefined;
    playground ??= import("./playground").then((module) =>
      module.createPlayground({
        token: config.playgroundToken,
        liveUrl: config.playgroundLiveUrl,
      }),
    );
    return (await playground)(event);
  };

  const rest =
    (route: RestRoute): RouteHandler =>
    async (event, params, context) => {
      try {
        return await route({ event, params, context, legacyOpenRest: config.legacyOpenRest });
      } catch (error) {
        const expected = errorOutcome(error);
        if (expected) return jsonError(expected.httpStatus, expected.message);
        logger.error("REST route failed", { path: event.rawPath, error: String(error) });
        return jsonError(500, "Internal server error");
      }
    };
  const checkHealth = createHealthCheck(config, clients);
  const queryHint = `Send a GraphQL operation: POST /graphql with content-type: application/json and a body such as {"query": "{ ping }"}${
    config.playground ? ", or open /graphql in a browser for the playground" : ""
  }.`;
  const routeHandlers: Record<RouteName, RouteHandler> = {
    graphql: async (event, _params, context, lambdaContext) => {
      const page = await playgroundPage(event);
      if (page) return page;
      if (!carriesOperation(event)) return graphqlError(400, queryHint, "BAD_REQUEST");
      contexts.set(event, context);
      return (await graphql(event, lambdaContext, () => {})) as HttpResult;
    },
    playgroundAsset: async (event) => (await playgroundPage(event)) ?? jsonError(404, "Not found"),
    listProducts: rest(restRoutes.listProducts),
    getProduct: rest(restRoutes.getProduct),
    placeOrder: rest(restRoutes.placeOrder),
    listOrders: rest(restRoutes.listOrders),
    health: () => checkHealth(),
    openapi: async () => ({
      statusCode: 200,
      headers: { "content-type": "application/json", "cache-control": OPENAPI_CACHE_CONTROL },
      body: openApiJson(),
    }),
  };

  const match = createRouter(routesFor({ playground: config.playground }));
  const route = async (
    event: APIGatewayProxyEventV2,
    lambdaContext: Context,
    correlationId: string,
  ): Promise<HttpResult> => {
    const cors = corsHeaders(config.allowedOrigins, event.headers?.origin);
    const answer = (result: HttpResult): HttpResult => {
      // An answer that varies by its own header (the playground's compressed assets) also
      // varies by Origin where CORS names it: both go in one Vary.
      const vary = [result.headers?.vary, cors.vary].filter(Boolean).join(", ");
      return {
        ...result,
        // 503 is always "try again": say when, so clients and SDKs back off rather than hammer.
        headers: {
          ...result.headers,
          ...cors,
          ...(vary ? { vary } : {}),
          [CORRELATION_ID_HEADER]: correlationId,
          ...(result.statusCode === 503 ? { "retry-after": RETRY_AFTER_SECONDS } : {}),
        },
      };
    };
    const method = event.requestContext.http.method;
    // Behind API Gateway, preflight and requests no route takes never reach the function:
    // the HTTP API answers them itself (a 404 for both an unknown path and a wrong verb), as
    // local/lambda/http-bridge.ts does locally. These answers are for direct invocations.
    if (method === "OPTIONS") return answer(preflight());
    const found = match(method, event.rawPath);
    if (found.kind === "notFound") return answer(jsonError(404, "Not found"));
    if (found.kind === "methodNotAllowed") {
      return answer(jsonError(405, "Method not allowed", { allow: found.allow.join(", ") }));
    }
    // GraphQL clients read `errors`; the old REST clients read `error`.
    const refuse = (status: number, message: string, code: string) =>
      answer(
        found.route.name === "graphql"
          ? graphqlError(status, message, code)
          : jsonError(status, message),
      );
    if (bodyBytes(event) > MAX_BODY_BYTES) {
      return refuse(
        413,
        `the request body must be at most ${MAX_BODY_BYTES} bytes`,
        "PAYLOAD_TOO_LARGE",
      );
    }
    let viewer: Viewer;
    try {
      viewer = await verifier(event.headers?.authorization);
    } catch (error) {
      const expected = errorOutcome(error);
      if (!expected) throw error;
      if (expected.httpStatus >= 500) {
        logger.error("could not identify the caller", { error: String(error) });
      }
      return refuse(expected.httpStatus, expected.message, expected.code);
    }
    const context: RequestContext = {
      requestId: event.requestContext.requestId,
      correlationId,
      annotate: (key, value) => annotate({ [key]: value }),
      viewer,
      environment: config.environment,
      services,
      logger,
    };
    return answer(
      await routeHandlers[found.route.name](event, found.params, context, lambdaContext),
    );
  };
  // Every line the request logs, in core as here, carries its correlation id; so does its trace.
  return instrumented("api", logger, (event, lambdaContext) => {
    const correlationId = correlationIdOf(event);
    annotate({ correlationId });
    return withLogKeys({ correlation_id: correlationId }, () =>
      route(event, lambdaContext, correlationId),
    );
  });
}

/** The header a caller names its correlation id in, and the answer returns it in. */
export const CORRELATION_ID_HEADER = "x-correlation-id";

/**
 * The request's correlation id: the caller's, when it is a bounded printable token, else the
 * request's own id (API Gateway's), so a search by what the response returned finds it.
 */
function correlationIdOf(event: APIGatewayProxyEventV2): string {
  const given = event.headers?.[CORRELATION_ID_HEADER]?.trim();
  return given && CORRELATION_ID_PATTERN.test(given) ? given : event.requestContext.requestId;
}

/**
 * Whether a request to /graphql carries an operation at all: a GET its `query` (or a
 * persisted query's `extensions`), a POST a body. One that does not gets a hint on how to
 * send one; Apollo's own answer to a bare `curl` is its long CSRF-prevention message.
 * Nothing runs without an operation, so the hint needs no CSRF check; every request that
 * carries one still goes through Apollo's.
 */
function carriesOperation(event: APIGatewayProxyEventV2): boolean {
  if (event.requestContext.http.method === "GET") {
    const query = event.queryStringParameters ?? {};
    return Boolean(query.query || query.extensions);
  }
  return Boolean(event.body?.trim());
}

/** The size of the body as sent, before any decoding. */
function bodyBytes(event: APIGatewayProxyEventV2): number {
  if (!event.body) return 0;
  return event.isBase64Encoded
    ? Math.floor((event.body.length * 3) / 4)
    : Buffer.byteLength(event.body, "utf8");
}
