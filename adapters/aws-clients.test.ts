import { createServer, type Server, type Socket } from "node:net";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DependencyUnavailableError } from "../core/shared/errors";
import { createDynamoClients } from "./aws-clients";

/** A service that takes connections and never answers: what a frozen process looks like. */
let silent: Server;
let silentUrl: string;
const held = new Set<Socket>();

beforeAll(async () => {
  silent = createServer((socket) => {
    held.add(socket);
  });
  await new Promise<void>((ready) => silent.listen(0, "127.0.0.1", ready));
  silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const socket of held) socket.destroy();
  await new Promise<void>((done) => silent.close(() => done()));
});

describe("AWS clients", () => {
  it("give up on a service that never answers after their attempts, and say it is unavailable", async () => {
    const { client } = createDynamoClients(
      { region: "us-east-1", endpoint: silentUrl },
      { connectionTimeoutMs: 200, requestTimeoutMs: 300, maxAttempts: 2 },
    );
    const started = Date.now();
    const error = await client.send(new ListTablesCommand({})).catch((e: unknown) => e);
    const tookMs = Date.now() - started;
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect((error as Error).message).toBe("DynamoDB did not answer in time");
    // Two attempts of 300 ms and the SDK's short backoff between them: not forever.
    expect(tookMs).toBeGreaterThanOrEqual(600);
    expect(tookMs).toBeLessThan(3000);
    client.destroy();
  });

  it("say a service that refuses connections is unavailable", async () => {
    const closed = createServer();
    await new Promise<void>((ready) => closed.listen(0, "127.0.0.1", ready));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((done) => closed.close(() => done()));
    const { client } = createDynamoClients(
      { region: "us-east-1", endpoint: `http://127.0.0.1:${port}` },
      { connectionTimeoutMs: 200, requestTimeoutMs: 300, maxAttempts: 1 },
    );
    await expect(client.send(new ListTablesCommand({}))).rejects.toBeInstanceOf(
      DependencyUnavailableError,
    );
    client.destroy();
  });
});
