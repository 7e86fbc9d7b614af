import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { portIsFree, stackPorts, startLocalStack, waitFor } from "../../test/support/local-stack";
import { tokenHeader } from "./token-command";

const dataDir = mkdtempSync(join(tmpdir(), "shop-start-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const startShop = (env: Record<string, string>, args: string[] = []) =>
  startLocalStack(dataDir, env, args);

describe("npm start", () => {
  it("serves the seeded shop, keeps its data across a restart, and stops Java on SIGTERM", async () => {
    const ports = await stackPorts();
    const base = `http://127.0.0.1:${ports.PORT}`;

    const first = startShop(ports, ["--fresh"]);
    await first.ready();
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
    expect(await first.stop("SIGTERM")).toBe(0);
    expect(await portIsFree(Number(ports.DYNAMODB_PORT))).toBe(true);

    const second = startShop(ports);
    await second.ready();
    expect(second.output()).toContain("kept from the last run");
    // The key is kept with the data: the token minted before the restart is still good.
    const orders = (await (await fetch(`${base}/orders`, { headers: customer })).json()) as {
      count: number;
    };
    expect(orders.count).toBe(1);
    await second.stop("SIGINT");
    expect(await portIsFree(Number(ports.DYNAMODB_PORT))).toBe(true);
  }, 120_000);

  it("explains a busy port in one line", async () => {
    const blocker = createServer();
    await new Promise<void>((ready) => blocker.listen(0, "127.0.0.1", ready));
    const port = (blocker.address() as { port: number }).port;
    const started = startShop({ PORT: String(port) });
    const [code] = await once(started.child, "exit");
    blocker.close();
    expect(code).toBe(1);
    expect(started.output().trim()).toBe(
      `npm start: port ${port} (the API) is already in use; stop what uses it or set PORT to another port`,
    );
  });

  it("refuses a second npm start on a data directory another one is using", async () => {
    const first = startShop(await stackPorts());
    try {
      await first.ready();
      const second = startShop(await stackPorts());
      const [code] = await once(second.child, "exit");
      expect(code).toBe(1);
      expect(second.output().trim()).toBe(
        `npm start: another npm start (pid ${first.child.pid}) is using ${dataDir}; stop it first, or give this one its own DATA_DIR`,
      );
      // The first one never noticed.
      expect(first.child.exitCode).toBeNull();
    } finally {
      await first.stop();
    }
  }, 120_000);

  it.each<{ signal: NodeJS.Signals; how: string }>([
    { signal: "SIGTERM", how: "stopped" },
    { signal: "SIGKILL", how: "killed, and cannot pass the signal on" },
  ])(
    "stops everything it started when npm itself is $how ($signal)",
    async ({ signal }) => {
      const ports = await stackPorts();
      const npm = spawn("npm", ["start"], {
        env: { ...process.env, DATA_DIR: dataDir, ...ports },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      npm.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      await waitFor(() => output.includes("Press Ctrl-C to stop."), "npm start to be running");
      npm.kill(signal);
      // Orphaned, the shop stops itself: the API and DynamoDB Local let go of their ports.
      const deadline = Date.now() + 20_000;
      while (
        !((await portIsFree(Number(ports.PORT))) && (await portIsFree(Number(ports.DYNAMODB_PORT))))
      ) {
        if (Date.now() > deadline) throw new Error("the orphaned shop is still running");
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    120_000,
  );
});
