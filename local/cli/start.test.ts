import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../process/tcp-ports";
import { tokenHeader } from "./token-command";

const dataDir = mkdtempSync(join(tmpdir(), "shop-start-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Started {
  child: ChildProcess;
  output: () => string;
}

async function startShop(env: Record<string, string>, args: string[] = []): Promise<Started> {
  const child = spawn(
    process.execPath,
    ["--disable-warning=ExperimentalWarning", "--import", "tsx", "local/cli/start.ts", ...args],
    {
      env: { ...process.env, DATA_DIR: dataDir, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return { child, output: () => output };
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

describe("npm start", () => {
  it("serves the seeded shop, keeps its data across a restart, and stops Java on SIGTERM", async () => {
    const ports = {
      PORT: String(await freePort()),
      DYNAMODB_PORT: String(await freePort()),
      SNS_SQS_PORT: String(await freePort()),
    };
    const base = `http://127.0.0.1:${ports.PORT}`;

    const first = await startShop(ports, ["--fresh"]);
    await waitFor(() => first.output().includes("Press Ctrl-C to stop."), "the first start");
    expect(first.output()).toContain(`GraphQL   ${base}/graphql`);
    expect(first.output()).toContain("50 sample products seeded");
    expect((await fetch(`${base}/health`)).status).toBe(200);
    // A customer's token from `npm run -s token`, signed with the key in the data directory.
    const customer = tokenHeader(dataDir, "--customer", "restart");
    const placed = await fetch(`${base}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json", ...customer },
      body: JSON.stringify({ items: [{ product_id: "prod-0001", quantity: 1 }] }),
    });
    expect(placed.status).toBe(201);
    first.child.kill("SIGTERM");
    const [code] = await once(first.child, "exit");
    expect(code).toBe(0);
    expect(await portIsFree(Number(ports.DYNAMODB_PORT))).toBe(true);

    const second = await startShop(ports);
    await waitFor(() => second.output().includes("Press Ctrl-C to stop."), "the restart");
    expect(second.output()).toContain("kept from the last run");
    // The key is kept with the data: the token minted before the restart is still good.
    const orders = (await (await fetch(`${base}/orders`, { headers: customer })).json()) as {
      count: number;
    };
    expect(orders.count).toBe(1);
    second.child.kill("SIGINT");
    await once(second.child, "exit");
    expect(await portIsFree(Number(ports.DYNAMODB_PORT))).toBe(true);
  }, 120_000);

  it("explains a busy port in one line", async () => {
    const blocker = createServer();
    await new Promise<void>((ready) => blocker.listen(0, "127.0.0.1", ready));
    const port = (blocker.address() as { port: number }).port;
    const started = await startShop({ PORT: String(port) });
    const [code] = await once(started.child, "exit");
    blocker.close();
    expect(code).toBe(1);
    expect(started.output().trim()).toBe(
      `npm start: port ${port} (the API) is already in use; stop what uses it or set PORT to another port`,
    );
  });
});
