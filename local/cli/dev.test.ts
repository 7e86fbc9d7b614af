import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import {
  appendFileSync,
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../process/tcp-ports";
import { tokenHeader } from "./token-command";

const repo = resolve(import.meta.dirname, "../..");
const work = mkdtempSync(join(tmpdir(), "shop-dev-"));
// Dev runs in a copy of the project: the schema edits below, and the codegen they set off,
// leave the repository (and whatever else is reading it) untouched.
const project = join(work, "project");
const dataDir = join(work, "data");
const trigger = join(work, "trigger.ts");
const BANNER = "The shop is running locally";
const RESTARTING = "Restarting...";

const count = (text: string, needle: string) => text.split(needle).length - 1;

describe("npm run dev", () => {
  let child: ChildProcess;
  let output = "";
  let base = "";
  let healthAtBanner: Promise<number | undefined> | undefined;

  const waitFor = async (check: () => boolean | Promise<boolean>, what: string, ms = 60_000) => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output}`);
      await sleep(100);
    }
  };
  const graphql = async (query: string) => {
    const response = await fetch(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  };
  // A write under a watched folder is done with once tsx has announced the restart it set off
  // and the new child is ready (the first start has no announcement).
  const restartAfter = async (write: () => void, what: string) => {
    const before = count(output, RESTARTING);
    write();
    await waitFor(
      () =>
        count(output, RESTARTING) > before &&
        count(output, "ready in") === count(output, RESTARTING) + 1,
      what,
      15_000,
    );
  };
  // False while the API restarts, as well as while it does not know the field.
  const servesDevProbe = () =>
    graphql("{ devProbe }").then(
      (result) => result.errors === undefined && result.data?.devProbe === null,
      () => false,
    );

  beforeAll(async () => {
    const skipped = new Set(["node_modules", ".git", ".data", "cdk.out"]);
    cpSync(repo, project, {
      recursive: true,
      filter: (source) => !skipped.has(relative(repo, source)),
    });
    symlinkSync(join(repo, "node_modules"), join(project, "node_modules"));
    writeFileSync(trigger, "export {};\n");
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", "--import", "tsx", "local/cli/start.ts", "--watch"],
      {
        cwd: project,
        env: {
          ...process.env,
          PORT: String(port),
          DYNAMODB_PORT: String(await freePort()),
          SNS_SQS_PORT: String(await freePort()),
          DATA_DIR: dataDir,
          DEV_WATCH_INCLUDE: trigger,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      // Asked the moment the banner arrives: it must not promise an API that is not there yet.
      if (!healthAtBanner && output.includes(BANNER)) {
        healthAtBanner = fetch(`${base}/health`).then(
          (response) => response.status,
          () => undefined,
        );
      }
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
  });

  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await once(child, "exit");
    }
    rmSync(work, { recursive: true, force: true });
  });

  it("says the shop is running only once the API answers", async () => {
    await waitFor(() => healthAtBanner !== undefined, "the banner");
    expect(await healthAtBanner).toBe(200);
    expect(output.indexOf("ready in")).toBeGreaterThan(-1);
    expect(output.indexOf("ready in")).toBeLessThan(output.indexOf(BANNER));
  }, 90_000);

  it("restarts the API and consumers on a source change, keeping the emulators and their data", async () => {
    await waitFor(() => count(output, "ready in") === 1, "the first start");
    const customer = tokenHeader(dataDir, "--customer", "dev-loop");
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
  }, 90_000);

  it("regenerates from a changed schema and serves it, and keeps serving through an invalid one", async () => {
    expect(await servesDevProbe()).toBe(false);
    const probeSchema = join(project, "schema", "dev-probe.graphql");
    await restartAfter(
      () => writeFileSync(probeSchema, "extend type Query {\n  devProbe: String\n}\n"),
      "the restart on the new schema",
    );
    expect(await servesDevProbe()).toBe(true);

    await restartAfter(
      () =>
        writeFileSync(
          join(project, "client", "dev-probe.graphql"),
          "query DevProbe {\n  devProbe\n}\n",
        ),
      "the restart on the new client operation",
    );
    expect(readFileSync(join(project, "generated", "client", "graphql.ts"), "utf8")).toContain(
      "DevProbeQuery",
    );

    const restarts = count(output, RESTARTING);
    writeFileSync(probeSchema, "extend type Query {\n  devProbe: NoSuchType\n}\n");
    await waitFor(() => output.includes("dev: codegen failed"), "the codegen error", 15_000);
    const failure = output.slice(output.indexOf("dev: codegen failed"));
    expect(failure).toContain('Unknown type: "NoSuchType"');
    // The cause, without codegen's stack and its list of schema sources.
    expect(failure).not.toContain("GraphQL Code Generator supports");
    expect(failure).not.toMatch(/^\s+at .*node_modules/m);
    expect(readFileSync(join(project, "generated", "type-defs.ts"), "utf8")).toContain(
      "devProbe: String",
    );
    expect(await servesDevProbe()).toBe(true);
    expect(count(output, RESTARTING)).toBe(restarts);
    expect(child.exitCode).toBeNull();
  }, 60_000);

  it("stops the API with the emulators", async () => {
    child.kill("SIGTERM");
    await once(child, "exit");
    const probe = await fetch(`${base}/health`).catch(() => undefined);
    expect(probe).toBeUndefined();
  }, 30_000);
});
