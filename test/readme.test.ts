import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenHeader } from "../local/cli/token-command";
import { type LocalStack, stackPorts, startLocalStack, waitFor } from "./support/local-stack";

/**
 * The README is run, not read: every command its shell blocks show is either run here, as
 * written, against a local stack started as `npm start` starts it (on free ports, so
 * `localhost:4000` becomes the stack's port), or named below with the test or CI step that
 * runs it. A command added to the README without either fails the first test.
 */

const README = readFileSync("README.md", "utf8");

/** Every command of the README's `sh` blocks: continuation lines joined, comments dropped. */
function readmeCommands(): { block: number; command: string }[] {
  const commands: { block: number; command: string }[] = [];
  const blocks = [...README.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? "");
  blocks.forEach((text, block) => {
    const joined = text.replace(/\\\n\s*/g, " ");
    for (const line of joined.split("\n")) {
      const command = line.replace(/\s+#\s.*$/, "").trim();
      if (command) commands.push({ block, command });
    }
  });
  return commands;
}

/** Commands another test, or CI, runs: where, and a line of that file that shows it does. */
const RUN_ELSEWHERE: readonly { command: RegExp; by: string; evidence: string }[] = [
  {
    command: /^npm install && npm start$/,
    by: "local/cli/start.test.ts",
    evidence: `"npm", ["start"]`,
  },
  { command: /^npm test$/, by: ".ci/run", evidence: "npm test" },
  { command: /^npm run dev$/, by: "local/cli/dev.test.ts", evidence: "--watch" },
  { command: /^npm run bench:pipeline -- /, by: "bench/bench.test.ts", evidence: "bench:pipeline" },
  { command: /^npm run bench:live -- /, by: "bench/bench.test.ts", evidence: "bench:live" },
  { command: /^npm run scale( -- [\d ]+)?$/, by: "bench/bench.test.ts", evidence: '"scale"' },
  {
    command: /^npm run catalog -- import catalog\.csv --stack /,
    by: "local/cli/catalog.test.ts",
    evidence: "--stack",
  },
  // Deploying needs an AWS account, which tests do not have: the template it deploys is
  // synthesized and checked (resources, grants, cdk-nag) by the infrastructure tests, and
  // `npm run synth` runs below.
  {
    command:
      /^(npm run deploy\b|aws |out\(\)|--query |SHOP=|TOKEN=|--auth-parameters |curl -s "\$SHOP)/,
    by: "infra/shop-stack.test.ts",
    evidence: "createShopApp",
  },
];

/** Commands run here, against the local stack. */
const RUN_HERE: readonly RegExp[] = [
  /^curl -s (-i )?(-X POST )?localhost:4000\//,
  /^CUSTOMER=\$\(npm run -s token -- --customer [\w-]+\)$/,
  /^npm run (example|example:restock|dlq|dlq -- redrive all)$/,
  /^npm run timeline -- <orderId>$/,
  /^npm run catalog -- (import|export) [\w/.-]+$/,
  /^npm run synth$/,
];

describe("the README's commands", () => {
  it("are each run by this test or by the test named for it", () => {
    const unaccounted = readmeCommands()
      .map(({ command }) => command)
      .filter(
        (command) =>
          !RUN_HERE.some((pattern) => pattern.test(command)) &&
          !RUN_ELSEWHERE.some((entry) => entry.command.test(command)),
      );
    expect(unaccounted).toEqual([]);
    for (const { by, evidence } of RUN_ELSEWHERE) {
      expect(existsSync(by), by).toBe(true);
      expect(readFileSync(by, "utf8"), `${by} shows ${evidence}`).toContain(evidence);
    }
  });
});

const exec = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), "shop-readme-"));
const workDir = mkdtempSync(join(tmpdir(), "shop-readme-files-"));
let stack: LocalStack;
let ports: Awaited<ReturnType<typeof stackPorts>>;

/**
 * Runs lines of the README in one bash, from the repository (files a command writes go to a
 * scratch directory), against the test's stack; answers what they printed.
 */
async function runInBash(lines: readonly string[], substitutions: Record<string, string> = {}) {
  let script = lines.join("\n").replaceAll("localhost:4000", `127.0.0.1:${ports.PORT}`);
  for (const [from, to] of Object.entries(substitutions)) script = script.replaceAll(from, to);
  const { stdout, stderr } = await exec("bash", ["-euo", "pipefail", "-c", script], {
    env: { ...process.env, ...ports, DATA_DIR: dataDir, NODE_ENV: "" },
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return `${stdout}${stderr}`;
}

/** The README's commands of one block that this test runs, each with its continuation lines. */
function blockRunHere(first: string): string[] {
  const all = readmeCommands();
  const start = all.find(({ command }) => command.startsWith(first));
  if (!start) throw new Error(`the README has no command starting with ${first}`);
  return all
    .filter(({ block }) => block === start.block)
    .map(({ command }) => command)
    .filter((command) => RUN_HERE.some((pattern) => pattern.test(command)));
}

describe("the README's commands, run against a local stack", () => {
  beforeAll(async () => {
    ports = await stackPorts();
    // The functions log as `npm start` has them by default, which the tests otherwise quiet.
    stack = startLocalStack(dataDir, { ...ports, POWERTOOLS_LOG_LEVEL: "INFO" }, ["--fresh"]);
    await stack.ready();
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
  });

  it("try it: the catalog, a token, an order and a GraphQL query answer without an error", async () => {
    const output = await runInBash(blockRunHere("curl -s localhost:4000/products/prod-0001"));
    expect(output).toContain('"product_id":"prod-0001"');
    expect(output).toMatch(/"status":"PENDING"/);
    expect(output).toContain('"formatted"');
    expect(output).not.toMatch(/"errors?"/);
  }, 120_000);

  it("the example, the restock example, an order's timeline and the DLQs run and end well", async () => {
    const placed = await fetch(`http://127.0.0.1:${ports.PORT}/orders`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...tokenHeader(dataDir, "--customer", "readme"),
      },
      body: JSON.stringify({ items: [{ product_id: "prod-0002", quantity: 1 }] }),
    });
    const { order_id: orderId } = (await placed.json()) as { order_id: string };
    const output = await runInBash(blockRunHere("npm run example"), { "<orderId>": orderId });
    expect(output).not.toMatch(/fetch failed|Error:/);
    // The example follows its order over the WebSocket `npm start` serves, until it settles.
    expect(output).toMatch(/is now (CONFIRMED|REJECTED)/);
    // The timeline tells the order's story in the form the README shows.
    const sample = README.match(
      /npm run timeline -- <orderId>` prints it:\n\n\s*```\n([\s\S]*?)```/,
    );
    const lineForm = /^\s*\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z {2}\S+ +[A-Z_]+ +\S.*$/;
    for (const line of (sample?.[1] ?? "").split("\n").filter((l) => l.trim())) {
      expect(line, "the README's timeline sample").toMatch(lineForm);
    }
    expect(output.split("\n").filter((l) => lineForm.test(l)).length).toBeGreaterThan(2);
  }, 240_000);

  it("following an order: its correlation id is on the answer, on every function's lines and in its timeline", async () => {
    const output = await runInBash(
      blockRunHere("CUSTOMER=$(npm run -s token -- --customer cust-2)"),
    );
    const id = output.match(/^x-correlation-id: (\S+)\r?$/im)?.[1];
    expect(id, "the answer's x-correlation-id").toBe("checkout-7f3a");
    const orderId = output.match(/"order_id":"([^"]+)"/)?.[1];
    expect(orderId).toBeDefined();
    // The README's Logs Insights query filters on the key the lines carry.
    expect(README).toContain(`| filter correlation_id = "${id}"`);
    const services = () =>
      new Set(
        stack
          .output()
          .split("\n")
          .filter((line) => line.startsWith("{") && line.includes(`"correlation_id":"${id}"`))
          .map((line) => (JSON.parse(line) as { service: string }).service),
      );
    const expected = [
      "shop-api",
      "shop-streamProcessor",
      "shop-fraud",
      "shop-inventory",
      "shop-analytics",
      "shop-email",
      "shop-liveUpdates",
    ];
    await waitFor(
      () => expected.every((service) => services().has(service)),
      `lines with the correlation id from ${expected.join(", ")}`,
      { timeoutMs: 60_000 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; seen from: ${[...services()].join(", ")}`);
    });
    for (const service of expected) expect(README).toContain(`\`${service}\``);

    const timeline = await fetch(`http://127.0.0.1:${ports.PORT}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...tokenHeader(dataDir, "--admin") },
      body: JSON.stringify({
        query: "query($id: ID!) { orderTimeline(orderId: $id) { kind correlationId } }",
        variables: { id: orderId },
      }),
    });
    const entries = (
      (await timeline.json()) as {
        data: { orderTimeline: { kind: string; correlationId: string | null }[] };
      }
    ).data.orderTimeline;
    expect(entries.length).toBeGreaterThan(2);
    expect(new Set(entries.map((entry) => entry.correlationId))).toEqual(new Set([id]));
  }, 120_000);

  it("the GraphQL example an admin sends about an order answers without an error", async () => {
    const placed = await fetch(`http://127.0.0.1:${ports.PORT}/orders`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...tokenHeader(dataDir, "--customer", "readme-graphql"),
      },
      body: JSON.stringify({ items: [{ product_id: "prod-0003", quantity: 1 }] }),
    });
    const { order_id: orderId } = (await placed.json()) as { order_id: string };
    const query = README.match(/```graphql\n(\{\n {2}order\(id: "\.\.\."\)[\s\S]*?)```/)?.[1];
    expect(query, "the README's example about an order").toBeDefined();
    const answer = await fetch(`http://127.0.0.1:${ports.PORT}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...tokenHeader(dataDir, "--admin") },
      body: JSON.stringify({ query: query?.replaceAll('"..."', JSON.stringify(orderId)) }),
    });
    const body = (await answer.json()) as {
      data?: { order?: { status: string } };
      errors?: unknown;
    };
    expect(body.errors).toBeUndefined();
    expect(body.data?.order?.status).toMatch(/^(PENDING|CONFIRMED|REJECTED)$/);
  }, 60_000);

  it("loading and exporting the catalog, as the README shows", async () => {
    const lines = [
      ...blockRunHere("npm run catalog -- import catalog/sample-catalog.json"),
      ...blockRunHere("npm run catalog -- import catalog.csv"),
    ];
    const output = await runInBash(
      // Files the commands write or read by a bare name live in the scratch directory.
      lines.map((line) => line.replaceAll(" catalog.csv", ` ${join(workDir, "catalog.csv")}`)),
    );
    expect(existsSync(join(workDir, "catalog.csv"))).toBe(true);
    expect(output).not.toMatch(/Error|problem/i);
  }, 180_000);

  it("npm run synth makes the template offline, without warnings about unset feature flags", async () => {
    const output = await runInBash(blockRunHere("npm run synth"));
    expect(output).not.toMatch(/feature flags are not configured/);
    expect(existsSync("cdk.out/Shop.template.json")).toBe(true);
  }, 240_000);
});
