import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";
import {
  createClient,
  GRAPHQL_TRANSPORT_WS_PROTOCOL,
  type Message,
  MessageType,
  parseMessage,
  stringifyMessage,
} from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { closeGracefully, createHttpBridge } from "../local/lambda/http-bridge";
import {
  MAX_PENDING_MESSAGES,
  type WebSocketEvent,
  type WebSocketHandler,
} from "../local/lambda/websocket-bridge";
import { recordingLogger } from "./support/test-shop";

/** A bridge on a free port, with what its functions were invoked with. */
interface Bridge {
  readonly server: Server;
  readonly port: number;
  /** The WebSocket API's URL, as clients open it. */
  readonly url: string;
  /** Every event the WebSocket function was invoked with, in order. */
  readonly events: WebSocketEvent[];
  /** How many requests reached the HTTP API's function. */
  readonly httpCalls: { count: number };
  readonly logger: ReturnType<typeof recordingLogger>;
  /** The Management API client the function replies with, pointed at the bridge. */
  readonly management: ApiGatewayManagementApiClient;
}

const bridges: Bridge[] = [];

afterAll(async () => {
  await Promise.all(bridges.map((bridge) => closeGracefully(bridge.server, 2_000)));
  for (const bridge of bridges) bridge.management.destroy();
});

/** Starts a bridge whose WebSocket function `make` builds once the bridge's port is known. */
async function startBridge(make: (bridge: Bridge) => WebSocketHandler): Promise<Bridge> {
  const logger = recordingLogger();
  const httpCalls = { count: 0 };
  const events: WebSocketEvent[] = [];
  let handler: WebSocketHandler | undefined;
  const server = createHttpBridge(
    async () => {
      httpCalls.count += 1;
      return { statusCode: 200, body: "from the HTTP API" };
    },
    logger,
    {
      websocket: {
        handler: (event, context) => {
          events.push(event as WebSocketEvent);
          return handler!(event, context);
        },
      },
    },
  );
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const port = (server.address() as AddressInfo).port;
  const bridge: Bridge = {
    server,
    port,
    url: `ws://127.0.0.1:${port}/graphql`,
    events,
    httpCalls,
    logger,
    management: new ApiGatewayManagementApiClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      maxAttempts: 1,
    }),
  };
  handler = make(bridge);
  bridges.push(bridge);
  return bridge;
}

/** What the echo function saw besides its events. */
interface EchoRecord {
  /** The most $default invocations of one connection that ever ran at once. */
  maxInFlight: number;
  /** What GetConnection answered each $disconnect about its own connection. */
  disconnectLookups: string[];
  /** How many $default invocations of its connection were still running at each $disconnect. */
  busyAtDisconnect: number[];
}

/**
 * A small graphql-transport-ws function, replying through the Management API as the cloud's
 * does: `connection_init` is acknowledged, a ping answered with a pong carrying its payload
 * (after a random pause, so that messages handled side by side would come back out of
 * order), a subscription with one result and `complete`. `$connect` honours `?refuse=<status>`,
 * `?fail` (throws) and `?silent` (names no subprotocol).
 */
function echo(record: EchoRecord): (bridge: Bridge) => WebSocketHandler {
  const inFlight = new Map<string, number>();
  return (bridge) => async (raw) => {
    const event = raw as WebSocketEvent;
    const { routeKey, connectionId } = event.requestContext;
    const query = event.queryStringParameters ?? {};
    if (routeKey === "$connect") {
      if (query.refuse) return { statusCode: Number(query.refuse), body: "refused" };
      if (query.fail !== undefined) throw new Error("$connect failed");
      const offered = (event.headers?.["Sec-WebSocket-Protocol"] ?? "").split(/\s*,\s*/);
      if (query.silent !== undefined || !offered.includes(GRAPHQL_TRANSPORT_WS_PROTOCOL)) {
        return { statusCode: 200 };
      }
      return {
        statusCode: 200,
        headers: { "Sec-WebSocket-Protocol": GRAPHQL_TRANSPORT_WS_PROTOCOL },
      };
    }
    if (routeKey === "$disconnect") {
      record.busyAtDisconnect.push(inFlight.get(connectionId) ?? 0);
      const lookup = await bridge.management
        .send(new GetConnectionCommand({ ConnectionId: connectionId }))
        .then(
          () => "found",
          (error: Error) => error.name,
        );
      record.disconnectLookups.push(lookup);
      return { statusCode: 200 };
    }
    const running = (inFlight.get(connectionId) ?? 0) + 1;
    inFlight.set(connectionId, running);
    record.maxInFlight = Math.max(record.maxInFlight, running);
    try {
      const reply = (message: Message) =>
        bridge.management.send(
          new PostToConnectionCommand({
            ConnectionId: connectionId,
            Data: stringifyMessage(message),
          }),
        );
      // A malformed message throws here: the bridge answers it as API Gateway would.
      const message = parseMessage(event.body);
      if (message.type === MessageType.ConnectionInit) {
        await reply({ type: MessageType.ConnectionAck });
      } else if (message.type === MessageType.Ping) {
        await sleep(Math.random() * 5);
        await reply({
          type: MessageType.Pong,
          ...(message.payload ? { payload: message.payload } : {}),
        });
      } else if (message.type === MessageType.Subscribe) {
        await reply({
          id: message.id,
          type: MessageType.Next,
          payload: { data: { echo: message.payload.query } },
        });
        await reply({ id: message.id, type: MessageType.Complete });
      }
      return { statusCode: 200 };
    } finally {
      inFlight.set(connectionId, (inFlight.get(connectionId) ?? 1) - 1);
    }
  };
}

/** A WebSocket client that keeps what it receives and how it was closed. */
class Client {
  readonly received: unknown[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => this.received.push(JSON.parse(String(data))));
    this.closed = new Promise((resolve) =>
      socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** Opens a connection; fails with the refusal's status, or the handshake's error. */
  static open(url: string, protocol?: string): Promise<Client> {
    const socket = new WebSocket(url, protocol === undefined ? [] : [protocol], {
      headers: { "User-Agent": "websocket-bridge-test" },
    });
    return new Promise((resolve, reject) => {
      socket.once("open", () => resolve(new Client(socket)));
      socket.once("unexpected-response", (_request, response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => {
          body += chunk.toString();
        });
        response.on("end", () =>
          reject(Object.assign(new Error("refused"), { status: response.statusCode, body })),
        );
      });
      socket.once("error", reject);
    });
  }

  send(message: Message | string) {
    this.socket.send(typeof message === "string" ? message : stringifyMessage(message));
  }

  /** Waits until `count` messages have arrived in all. */
  async receivedAtLeast(count: number, timeout = 5_000): Promise<unknown[]> {
    await vi.waitFor(() => expect(this.received.length).toBeGreaterThanOrEqual(count), {
      timeout,
      interval: 10,
    });
    return this.received;
  }
}

/** The connection id the bridge gave the client that opened with `?client=<name>`. */
function connectionIdOf(bridge: Bridge, name: string): string {
  const connect = bridge.events.find(
    (event) =>
      event.requestContext.routeKey === "$connect" && event.queryStringParameters?.client === name,
  );
  if (!connect) throw new Error(`no $connect for client ${name}`);
  return connect.requestContext.connectionId;
}

function eventsOf(bridge: Bridge, connectionId: string): WebSocketEvent[] {
  return bridge.events.filter((event) => event.requestContext.connectionId === connectionId);
}

async function disconnected(bridge: Bridge, connectionId: string): Promise<WebSocketEvent> {
  let found: WebSocketEvent | undefined;
  await vi.waitFor(
    () => {
      found = eventsOf(bridge, connectionId).find(
        (event) => event.requestContext.routeKey === "$disconnect",
      );
      expect(found).toBeDefined();
    },
    { timeout: 5_000, interval: 10 },
  );
  return found!;
}

describe("the local WebSocket API", () => {
  const record: EchoRecord = { maxInFlight: 0, disconnectLookups: [], busyAtDisconnect: [] };
  let bridge: Bridge;
  beforeAll(async () => {
    bridge = await startBridge(echo(record));
  });

  it("completes the upgrade with the subprotocol $connect names, and passes the handshake as API Gateway does", async () => {
    const client = await Client.open(`${bridge.url}?client=first&x=1&x=2`, "graphql-transport-ws");
    expect(client.socket.protocol).toBe("graphql-transport-ws");

    const connect = bridge.events.at(-1)!;
    const context = connect.requestContext;
    expect(context).toMatchObject({
      routeKey: "$connect",
      eventType: "CONNECT",
      messageDirection: "IN",
      stage: "$default",
      apiId: "local",
      domainName: `127.0.0.1:${bridge.port}`,
      identity: { sourceIp: "127.0.0.1", userAgent: "websocket-bridge-test" },
    });
    expect(context.connectionId).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(context.messageId).toBeUndefined();
    expect(context.requestTime).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
    expect(Math.abs(context.requestTimeEpoch - Date.now())).toBeLessThan(5_000);
    expect(context.connectedAt).toBeLessThanOrEqual(context.requestTimeEpoch);
    // Header names as the client sent them.
    expect(connect.headers?.["Sec-WebSocket-Protocol"]).toBe("graphql-transport-ws");
    expect(connect.multiValueHeaders?.["Sec-WebSocket-Protocol"]).toEqual(["graphql-transport-ws"]);
    expect(connect.queryStringParameters).toEqual({ client: "first", x: "2" });
    expect(connect.multiValueQueryStringParameters).toEqual({ client: ["first"], x: ["1", "2"] });

    client.send({ type: MessageType.ConnectionInit });
    expect(await client.receivedAtLeast(1)).toEqual([{ type: MessageType.ConnectionAck }]);
    const message = bridge.events.at(-1)!;
    expect(message.requestContext).toMatchObject({
      routeKey: "$default",
      eventType: "MESSAGE",
      connectionId: context.connectionId,
      connectedAt: context.connectedAt,
    });
    expect(message.requestContext.messageId).toEqual(expect.any(String));
    expect(JSON.parse(message.body!)).toEqual({ type: MessageType.ConnectionInit });
    client.socket.close();
  });

  it("serves a graphql-ws client from connection to a completed subscription", async () => {
    const client = createClient({ url: bridge.url, webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      const results: unknown[] = [];
      await new Promise<void>((done, fail) =>
        client.subscribe(
          { query: "subscription { orderUpdated(id: 1) { status } }" },
          { next: (result) => results.push(result), error: fail, complete: done },
        ),
      );
      expect(results).toEqual([
        { data: { echo: "subscription { orderUpdated(id: 1) { status } }" } },
      ]);
    } finally {
      await client.dispose();
    }
  });

  it("fails a client asking for a subprotocol that $connect does not name, as API Gateway does", async () => {
    await expect(
      Client.open(`${bridge.url}?client=silent&silent`, "graphql-transport-ws"),
    ).rejects.toThrow("Server sent no subprotocol");
    // The gateway did connect it: the client hung up, and the function hears of it.
    await disconnected(bridge, connectionIdOf(bridge, "silent"));
  });

  it("refuses the upgrade with $connect's own non-2xx status, and never invokes $disconnect for it", async () => {
    await expect(Client.open(`${bridge.url}?client=refused&refuse=403`)).rejects.toMatchObject({
      status: 403,
      body: "refused",
    });
    const failed = Client.open(`${bridge.url}?client=failing&fail`);
    await expect(failed).rejects.toMatchObject({ status: 500 });
    const body = JSON.parse(
      ((await failed.catch((error: unknown) => error)) as { body: string }).body,
    );
    expect(body).toEqual({
      message: "Internal server error",
      connectionId: connectionIdOf(bridge, "failing"),
      requestId: expect.any(String),
    });
    expect(bridge.logger.lines).toContainEqual(
      expect.objectContaining({ level: "error", message: "the WebSocket function failed" }),
    );
    await sleep(200);
    for (const name of ["refused", "failing"]) {
      expect(
        eventsOf(bridge, connectionIdOf(bridge, name)).map((e) => e.requestContext.routeKey),
      ).toEqual(["$connect"]);
    }
  });

  it("refuses upgrades on any other path with 404, without invoking the function", async () => {
    const before = bridge.events.length;
    const base = `ws://127.0.0.1:${bridge.port}`;
    for (const path of ["/", "/orders", "/graphql/x", "/@connections/abc"]) {
      await expect(Client.open(`${base}${path}`), path).rejects.toMatchObject({ status: 404 });
    }
    expect(bridge.events.length).toBe(before);
  });

  it("hands the function each message in the order sent, one at a time per connection", async () => {
    const client = await Client.open(`${bridge.url}?client=ordered`, "graphql-transport-ws");
    client.send({ type: MessageType.ConnectionInit });
    for (let n = 0; n < 50; n++) client.send({ type: MessageType.Ping, payload: { n } });
    const received = await client.receivedAtLeast(51);
    expect(received.slice(1)).toEqual(
      Array.from({ length: 50 }, (_, n) => ({ type: MessageType.Pong, payload: { n } })),
    );
    expect(record.maxInFlight).toBe(1);
    client.socket.close();
  });

  it("answers a failed $default with API Gateway's internal error, and keeps the connection", async () => {
    const client = await Client.open(
      `${bridge.url}?client=failing-message`,
      "graphql-transport-ws",
    );
    client.send("not a graphql-ws message");
    client.send({ type: MessageType.Ping, payload: { after: "the failure" } });
    expect(await client.receivedAtLeast(2)).toEqual([
      {
        message: "Internal server error",
        connectionId: connectionIdOf(bridge, "failing-message"),
        requestId: expect.any(String),
      },
      { type: MessageType.Pong, payload: { after: "the failure" } },
    ]);
    client.socket.close();
  });

  it("invokes $disconnect when the client closes, after the messages it sent before", async () => {
    const client = await Client.open(`${bridge.url}?client=leaving`, "graphql-transport-ws");
    for (let n = 0; n < 5; n++) client.send({ type: MessageType.Ping, payload: { n } });
    client.socket.close(4000, "bye");
    const id = connectionIdOf(bridge, "leaving");
    const event = await disconnected(bridge, id);
    expect(event.requestContext).toMatchObject({
      eventType: "DISCONNECT",
      disconnectStatusCode: 4000,
      disconnectReason: "bye",
    });
    expect(eventsOf(bridge, id).map((e) => e.requestContext.routeKey)).toEqual([
      "$connect",
      ...Array(5).fill("$default"),
      "$disconnect",
    ]);
    // Every message was handled before the function heard the connection was gone.
    expect(record.busyAtDisconnect.at(-1)).toBe(0);
  });

  it("closes the connection on DeleteConnection, with the local extension's close code when given", async () => {
    const coded = await Client.open(`${bridge.url}?client=coded`, "graphql-transport-ws");
    const codedId = connectionIdOf(bridge, "coded");
    const response = await fetch(
      `http://127.0.0.1:${bridge.port}/@connections/${codedId}?code=4403&reason=Forbidden`,
      { method: "DELETE" },
    );
    expect(response.status).toBe(204);
    expect(await coded.closed).toEqual({ code: 4403, reason: "Forbidden" });
    await disconnected(bridge, codedId);

    const plain = await Client.open(`${bridge.url}?client=plain`, "graphql-transport-ws");
    await bridge.management.send(
      new DeleteConnectionCommand({ ConnectionId: connectionIdOf(bridge, "plain") }),
    );
    expect((await plain.closed).code).toBe(1000);
    await disconnected(bridge, connectionIdOf(bridge, "plain"));
  });

  it("refuses a close code a WebSocket cannot carry, and leaves the connection open", async () => {
    const client = await Client.open(`${bridge.url}?client=bad-code`, "graphql-transport-ws");
    const response = await fetch(
      `http://127.0.0.1:${bridge.port}/@connections/${connectionIdOf(bridge, "bad-code")}?code=1006`,
      { method: "DELETE" },
    );
    expect(response.status).toBe(400);
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
    client.socket.close();
  });

  it("answers GetConnection, and 410 Gone for every call about a connection that is gone", async () => {
    const client = await Client.open(`${bridge.url}?client=looked-up`, "graphql-transport-ws");
    const id = connectionIdOf(bridge, "looked-up");
    const opened = Date.now();
    const found = await bridge.management.send(new GetConnectionCommand({ ConnectionId: id }));
    expect(found.Identity).toEqual({ SourceIp: "127.0.0.1", UserAgent: "websocket-bridge-test" });
    expect(found.ConnectedAt).toBeInstanceOf(Date);
    expect(Math.abs(found.ConnectedAt!.getTime() - opened)).toBeLessThan(5_000);
    expect(found.LastActiveAt!.getTime()).toBeGreaterThanOrEqual(found.ConnectedAt!.getTime());

    client.socket.close();
    await disconnected(bridge, id);
    // The $disconnect's own lookup found it gone too.
    expect(record.disconnectLookups.at(-1)).toBe("GoneException");
    for (const gone of [id, "never-was-a-connection"]) {
      await expect(
        bridge.management.send(new PostToConnectionCommand({ ConnectionId: gone, Data: "{}" })),
      ).rejects.toBeInstanceOf(GoneException);
      await expect(
        bridge.management.send(new GetConnectionCommand({ ConnectionId: gone })),
      ).rejects.toBeInstanceOf(GoneException);
      await expect(
        bridge.management.send(new DeleteConnectionCommand({ ConnectionId: gone })),
      ).rejects.toBeInstanceOf(GoneException);
    }
    const raw = await fetch(`http://127.0.0.1:${bridge.port}/@connections/${id}`, {
      method: "POST",
      body: "{}",
    });
    expect(raw.status).toBe(410);
    expect(await raw.json()).toEqual({ message: "Gone" });
  });

  it("keeps the Management API's paths from the HTTP API, which still answers its own", async () => {
    const before = bridge.httpCalls.count;
    const response = await fetch(`http://127.0.0.1:${bridge.port}/@connections/nobody`);
    expect(response.status).toBe(410);
    expect(bridge.httpCalls.count).toBe(before);
    const health = await fetch(`http://127.0.0.1:${bridge.port}/health`);
    expect(await health.text()).toBe("from the HTTP API");
    expect(bridge.httpCalls.count).toBe(before + 1);
  });

  it("closes on a binary frame with 1003 and on a message over 128 KB with 1009, as API Gateway does", async () => {
    const binary = await Client.open(`${bridge.url}?client=binary`, "graphql-transport-ws");
    binary.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await binary.closed).code).toBe(1003);

    const large = await Client.open(`${bridge.url}?client=large`, "graphql-transport-ws");
    large.send(JSON.stringify({ type: "ping", payload: { fill: "x".repeat(128 * 1024) } }));
    expect((await large.closed).code).toBe(1009);
    for (const name of ["binary", "large"]) {
      await disconnected(bridge, connectionIdOf(bridge, name));
      expect(
        eventsOf(bridge, connectionIdOf(bridge, name)).map((e) => e.requestContext.routeKey),
      ).toEqual(["$connect", "$disconnect"]);
    }
  });

  it("serves 200 connections at once, each receiving only its own replies", async () => {
    const clients = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        Client.open(`${bridge.url}?client=many-${i}`, "graphql-transport-ws"),
      ),
    );
    clients.forEach((client, i) => {
      client.send({ type: MessageType.ConnectionInit });
      client.send({ type: MessageType.Ping, payload: { client: i } });
    });
    await Promise.all(clients.map((client) => client.receivedAtLeast(2, 20_000)));
    clients.forEach((client, i) => {
      expect(client.received).toEqual([
        { type: MessageType.ConnectionAck },
        { type: MessageType.Pong, payload: { client: i } },
      ]);
    });
    const ids = new Set(clients.map((_, i) => connectionIdOf(bridge, `many-${i}`)));
    expect(ids.size).toBe(200);
    for (const client of clients) client.socket.close();
    await Promise.all([...ids].map((id) => disconnected(bridge, id)));
  });
});

describe("the local WebSocket API's limits and stop", () => {
  it(`closes a connection with 1008 once more than ${MAX_PENDING_MESSAGES} messages wait for the function`, async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const bridge = await startBridge(() => async (event) => {
      if (event.requestContext.routeKey === "$default") await gate;
      return { statusCode: 200 };
    });
    const client = await Client.open(bridge.url);
    for (let n = 0; n < MAX_PENDING_MESSAGES + 50; n++) client.send(`message ${n}`);
    expect((await client.closed).code).toBe(1008);
    release();
    const id = bridge.events[0]!.requestContext.connectionId;
    await disconnected(bridge, id);
    const bodies = eventsOf(bridge, id)
      .filter((e) => e.requestContext.routeKey === "$default")
      .map((e) => e.body);
    // The one in hand and the ones waiting, in order; nothing past the limit.
    expect(bodies).toEqual(
      Array.from({ length: MAX_PENDING_MESSAGES + 1 }, (_, n) => `message ${n}`),
    );
  });

  it("closeGracefully disconnects every connection, each $disconnect still reaching the Management API, before the server closes", async () => {
    const record: EchoRecord = { maxInFlight: 0, disconnectLookups: [], busyAtDisconnect: [] };
    const bridge = await startBridge(echo(record));
    const clients = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        Client.open(`${bridge.url}?client=stopped-${i}`, "graphql-transport-ws"),
      ),
    );
    const started = Date.now();
    await closeGracefully(bridge.server, 5_000);
    expect(Date.now() - started).toBeLessThan(3_000);
    for (const client of clients) expect((await client.closed).code).toBe(1001);
    const disconnects = bridge.events.filter((e) => e.requestContext.routeKey === "$disconnect");
    expect(disconnects.map((e) => e.requestContext.connectionId).sort()).toEqual(
      clients.map((_, i) => connectionIdOf(bridge, `stopped-${i}`)).sort(),
    );
    expect(record.disconnectLookups).toEqual(Array(20).fill("GoneException"));
    expect(bridge.server.listening).toBe(false);
  });
});
