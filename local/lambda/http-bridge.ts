import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { LambdaHandler } from "../../adapters/handler-builder";
import { corsHeaders } from "../../api/cors";
import { type MatchedRoute, routeMatcher } from "../../api/route-table";
import { answerJwks, type LocalIssuer } from "../emulators/local-issuer";
import type { LocalLogger as Logger } from "../process/console-logger";
import { createLambdaContext } from "./lambda-context";
import {
  createWebSocketBridge,
  type WebSocketBridge,
  type WebSocketHandler,
} from "./websocket-bridge";

type HttpHandler = LambdaHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

/** Each server's WebSocket API stand-in, which a graceful close stops first. */
const webSocketBridges = new WeakMap<Server, WebSocketBridge>();

/** API Gateway's payload limit; the function itself takes far less (1 MB). */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

const TEXT_CONTENT = /^(application\/(json|graphql|x-www-form-urlencoded)|text\/)/i;

/**
 * The HTTP API's settings that change what it answers itself, named as the stack's props
 * name them. Left out, they are what the local runtime runs with: the playground on, and
 * any origin allowed.
 */
export interface GatewaySettings {
  /** Whether the stack routes the playground's assets (`-c playground=on`). */
  readonly playground?: boolean;
  /** The origins the API's CORS configuration allows. */
  readonly allowedOrigins?: readonly string[];
}

/**
 * The local stand-in for the HTTP API: turns each request into the API Gateway v2 event
 * the cloud would send, calls the same Lambda handler in-process, and writes its result.
 * What API Gateway answers without invoking the function, it answers too, from the same
 * route list and CORS declaration the stack builds the HTTP API from: CORS preflight, and
 * `404 {"message":"Not Found"}` for any request no route takes (a known path with another
 * verb included: HTTP APIs have no 405). With an `issuer`, it also publishes that
 * issuer's keys (Cognito's job in the cloud). With a `websocket` handler, the same server
 * stands in for the WebSocket API on `/graphql` and its Management API (see
 * websocket-bridge.ts); `closeGracefully` then closes those connections first.
 */
export function createHttpBridge(
  handler: HttpHandler,
  logger: Logger,
  options: {
    issuer?: LocalIssuer;
    websocket?: { handler: WebSocketHandler };
  } & GatewaySettings = {},
): Server {
  const match = routeMatcher({ playground: options.playground ?? true });
  const allowedOrigins = options.allowedOrigins ?? ["*"];
  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    if (isPreflight(request)) {
      // Answered whatever the path, even one no route takes: the function never sees it.
      request.resume();
      response.writeHead(204, corsHeaders(allowedOrigins, request.headers.origin));
      response.end();
      return;
    }
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const route = match(request.method ?? "GET", path);
    if (!route) {
      request.resume();
      response.writeHead(404, { "content-type": "application/json" });
      response.end(JSON.stringify({ message: "Not Found" }));
      return;
    }
    await handle(handler, route, request, response);
  };
  const live = options.websocket && createWebSocketBridge(options.websocket.handler, logger);
  const server = createServer((request, response) => {
    // Another API in the cloud: the HTTP API's routing never sees these paths.
    if (live?.answer(request, response)) return;
    if (options.issuer && answerJwks(options.issuer, request, response)) return;
    serve(request, response).catch((error: unknown) => {
      logger.error("local HTTP bridge failed", { error: String(error) });
      if (!response.headersSent) {
        response.writeHead(500, { "content-type": "application/json" });
      }
      response.end(JSON.stringify({ error: "Internal server error" }));
    });
  });
  if (live) {
    server.on("upgrade", live.upgrade);
    webSocketBridges.set(server, live);
  }
  return server;
}

/** A CORS preflight, as API Gateway tells one from any other OPTIONS request. */
function isPreflight(request: IncomingMessage): boolean {
  return (
    request.method === "OPTIONS" &&
    request.headers.origin !== undefined &&
    request.headers["access-control-request-method"] !== undefined
  );
}

async function handle(
  handler: HttpHandler,
  route: MatchedRoute,
  request: IncomingMessage,
  response: ServerResponse,
) {
  const body = await readBody(request);
  if (body === undefined) {
    response.writeHead(413, { "content-type": "application/json" });
    response.end(JSON.stringify({ message: "Request Entity Too Large" }));
    return;
  }
  const event = toApiGatewayEvent(request, body, route);
  const result = await handler(event, createLambdaContext("shop-api"));
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers["set-cookie"] = result.cookies;
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(
    result.body === undefined
      ? undefined
      : result.isBase64Encoded
        ? Buffer.from(result.body, "base64")
        : result.body,
  );
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on("end", () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

/** The event API Gateway HTTP APIs send with payload format 2.0, for the route it took. */
export function toApiGatewayEvent(
  request: IncomingMessage,
  body: Buffer,
  route: MatchedRoute,
): APIGatewayProxyEventV2 {
  const routeKey = `${route.route.method} ${route.route.path}`;
  const url = new URL(request.url ?? "/", "http://localhost");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== "cookie")
      headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = name in query ? `${query[name]},${value}` : value;
  }
  const cookies = request.headers.cookie?.split(";").map((c) => c.trim());
  const isText = TEXT_CONTENT.test(headers["content-type"] ?? "");
  const now = new Date();
  return {
    version: "2.0",
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(cookies ? { cookies } : {}),
    ...(url.search ? { queryStringParameters: query } : {}),
    ...(Object.keys(route.params).length > 0
      ? { pathParameters: decodedParameters(route.params) }
      : {}),
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: headers.host ?? "localhost",
      domainPrefix: (headers.host ?? "localhost").split(".")[0] ?? "localhost",
      http: {
        method: request.method ?? "GET",
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey,
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: body.length > 0 && !isText,
    ...(body.length > 0 ? { body: isText ? body.toString("utf8") : body.toString("base64") } : {}),
  };
}

/** Path parameters as API Gateway passes them: URL-decoded (a malformed escape kept as sent). */
function decodedParameters(params: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => {
      try {
        return [name, decodeURIComponent(value)];
      } catch {
        return [name, value];
      }
    }),
  );
}

/**
 * Stops a server the way a load balancer drains a target: no new connections, idle
 * keep-alive connections closed (and each one closed as soon as its request is answered),
 * in-flight requests allowed to finish, for at most `boundMs`; then whatever is left is cut.
 */
export async function closeGracefully(server: Server, boundMs = 10_000): Promise<void> {
  // WebSocket connections first, while the server still takes the Management API calls
  // their $disconnect may make; and the server's close would wait for upgraded sockets,
  // which it cannot cut itself.
  const live = webSocketBridges.get(server);
  if (live) await Promise.race([live.stop(), sleep(boundMs)]);
  const closed = new Promise<void>((done) => server.close(() => done()));
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  const cut = setTimeout(() => server.closeAllConnections(), boundMs);
  await closed;
  clearInterval(sweep);
  clearTimeout(cut);
}
