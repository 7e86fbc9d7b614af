import { createServer, type IncomingMessage, type Server } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DependencyUnavailableError } from "../core/shared/errors";
import { ApiGatewayConnectionGateway } from "./apigateway-connection-gateway";
import { createManagementApiClient, type SdkSettings } from "./aws-clients";

/**
 * A stand-in for API Gateway's management API: the connections it knows take messages and
 * can be closed; any other id is answered 410, as API Gateway answers for a connection
 * that is gone (with the error type it names, or bare, as the local bridge answers).
 */
interface Call {
  readonly method: string;
  readonly connectionId: string;
  readonly body: string;
  readonly signed: boolean;
}

let server: Server;
let endpoint: string;
const calls: Call[] = [];
const open = new Set<string>();
let namesGone = true;
let failWith: number | undefined;

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const match = /^\/@connections\/([^/?]+)$/.exec(request.url ?? "");
    if (!match?.[1]) {
      response.writeHead(404).end();
      return;
    }
    const connectionId = decodeURIComponent(match[1]);
    calls.push({
      method: request.method ?? "",
      connectionId,
      body: await bodyOf(request),
      signed: String(request.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256"),
    });
    if (failWith !== undefined) {
      response.writeHead(failWith, { "content-type": "application/json" });
      response.end(JSON.stringify({ message: "failing" }));
      return;
    }
    if (!open.has(connectionId)) {
      response.writeHead(410, {
        "content-type": "application/json",
        ...(namesGone ? { "x-amzn-errortype": "GoneException" } : {}),
      });
      response.end(JSON.stringify({ message: "Gone" }));
      return;
    }
    if (request.method === "POST") response.writeHead(200).end();
    else if (request.method === "DELETE") {
      open.delete(connectionId);
      response.writeHead(204).end();
    } else response.writeHead(405).end();
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));
afterEach(() => {
  calls.length = 0;
  open.clear();
  namesGone = true;
  failWith = undefined;
});

const settings: SdkSettings = { connectionTimeoutMs: 500, requestTimeoutMs: 1000, maxAttempts: 2 };

function aGateway(): ApiGatewayConnectionGateway {
  return new ApiGatewayConnectionGateway(
    createManagementApiClient({ region: "us-east-1", endpoint }, settings),
  );
}

// API Gateway's connection ids end in "=", which the path must carry encoded.
const connectionId = "L0SM9cOFvHcCIhw=";

describe("ApiGatewayConnectionGateway.send", () => {
  it("posts the message, as it is, to the connection, signed", async () => {
    open.add(connectionId);
    const message = JSON.stringify({ type: "next", id: "1", payload: { data: { n: "é" } } });
    expect(await aGateway().send(connectionId, message)).toBe("sent");
    expect(calls).toEqual([{ method: "POST", connectionId, body: message, signed: true }]);
  });

  it("answers gone for a connection that no longer exists, however the 410 is worded", async () => {
    expect(await aGateway().send(connectionId, "{}")).toBe("gone");
    namesGone = false;
    expect(await aGateway().send(connectionId, "{}")).toBe("gone");
    // A 410 is an answer, not a failure: it is not tried again.
    expect(calls.map((c) => c.method)).toEqual(["POST", "POST"]);
  });

  it("lets any other refusal through", async () => {
    open.add(connectionId);
    failWith = 403;
    await expect(aGateway().send(connectionId, "{}")).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
  });

  it("tries a failing endpoint its attempts, then says it is unavailable", async () => {
    open.add(connectionId);
    failWith = 500;
    await expect(aGateway().send(connectionId, "{}")).rejects.toBeInstanceOf(
      DependencyUnavailableError,
    );
    expect(calls).toHaveLength(settings.maxAttempts);
  });
});

describe("ApiGatewayConnectionGateway.close", () => {
  it("deletes the connection", async () => {
    open.add(connectionId);
    await aGateway().close(connectionId);
    expect(calls.map(({ method, connectionId: id }) => [method, id])).toEqual([
      ["DELETE", connectionId],
    ]);
    expect(open.has(connectionId)).toBe(false);
  });

  it("takes a connection that is gone already as closed", async () => {
    await expect(aGateway().close(connectionId)).resolves.toBeUndefined();
    namesGone = false;
    await expect(aGateway().close(connectionId)).resolves.toBeUndefined();
    expect(calls.map((c) => c.method)).toEqual(["DELETE", "DELETE"]);
  });

  it("lets any other refusal through", async () => {
    open.add(connectionId);
    failWith = 403;
    await expect(aGateway().close(connectionId)).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
  });
});
