import { spawn } from "node:child_process";
import { once } from "node:events";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../process/tcp-ports";
import { tokenHeader } from "./token-command";

const work = mkdtempSync(join(tmpdir(), "shop-dev-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const count = (text: string, needle: string) => text.split(needle).length - 1;

describe("npm run dev", () => {
  it("restarts the API and consumers on a source change, keeping the emulators and their data", async () => {
    const trigger = join(work, "trigger.ts");
    writeFileSync(trigger, "export {};\n");
    const port = await freePort();
    const dynamodbPort = await freePort();
    const child = spawn(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", "--import", "tsx", "local/cli/start.ts", "--watch"],
      {
        env: {
          ...process.env,
          PORT: String(port),
          DYNAMODB_PORT: String(dynamodbPort),
          SNS_SQS_PORT: String(await freePort()),
          DATA_DIR: join(work, "data"),
          DEV_WATCH_INCLUDE: trigger,
        },
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
    const waitFor = async (check: () => boolean, what: string) => {
      const deadline = Date.now() + 60_000;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output}`);
        await sleep(100);
      }
    };
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitFor(() => count(output, "ready in") === 1, "the first start");
      const customer = tokenHeader(join(work, "data"), "--customer", "dev-loop");
      const placed = await fetch(`${base}/orders`, {
        method: "POST",
        headers: { "content-type": "application/json", ...customer },
        body: JSON.stringify({ items: [{ product_id: "prod-0002", quantity: 1 }] }),
      });
      expect(placed.status).toBe(201);

      appendFileSync(trigger, "// changed\n");
      await waitFor(() => count(output, "ready in") === 2, "the restart");
      const orders = (await (await fetch(`${base}/orders`, { headers: customer })).json()) as {
        count: number;
      };
      expect(orders.count).toBe(1);
      // One emulator start and one seeding for the whole session.
      expect(count(output, "DynamoDB Local, data in")).toBe(1);
      expect(count(output, "sample products seeded")).toBe(1);
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
    const probe = await fetch(`${base}/health`).catch(() => undefined);
    expect(probe).toBeUndefined();
  }, 120_000);
});
