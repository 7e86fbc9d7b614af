import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
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

describe("npm start, called wrongly", () => {
  // Where the data would go: none of these may get as far as creating it.
  const untouched = join(dataDir, "never-created");

  /** `npm start` with these arguments and environment, as a person runs it; must end by itself. */
  async function npmStart(
    args: string[],
    env: Record<string, string> = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run("npm", ["start", ...args], {
        env: { ...process.env, ...(await stackPorts()), DATA_DIR: untouched, ...env },
        timeout: 60_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  /** The line it printed about what is wrong: the first on stderr that is not npm's own. */
  const complaint = (stderr: string) =>
    stderr.split("\n").find((line) => line !== "" && !line.startsWith("npm warn"));

  it("names an option it does not know, shows its usage, and starts nothing", async () => {
    const result = await npmStart(["--", "--frsh"]);
    expect(result.code).toBe(2);
    expect(complaint(result.stderr)).toBe("npm start: unknown option --frsh");
    expect(result.stderr).toContain("Usage: npm start [-- --fresh]");
    expect(result.stdout).not.toContain("Press Ctrl-C");
    expect(existsSync(untouched)).toBe(false);
  }, 60_000);

  it("refuses a flag npm kept for itself, saying where the -- goes", async () => {
    const result = await npmStart(["--fresh"]);
    expect(result.code).toBe(2);
    expect(complaint(result.stderr)).toBe(
      "npm start: npm took --fresh as its own option, so it never reached npm start; put -- before the command's options: npm start -- --fresh",
    );
    expect(existsSync(untouched)).toBe(false);
  }, 60_000);

  it("prints its usage on --help", async () => {
    const result = await npmStart(["--", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: npm start [-- --fresh]");
    expect(existsSync(untouched)).toBe(false);
  }, 60_000);

  it("says in one line that Java is too old, before it starts anything", async () => {
    // A `java` first on PATH that answers as Java 11 does.
    const bin = join(dataDir, "old-java");
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      join(bin, "java"),
      `#!/bin/sh
echo 'openjdk version "11.0.21" 2023-10-17' >&2
echo 'OpenJDK Runtime Environment (build 11.0.21+9-post-Ubuntu-0ubuntu122.04)' >&2
echo 'OpenJDK 64-Bit Server VM (build 11.0.21+9-post-Ubuntu-0ubuntu122.04, mixed mode, sharing)' >&2
`,
    );
    chmodSync(join(bin, "java"), 0o755);
    const result = await npmStart([], { PATH: `${bin}${delimiter}${process.env.PATH ?? ""}` });
    expect(result.code).toBe(1);
    expect(complaint(result.stderr)).toBe(
      "npm start: DynamoDB Local needs Java 17 or newer, and the `java` on PATH is Java 11: install Java 17 or newer and put it first on PATH (Debian/Ubuntu: apt-get install openjdk-17-jre-headless)",
    );
    expect(existsSync(untouched)).toBe(false);
  }, 60_000);

  it("says in one line that Node.js is too old, before it loads anything", async () => {
    // Node.js 22 that reports itself as 20, as the old Node.js the npm script would otherwise
    // have found: the real check runs, and node:sqlite being there changes nothing.
    const asNode20 = `data:text/javascript,${encodeURIComponent(
      'Object.defineProperty(process, "versions", { value: { ...process.versions, node: "20.20.2" } });',
    )}`;
    const result = await npmStart(["--", "--help"], {
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import=${asNode20}`,
    });
    expect(result.code).toBe(1);
    expect(complaint(result.stderr)).toMatch(
      /^The local commands need Node.js 22.13 or newer \(23.x from 23.4\), and this npm script found Node.js 20.20.2: /,
    );
    expect(result.stdout).not.toContain("Usage:");
  }, 60_000);
});

const run = promisify(execFile);
