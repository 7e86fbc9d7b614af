import { randomBytes } from "node:crypto";
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { WebSocket, WebSocketServer } from "ws";
import type { LambdaHandler } from "../../adapters/handler-builder";
import type { LocalLogger as Logger } from "../process/console-logger";
import { createLambdaContext } from "./lambda-context";

/**
 * What the function answers: on `$connect`, a non-2xx status refuses the connection (a bare
 * string or nothing at all is a 200). Other routes' answers go nowhere: the function
 * replies through the Management API.
 */
export interface WebSocketResult {
  readonly statusCode?: number | undefined;
  readonly headers?: Readonly<Record<string, string | number | boolean>> | undefined;
  readonly body?: string | undefined;
}

export type WebSocketHandler = LambdaHandler<
  APIGatewayProxyWebsocketEventV2,
  WebSocketResult | string | undefined
>;

/**
 * The event as API Gateway sends it, which is more than aws-lambda's type says: `$connect`
 * carries the handshake's headers, every event the caller's identity, `$disconnect` the
 * close code and reason; and only messages carry a `messageId`.
 */
export type WebSocketEvent = Omit<APIGatewayProxyWebsocketEventV2, "requestContext"> & {
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  requestContext: Omit<APIGatewayProxyWebsocketEventV2["requestContext"], "messageId"> & {
    messageId?: string;
    identity: { sourceIp: string; userAgent: string };
    disconnectStatusCode?: number;
    disconnectReason?: string;
  };
};

/** The one path the local server takes WebSocket upgrades on, beside the HTTP API's routes. */
export const WEBSOCKET_PATH = "/graphql";

/** API Gateway's message payload quota: a larger message closes the connection with 1009. */
const MAX_MESSAGE_BYTES = 128 * 1024;

/**
 * Messages received while the handler is still busy with an earlier one wait in order; past
 * this many, the client is flooding the connection and it is closed rather than buffered.
 */
export const MAX_PENDING_MESSAGES = 100;

/** How long a stop waits for each client to answer the close before cutting its socket. */
const CLOSE_HANDSHAKE_BOUND_MS = 1_000;

const MANAGEMENT_PREFIX = "/@connections/";

export interface WebSocketBridge {
  /** Takes an HTTP upgrade request (the server's `upgrade` event). */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Answers the request if it is the Management API's (`/@connections/{id}`), and says so;
   * those paths are another API in the cloud and never reach the HTTP API's routing.
   */
  answer(request: IncomingMessage, response: ServerResponse): boolean;
  /**
   * Refuses new connections, closes every open one with 1001 and resolves once each has
   * had its `$disconnect`.
   */
  stop(): Promise<void>;
}

interface Connection {
  readonly id: string;
  readonly socket: WebSocket;
  readonly connectedAt: number;
  lastActiveAt: number;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly domainName: string;
  /** Messages received and not yet handed to the function, oldest first. */
  readonly pending: string[];
  /** The delivery of `pending`, while one runs: one invocation at a time per connection. */
  draining: Promise<void> | undefined;
  /** Settles once the connection's `$disconnect` has been invoked. */
  readonly disconnected: Promise<void>;
}

/**
 * The local stand-in for an API Gateway WebSocket API and its Management API, on the HTTP
 * bridge's own server. Each connection gets an id, and the same handler the cloud's routes
 * invoke is invoked in-process: `$connect` during the handshake (a non-2xx answer refuses
 * the upgrade with that status, and only the subprotocol its `Sec-WebSocket-Protocol`
 * header names is echoed, as API Gateway does), `$default` for each text message, one at a
 * time per connection and in order, and `$disconnect` once the socket is closed by either
 * side. The function replies through `POST /@connections/{id}`, as it would in the cloud.
 */
export function createWebSocketBridge(
  handler: WebSocketHandler,
  logger: Logger,
  options: { functionName?: string } = {},
): WebSocketBridge {
  const functionName = options.functionName ?? "shop-websocket";
  /** Open connections, by id: the ones the Management API reaches. */
  const connections = new Map<string, Connection>();
  /** Every connection whose `$disconnect` has not finished yet, open or not. */
  const unfinished = new Set<Connection>();
  const upgrading = new Set<Promise<void>>();
  // The subprotocol each handshake's $connect answer named, for ws to echo.
  const protocols = new WeakMap<IncomingMessage, string>();
  const server = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (_offered, request) => protocols.get(request) ?? false,
  });
  let stopping: Promise<void> | undefined;

  const invoke = async (event: WebSocketEvent): Promise<WebSocketResult | undefined> => {
    // aws-lambda's type has every event carry a messageId; API Gateway sends it only with messages.
    const result = await handler(
      event as APIGatewayProxyWebsocketEventV2,
      createLambdaContext(functionName),
    );
    return typeof result === "string" ? { statusCode: 200, body: result } : result;
  };

  async function connect(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // A client that gives up during $connect must not take the process down with it.
    const ignore = () => {};
    socket.on("error", ignore);
    const url = new URL(request.url ?? "/", "http://localhost");
    if (url.pathname !== WEBSOCKET_PATH) return refuse(socket, 404, { message: "Not Found" });
    if (!isHandshake(request)) return refuse(socket, 400, { message: "Bad Request" });
    if (stopping) return refuse(socket, 503, { message: "Service Unavailable" });
    const id = randomBytes(12).toString("base64url");
    const requestId = newRequestId();
    const identity = {
      sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
      userAgent: request.headers["user-agent"] ?? "",
    };
    const domainName = `${request.socket.localAddress}:${request.socket.localPort}`;
    const connectedAt = Date.now();
    const { headers, multiValueHeaders } = handshakeHeaders(request);
    let result: WebSocketResult | undefined;
    try {
      result = await invoke({
        headers,
        multiValueHeaders,
        ...queryParameters(url),
        isBase64Encoded: false,
        requestContext: {
          ...requestContext("$connect", "CONNECT", id, connectedAt, domainName, requestId),
          identity,
        },
      });
    } catch (error) {
      logger.error("the WebSocket function failed", {
        routeKey: "$connect",
        connectionId: id,
        error: String(error),
      });
      return refuse(socket, 500, {
        message: "Internal server error",
        connectionId: id,
        requestId,
      });
    }
    const status = result?.statusCode ?? 200;
    if (status < 200 || status > 299) return refuse(socket, status, result?.body);
    const protocol = headerValue(result?.headers, "sec-websocket-protocol");
    if (protocol !== undefined) protocols.set(request, protocol);
    socket.off("error", ignore);
    server.handleUpgrade(request, socket, head, (ws) =>
      open({ id, socket: ws, connectedAt, domainName, ...identity }),
    );
  }

  function open(
    c: Pick<Connection, "id" | "socket" | "connectedAt" | "domainName" | "sourceIp" | "userAgent">,
  ) {
    let settle = () => {};
    const connection: Connection = {
      ...c,
      lastActiveAt: c.connectedAt,
      pending: [],
      draining: undefined,
      disconnected: new Promise<void>((resolve) => {
        settle = resolve;
      }),
    };
    const { id, socket } = connection;
    connections.set(id, connection);
    unfinished.add(connection);
    socket.on("message", (data, isBinary) => {
      if (socket.readyState !== WebSocket.OPEN) return;
      if (isBinary) {
        // API Gateway takes no binary frames: it closes the connection with 1003.
        socket.close(1003, "Binary frames are not supported");
        return;
      }
      if (connection.pending.length >= MAX_PENDING_MESSAGES) {
        socket.close(1008, "Too many messages waiting");
        return;
      }
      connection.lastActiveAt = Date.now();
      // ws hands a text frame over as one Buffer (its default binaryType).
      connection.pending.push(String(data));
      connection.draining ??= drain(connection);
    });
    // Protocol errors (an oversized message: 1009) close the socket; the close is what counts.
    socket.on("error", (error) =>
      logger.warn("WebSocket client error", { connectionId: id, error: String(error) }),
    );
    socket.on("close", (code, reason) => {
      if (connections.get(id) === connection) connections.delete(id);
      void disconnect(connection, code, reason.toString()).finally(() => {
        unfinished.delete(connection);
        settle();
      });
    });
  }

  async function drain(connection: Connection): Promise<void> {
    for (let body = connection.pending.shift(); body !== undefined; ) {
      await deliver(connection, body);
      body = connection.pending.shift();
    }
    connection.draining = undefined;
  }

  async function deliver(connection: Connection, body: string): Promise<void> {
    const requestId = newRequestId();
    try {
      await invoke({
        body,
        isBase64Encoded: false,
        requestContext: {
          ...requestContext(
            "$default",
            "MESSAGE",
            connection.id,
            connection.connectedAt,
            connection.domainName,
            requestId,
          ),
          messageId: newRequestId(),
          identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
        },
      });
    } catch (error) {
      logger.error("the WebSocket function failed", {
        routeKey: "$default",
        connectionId: connection.id,
        error: String(error),
      });
      // What API Gateway tells the client when the integration fails; the connection stays.
      if (connection.socket.readyState === WebSocket.OPEN) {
        connection.socket.send(
          JSON.stringify({
            message: "Internal server error",
            connectionId: connection.id,
            requestId,
          }),
        );
      }
    }
  }

  async function disconnect(connection: Connection, code: number, reason: string) {
    // Messages received before the close reach the function first, as they were sent.
    await connection.draining;
    try {
      await invoke({
        headers: { Host: connection.domainName, "X-Forwarded-For": connection.sourceIp },
        isBase64Encoded: false,
        requestContext: {
          ...requestContext(
            "$disconnect",
            "DISCONNECT",
            connection.id,
            connection.connectedAt,
            connection.domainName,
            newRequestId(),
          ),
          identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
          disconnectStatusCode: code,
          disconnectReason: reason,
        },
      });
    } catch (error) {
      logger.error("the WebSocket function failed", {
        routeKey: "$disconnect",
        connectionId: connection.id,
        error: String(error),
      });
    }
  }

  function closeForStop(connection: Connection) {
    if (connection.socket.readyState === WebSocket.CLOSED) return;
    connection.socket.close(1001, "Going Away");
    const cut = setTimeout(() => connection.socket.terminate(), CLOSE_HANDSHAKE_BOUND_MS);
    connection.socket.once("close", () => clearTimeout(cut));
  }

  async function manage(request: IncomingMessage, response: ServerResponse, url: URL) {
    const id = decoded(url.pathname.slice(MANAGEMENT_PREFIX.length));
    const method = request.method ?? "GET";
    if (method === "POST") {
      const body = await readBody(request, MAX_MESSAGE_BYTES);
      if (body === undefined) {
        return reply(
          response,
          413,
          { message: `Message payload must be at most ${MAX_MESSAGE_BYTES} bytes` },
          "PayloadTooLargeException",
        );
      }
      const connection = live(id);
      if (!connection) return gone(response);
      connection.lastActiveAt = Date.now();
      // Sent as it came: one text frame, even when it is not JSON.
      connection.socket.send(body, { binary: false }, (error) =>
        error ? gone(response) : reply(response, 200),
      );
      return;
    }
    request.resume();
    const connection = live(id);
    if (method === "GET") {
      if (!connection) return gone(response);
      return reply(response, 200, {
        connectedAt: new Date(connection.connectedAt).toISOString(),
        identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
        lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
      });
    }
    if (method === "DELETE") {
      if (!connection) return gone(response);
      // A local extension: the Management API's DeleteConnection carries no close code, so
      // the cloud always closes with 1000. The gateway adapter may pass `code` and `reason`
      // only when it talks to this stand-in.
      const code = url.searchParams.has("code") ? Number(url.searchParams.get("code")) : 1000;
      try {
        connection.socket.close(code, url.searchParams.get("reason") ?? "");
      } catch (error) {
        return reply(
          response,
          400,
          { message: error instanceof Error ? error.message : String(error) },
          "BadRequestException",
        );
      }
      // Gone from now on, even while the client takes its time to answer the close.
      connections.delete(id);
      return reply(response, 204);
    }
    return reply(response, 404, { message: "Not Found" });
  }

  /** The connection, if it is still open. */
  function live(id: string): Connection | undefined {
    const connection = connections.get(id);
    return connection?.socket.readyState === WebSocket.OPEN ? connection : undefined;
  }

  return {
    upgrade(request, socket, head) {
      const upgrade = connect(request, socket, head).catch((error: unknown) => {
        logger.error("local WebSocket bridge failed", { error: String(error) });
        socket.destroy();
      });
      upgrading.add(upgrade);
      void upgrade.finally(() => upgrading.delete(upgrade));
    },
    answer(request, response) {
      const url = new URL(request.url ?? "/", "http://localhost");
      if (!url.pathname.startsWith(MANAGEMENT_PREFIX)) return false;
      manage(request, response, url).catch((error: unknown) => {
        logger.error("local Management API failed", { error: String(error) });
        if (!response.headersSent) reply(response, 500, { message: "Internal server error" });
        else response.end();
      });
      return true;
    },
    stop() {
      stopping ??= (async () => {
        await Promise.allSettled(upgrading);
        // Connections whose $connect was under way are among them: the stop waited for those.
        for (const connection of unfinished) closeForStop(connection);
        await Promise.all([...unfinished].map((connection) => connection.disconnected));
        server.close();
      })();
      return stopping;
    },
  };
}

/** The checks ws would make before completing the handshake, made before `$connect`. */
function isHandshake(request: IncomingMessage): boolean {
  return (
    request.method === "GET" &&
    request.headers.upgrade?.toLowerCase() === "websocket" &&
    /^[+/0-9A-Za-z]{22}==$/.test(request.headers["sec-websocket-key"] ?? "") &&
    ["8", "13"].includes(request.headers["sec-websocket-version"] ?? "")
  );
}

/** The handshake's headers with their names as the client sent them, as API Gateway passes them. */
function handshakeHeaders(request: IncomingMessage) {
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), request.rawHeaders[i + 1]!];
  }
  const headers = Object.fromEntries(
    Object.entries(multiValueHeaders).map(([name, values]) => [name, values.join(",")]),
  );
  return { headers, multiValueHeaders };
}

function queryParameters(
  url: URL,
): Pick<WebSocketEvent, "queryStringParameters" | "multiValueQueryStringParameters"> {
  if (!url.search) return {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) multi[name] = [...(multi[name] ?? []), value];
  const single = Object.fromEntries(
    Object.entries(multi).map(([name, values]) => [name, values.at(-1)!]),
  );
  return { queryStringParameters: single, multiValueQueryStringParameters: multi };
}

function requestContext(
  routeKey: string,
  eventType: "CONNECT" | "MESSAGE" | "DISCONNECT",
  connectionId: string,
  connectedAt: number,
  domainName: string,
  requestId: string,
) {
  const now = new Date();
  return {
    routeKey,
    eventType,
    extendedRequestId: requestId,
    requestTime: logTime(now),
    messageDirection: "IN" as const,
    stage: "$default",
    connectedAt,
    requestTimeEpoch: now.getTime(),
    requestId,
    domainName,
    connectionId,
    apiId: "local",
  };
}

/** API Gateway's request ids and message ids are short base64 strings. */
function newRequestId(): string {
  return randomBytes(12).toString("base64");
}

/** The common log format time API Gateway gives as `requestTime`: `09/Feb/2026:18:11:43 +0000`. */
function logTime(at: Date): string {
  const [, day, month, year, time] = at.toUTCString().split(" ");
  return `${day}/${month}/${year}:${time} +0000`;
}

function headerValue(headers: WebSocketResult["headers"], name: string): string | undefined {
  const found = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return found === undefined ? undefined : String(found[1]);
}

/** Answers the handshake with an HTTP error instead of the upgrade, then ends the socket. */
function refuse(socket: Duplex, status: number, body?: string | object) {
  const text = typeof body === "object" ? JSON.stringify(body) : (body ?? "");
  if (!socket.writable) return void socket.destroy();
  socket.once("finish", () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\n` +
      "Connection: close\r\n" +
      (typeof body === "object" ? "Content-Type: application/json\r\n" : "") +
      `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

/**
 * A Management API answer. Errors carry their type in `x-amzn-ErrorType`, as the service
 * sends it, so the SDK raises its own exception class (GoneException, ...).
 */
function reply(response: ServerResponse, status: number, body?: object, errorType?: string) {
  if (body === undefined) {
    response.writeHead(status, { "content-length": 0 });
    return void response.end();
  }
  response.writeHead(status, {
    "content-type": "application/json",
    ...(errorType ? { "x-amzn-ErrorType": errorType } : {}),
  });
  response.end(JSON.stringify(body));
}

function gone(response: ServerResponse) {
  reply(response, 410, { message: "Gone" }, "GoneException");
}

function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The request's body, or undefined once it passes `limit` bytes (the rest is read and dropped). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on("end", () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    request.on("error", reject);
  });
}
