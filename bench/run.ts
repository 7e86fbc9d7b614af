/**
 * npm run bench: the shop against its baselines, side by side, on this machine.
 *
 * Starts its own emulators (in a child process), the shop server (api handler behind the
 * local HTTP bridge, consumers running) and a raw baseline server, each pinned to core 0
 * when taskset exists, while this process, the load generator, runs on core 1. Variants
 * alternate (A B A B, BENCH_ROUNDS rounds, 3 by default) after a warm-up; figures are
 * medians with min-max. Writes bench/results/report.md and report.json.
 */
import { type ChildProcess, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type ApiConfig, createApiClients, loadApiConfig } from "../api/api-config";
import { createApiHandler } from "../api/create-api";
import { CatalogService } from "../core/catalog/catalog-service";
import type { ProductRepository } from "../core/catalog/ports";
import type { Product } from "../core/catalog/product";
import type { Logger } from "../core/shared/ports";
import { createShopApp } from "../infra/shop-app";
import { apiFunction, consumers } from "../infra/topology";
import { localIssuer, serveJwks } from "../local/emulators/local-issuer";
import { seedProducts } from "../local/emulators/seed-data";
import { createLocalClients, functionEnvironment, provisionShop } from "../local/emulators/stack";
import { createLambdaContext } from "../local/lambda/lambda-context";
import type { ShopServices } from "../resolvers/context";
import { type LoadOptions, type LoadResult, load } from "./lib/load";
import { HAS_TASKSET, pinSelf, startChild, stopChild } from "./lib/processes";
import { formatSpread, median, round, type Spread, spread } from "./lib/stats";

/** The scenarios to run, named on the command line (`npm run bench -- reads`); all by default. */
const SCENARIOS = [
  "reads",
  "create-order",
  "old-load-test",
  "flood",
  "graphql-layer",
  "pipeline",
  "cold-start",
] as const;
type Scenario = (typeof SCENARIOS)[number];
const chosen = process.argv.slice(2);
for (const name of chosen) {
  if (!(SCENARIOS as readonly string[]).includes(name)) {
    console.error(`unknown scenario "${name}"; choose from ${SCENARIOS.join(", ")}`);
    process.exit(2);
  }
}
const runs = (scenario: Scenario) => chosen.length === 0 || chosen.includes(scenario);
/**
 * A git revision whose shop server runs beside the current one in the read scenarios
 * (`BENCH_BEFORE=9afa511 npm run bench -- reads`), to measure a change in the same run.
 */
const BEFORE = process.env.BENCH_BEFORE;

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ORDER_PRODUCTS = Array.from(
  { length: 10 },
  (_, i) => `prod-${String(i + 1).padStart(4, "0")}`,
);
const BIG_STOCK = 10_000_000;
/** The customers the benchmark orders for, each with a token: the i-th request is customer i % 500's. */
const CUSTOMERS = 500;
let tokens: string[] = [];
const customerHeaders = (i: number) => ({ authorization: `Bearer ${tokens[i % CUSTOMERS]}` });

/** The old REST body of the i-th order: 500 customers, one unit of one of ten products. */
const orderBody = (i: number) =>
  JSON.stringify({
    customer_id: `bench-${i % 500}`,
    items: [{ product_id: ORDER_PRODUCTS[i % ORDER_PRODUCTS.length], quantity: 1 }],
  });
const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };

const report: { machine: Record<string, unknown>; scenarios: Record<string, unknown> } = {
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    node: process.version,
    taskset: HAS_TASKSET,
    rounds: ROUNDS,
    secondsPerRun: SECONDS,
    date: new Date().toISOString(),
  },
  scenarios: {},
};
const markdown: string[] = [];
const log = (line = "") => {
  console.log(line);
  markdown.push(line);
};

interface Variant {
  readonly name: string;
  readonly options: Omit<LoadOptions, "connections">;
}

/** Runs variants alternately, ROUNDS times each after a warm-up, and summarizes each. */
async function compare(variants: readonly Variant[], connections: number, seconds = SECONDS) {
  for (const v of variants) await load({ ...v.options, connections, durationSeconds: 1 });
  const runs = new Map<string, LoadResult[]>(variants.map((v) => [v.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of variants)
      runs.get(v.name)?.push(await load({ ...v.options, connections, durationSeconds: seconds }));
  }
  return variants.map((v) => {
    const results = runs.get(v.name) ?? [];
    return {
      name: v.name,
      p50: spread(results.map((r) => r.p50)),
      p99: spread(results.map((r) => r.p99)),
      rps: spread(results.map((r) => r.rps)),
      cpu: spread(results.map((r) => r.cpuMicrosPerRequest)),
      errors: results.reduce((sum, r) => sum + r.errors + r.non2xx, 0),
      requests: results.reduce((sum, r) => sum + r.requests, 0),
    };
  });
}

type Row = Awaited<ReturnType<typeof compare>>[number];

function table(rows: readonly Row[], baseline?: string) {
  const base = rows.find((r) => r.name === baseline);
  log(
    "| variant | p50 ms | p99 ms | req/s | server CPU µs/req | errors | p50 vs baseline | CPU vs baseline |",
  );
  log("|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    const vs = (pick: (row: Row) => Spread) =>
      base && r !== base ? `${round(pick(r).median / pick(base).median, 2)}x` : "";
    log(
      `| ${r.name} | ${formatSpread(r.p50)} | ${formatSpread(r.p99)} | ${formatSpread(r.rps, "", 0)} | ${formatSpread(r.cpu, "", 0)} | ${r.errors} of ${r.requests} | ${vs((row) => row.p50)} | ${vs((row) => row.cpu)} |`,
    );
  }
  log();
}

async function setStock(
  local: ReturnType<typeof createLocalClients>,
  table: string,
  productIds: readonly string[],
  stock: number,
) {
  for (const productId of productIds) {
    await local.document.send(
      new UpdateCommand({
        TableName: table,
        Key: { productId },
        UpdateExpression: "SET stock = :s",
        ExpressionAttributeValues: { ":s": stock },
      }),
    );
  }
}

/** A child's peak resident memory so far (VmHWM), in MiB. */
function peakRssMiB(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024, 0);
}

/**
 * Checks a revision out beside this one (a git worktree sharing these node_modules), so
 * its shop server can run in the same bench run. Returns the folder and how to remove it.
 */
function checkOut(revision: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "bench-before-"));
  execFileSync("git", ["worktree", "add", "--detach", "--force", dir, revision], {
    stdio: "ignore",
  });
  symlinkSync(join(process.cwd(), "node_modules"), join(dir, "node_modules"));
  return {
    dir,
    remove: () => execFileSync("git", ["worktree", "remove", "--force", dir], { stdio: "ignore" }),
  };
}

async function main() {
  pinSelf(1);
  mkdirSync("bench/results", { recursive: true });
  const { child: emulatorsChild, first } = await startChild("bench/servers/emulators.ts", {});
  const endpoints = first as { dynamodb: string; snsSqs: string };
  const children = [emulatorsChild];
  const before = BEFORE ? checkOut(BEFORE) : undefined;
  try {
    const shop = await provisionShop(endpoints, { prefix: "bench-", seed: true });
    const local = createLocalClients(endpoints);
    await setStock(local, shop.provisioned.tableNames.products, ORDER_PRODUCTS, BIG_STOCK);
    // The tokens' issuer, as `npm start` runs it: the api verifies them against its JWKS.
    const issuer = await localIssuer();
    const jwks = await serveJwks(issuer);
    tokens = await Promise.all(
      Array.from({ length: CUSTOMERS }, (_, i) => issuer.mint({ customer: `bench-${i}` })),
    );
    const apiEnv = functionEnvironment(
      apiFunction,
      { ...endpoints, jwks: jwks.url },
      shop.provisioned,
    );
    const env = {
      ...apiEnv,
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      POWERTOOLS_LOG_LEVEL: "CRITICAL",
      POWERTOOLS_METRICS_DISABLED: "true",
      BENCH_HANDOFF: JSON.stringify({ provisioned: shop.provisioned, ...endpoints }),
    };
    Object.assign(process.env, env);
    const shopPort = 47_100;
    const rawPort = 47_200;
    const beforePort = 47_300;
    const startShop = async (payment: number, extra: Record<string, string> = {}) =>
      (
        await startChild(
          "bench/servers/shop-server.ts",
          { ...env, PORT: String(shopPort), PAYMENT_LATENCY_MS: String(payment), ...extra },
          0,
        )
      ).child;
    let shopServer = await startShop(0);
    const raw = (
      await startChild("bench/servers/raw-server.ts", { ...env, PORT: String(rawPort) }, 0)
    ).child;
    children.push(shopServer, raw);
    let beforeServer: ChildProcess | undefined;
    if (before) {
      // An older revision may read every function's variables; give it all of them, and
      // no consumers of its own (they would compete with the current ones for the queues).
      const everyVariable = Object.assign(
        {},
        ...[apiFunction, ...Object.values(consumers)].map((spec) =>
          functionEnvironment(spec, endpoints, shop.provisioned),
        ),
      ) as Record<string, string>;
      const beforeEnv = {
        ...env,
        ...everyVariable,
        PORT: String(beforePort),
        BENCH_CONSUMERS: "off",
      };
      beforeServer = (await startChild("bench/servers/shop-server.ts", beforeEnv, 0, before.dir))
        .child;
      children.push(beforeServer);
    }
    const shopUrl = `http://127.0.0.1:${shopPort}`;
    const rawUrl = `http://127.0.0.1:${rawPort}`;
    const beforeUrl = `http://127.0.0.1:${beforePort}`;

    log(`# Benchmark report`);
    log();
    log(
      `${report.machine.cpus} cores (${report.machine.cpuModel}), Node ${process.version}, ${HAS_TASKSET ? "server on core 0, load generator on core 1" : "no taskset: not pinned"}; ${ROUNDS} rounds of ${SECONDS} s per variant, alternating, after a warm-up; medians with min-max.${chosen.length ? ` Scenarios run: ${chosen.join(", ")}.` : ""}`,
    );
    log();

    if (runs("reads")) {
      // The customer whose orders GET /orders reads has some: 20.
      for (let i = 0; i < 20; i++) {
        await fetch(`${shopUrl}/orders`, {
          method: "POST",
          headers: { "content-type": "application/json", ...customerHeaders(1) },
          body: orderBody(1),
        });
      }
      log("## 1. Reads against the raw baseline (10 connections)");
      log();
      if (BEFORE) {
        log(`"before" is revision ${BEFORE}'s shop server, run beside the current one.`);
        log();
      }
      const productsQuery = JSON.stringify({
        query:
          "{ products(first: 20) { edges { node { id name category brand description stock price { amountCents currency } } } } }",
      });
      const reads: Record<string, Row[]> = {};
      for (const [name, options] of [
        ["GET /products", { path: "/products" }],
        [
          "GraphQL products(first: 20)",
          { path: "/graphql", method: "POST" as const, body: productsQuery },
        ],
        ["GET /products/{id}", { path: "/products/prod-0007" }],
        [
          "GET /orders?customer_id=",
          { path: "/orders?customer_id=bench-1", headers: customerHeaders(1) },
        ],
      ] as const) {
        log(`### ${name}`);
        const rows = await compare(
          [
            { name: "shop", options: { url: shopUrl, ...options } },
            ...(BEFORE ? [{ name: "before", options: { url: beforeUrl, ...options } }] : []),
            { name: "raw baseline", options: { url: rawUrl, ...options } },
          ],
          10,
        );
        table(rows, "raw baseline");
        reads[name] = rows;
      }
      report.scenarios.reads = reads;
    }

    if (runs("create-order")) {
      // 3. createOrder.
      log("## 3. createOrder against the raw baseline (TransactWriteItems + SNS publish)");
      log();
      // The baseline's customers are its own, so the shop's order lists stay the shop's.
      const rawOrderBody = (i: number) => orderBody(i).replace('"bench-', '"raw-');
      const graphqlOrder = (i: number) =>
        JSON.stringify({
          query:
            "mutation($input: CreateOrderInput!) { createOrder(input: $input) { __typename ... on Order { id status } } }",
          variables: {
            input: {
              customerId: `bench-${i % 500}`,
              items: [{ productId: ORDER_PRODUCTS[i % ORDER_PRODUCTS.length], quantity: 1 }],
            },
          },
        });
      const orderVariants = (url: string): Variant[] => [
        {
          name: "GraphQL createOrder",
          options: {
            url,
            path: "/graphql",
            method: "POST",
            body: graphqlOrder,
            headers: customerHeaders,
          },
        },
        {
          name: "POST /orders",
          options: {
            url,
            path: "/orders",
            method: "POST",
            body: orderBody,
            headers: customerHeaders,
          },
        },
        {
          name: "raw baseline",
          options: { url: rawUrl, path: "/orders", method: "POST", body: rawOrderBody },
        },
      ];
      const orders: Record<string, Row[]> = {};
      for (const connections of [1, 8, 32]) {
        log(`### ${connections} concurrent clients (payment provider 0 s)`);
        const rows = await compare(orderVariants(shopUrl), connections, 3);
        table(rows, "raw baseline");
        orders[`c${connections}`] = rows;
      }
      // The invariant: no product below zero, and what was sold is what left stock.
      const { Items = [] } = await local.document.send(
        new ScanCommand({ TableName: shop.provisioned.tableNames.products }),
      );
      const negative = Items.filter((p) => Number(p.stock) < 0).length;
      log(
        `Stock invariant after the runs: ${negative === 0 ? "no product below zero" : `${negative} products below zero`}.`,
      );
      log();

      await stopChild(shopServer);
      shopServer = await startShop(6000);
      children.push(shopServer);
      log("### 8 concurrent clients, payment provider at 6 s");
      const slow = await compare(orderVariants(shopUrl).slice(0, 1), 8, 3);
      table(slow);
      const fast = orders.c8?.[0];
      const ratio = fast ? slow[0]!.p99.median / fast.p99.median : Number.NaN;
      log(`p99(6 s) / p99(0 s), GraphQL createOrder at 8 clients: **${round(ratio, 2)}**`);
      log();
      report.scenarios.createOrder = {
        ...orders,
        payment6s: slow,
        p99Ratio6sTo0s: ratio,
        negativeStock: negative,
      };
    }
    if (runs("old-load-test")) {
      // 6. The old system's load test, its way (no token, the migration switch on) and with
      // a customer's token against the default stack.
      log(
        "## 6. The old system's load test (100 requests per endpoint; 10 workers for reads, 5 for orders)",
      );
      log();
      const oldTest: Record<string, unknown> = {};
      const runOldTest = async (way: string, headers: (i: number) => Record<string, string>) => {
        log(`### ${way}`);
        log("| endpoint | success | p50 ms | p90 ms | p99 ms |");
        log("|---|---|---|---|---|");
        for (const [name, options, connections] of [
          ["GET /products", { url: shopUrl, path: "/products" }, 10],
          ["GET /products/{id}", { url: shopUrl, path: "/products/prod-0003" }, 10],
          ["GET /orders?customer_id=", { url: shopUrl, path: "/orders?customer_id=bench-1" }, 10],
          [
            "POST /orders",
            { url: shopUrl, path: "/orders", method: "POST" as const, body: orderBody },
            5,
          ],
        ] as const) {
          const isOrders = name.includes("orders");
          const result = await load({
            ...options,
            connections,
            amount: 100,
            // GET /orders is bench-1's list; POST /orders orders as each body's customer.
            ...(isOrders ? { headers: name.startsWith("GET") ? () => headers(1) : headers } : {}),
          });
          const ok = result.requests - result.errors - result.non2xx;
          log(
            `| ${name} | ${ok}/${result.requests} (${round((100 * ok) / Math.max(1, result.requests), 1)}%) | ${result.p50} | ${result.p90} | ${result.p99} |`,
          );
          oldTest[`${way}: ${name}`] = { ...result, success: ok / Math.max(1, result.requests) };
        }
        log();
      };
      await runOldTest("with a customer's token (the default)", customerHeaders);
      await stopChild(shopServer);
      shopServer = await startShop(0, { LEGACY_OPEN_REST: "true" });
      children.push(shopServer);
      await runOldTest("unchanged, no token, with LEGACY_OPEN_REST=true", () => ({}));
      report.scenarios.oldLoadTest = oldTest;
    }
    if (runs("flood")) {
      log("## 7. The 5000-alias catalog flood (one request, 5000 aliases of products(first: 100))");
      log();
      const query = `{ ${Array.from({ length: 5000 }, (_, i) => `p${i}: products(first: 100) { edges { node { id name description } } }`).join(" ")} }`;
      const flood: Record<string, unknown> = {};
      log("| server | request KiB | status | ms | answer KiB | server peak RSS MiB |");
      log("|---|---|---|---|---|---|");
      for (const [name, url, child] of [
        ["shop", shopUrl, shopServer],
        ...(beforeServer ? ([["before", beforeUrl, beforeServer]] as const) : []),
      ] as const) {
        const body = JSON.stringify({ query });
        const started = performance.now();
        const response = await fetch(`${url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        const text = await response.text();
        const ms = performance.now() - started;
        const peak = peakRssMiB(child?.pid);
        log(
          `| ${name} | ${round(body.length / 1024, 0)} | ${response.status} | ${round(ms, 0)} | ${round(text.length / 1024, 0)} | ${peak} |`,
        );
        flood[name] = { status: response.status, ms, answerBytes: text.length, peakRssMiB: peak };
      }
      log();
      report.scenarios.flood = flood;
    }
    for (const child of children.splice(1)) await stopChild(child);

    if (runs("graphql-layer")) {
      // 2. The GraphQL layer alone.
      log("## 2. The GraphQL layer alone (in-process, stubbed data, CPU µs per invocation)");
      log();
      report.scenarios.graphqlLayer = await graphqlLayer(loadApiConfig(apiEnv));
    }
    if (runs("pipeline")) {
      // 4. The pipeline.
      log(
        "## 4. The pipeline: createOrder to CONFIRMED and to the email (100 orders, 4 clients, provider 0 s)",
      );
      log();
      const output = execFileSync(
        process.execPath,
        [
          "--disable-warning=ExperimentalWarning",
          "--import",
          "tsx",
          "bench/pipeline-latency.ts",
          "100",
          "4",
        ],
        { encoding: "utf8" },
      );
      const pipeline = JSON.parse(output.split("PIPELINE_JSON ")[1] ?? "{}") as {
        rows: { name: string; p50: number; p99: number }[];
      };
      log("| path | p50 ms | p99 ms |");
      log("|---|---|---|");
      for (const row of pipeline.rows ?? []) log(`| ${row.name} | ${row.p50} | ${row.p99} |`);
      log();
      report.scenarios.pipeline = pipeline;
    }
    if (runs("cold-start")) {
      // 5. Cold start and bundles.
      log("## 5. Cold start and bundle sizes");
      log();
      report.scenarios.coldStart = coldStart();
    }
    local.destroy();
  } finally {
    for (const child of children.reverse()) await stopChild(child);
    before?.remove();
  }
  const suffix = chosen.length ? `-${chosen.join("-")}` : "";
  writeFileSync(`bench/results/report${suffix}.md`, `${markdown.join("\n")}\n`);
  writeFileSync(`bench/results/report${suffix}.json`, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Written: bench/results/report${suffix}.md and report${suffix}.json`);
}

/** Scenario 2: CPU per invocation of the api handler on stubbed data, lean and with Apollo's defaults, against a plain handler. */
async function graphqlLayer(config: ApiConfig) {
  const products: Product[] = seedProducts("2026-01-01T00:00:00.000Z").slice(0, 20);
  const repository: ProductRepository = {
    getProduct: async (id) => products.find((p) => p.productId === id),
    getProducts: async () => new Map(products.map((p) => [p.productId, p])),
    listProducts: async () => ({
      edges: products.map((node) => ({ node, cursor: node.productId })),
      hasNextPage: true,
    }),
  };
  const services = { catalog: new CatalogService(repository) } as unknown as ShopServices;
  const clients = createApiClients(config);
  const lean = createApiHandler({
    config: { ...config, environment: "production", playground: false },
    clients,
    logger: quiet,
    services,
  });
  const defaults = createApiHandler({
    config: { ...config, environment: "production", playground: false },
    clients,
    logger: quiet,
    services,
    apolloDefaults: true,
  });
  const query =
    "{ products(first: 20) { edges { node { id name category brand description stock inStock price { amountCents currency } } } } }";
  const event = {
    version: "2.0",
    routeKey: "$default",
    rawPath: "/graphql",
    rawQueryString: "",
    headers: { "content-type": "application/json" },
    isBase64Encoded: false,
    body: JSON.stringify({ query }),
    requestContext: {
      http: {
        method: "POST",
        path: "/graphql",
        protocol: "HTTP/1.1",
        sourceIp: "127.0.0.1",
        userAgent: "bench",
      },
    },
  } as never;
  const expected = await lean(event, createLambdaContext("bench"));
  const fields = (expected.body?.match(/":/g) ?? []).length;
  const plainBody = JSON.parse(expected.body ?? "{}");
  const plain = async () => ({
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(plainBody),
  });
  const variants: [string, () => Promise<unknown>][] = [
    ["api handler, lean (as shipped)", () => lean(event, createLambdaContext("bench"))],
    ["api handler, Apollo defaults (before)", () => defaults(event, createLambdaContext("bench"))],
    ["plain handler, same JSON (baseline)", plain],
  ];
  const N = 2000;
  for (const [, run] of variants) for (let i = 0; i < 300; i++) await run();
  const samples = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  for (let roundIndex = 0; roundIndex < ROUNDS + 2; roundIndex++) {
    for (const [name, run] of variants) {
      const before = process.cpuUsage();
      for (let i = 0; i < N; i++) await run();
      const used = process.cpuUsage(before);
      samples.get(name)?.push((used.user + used.system) / N);
    }
  }
  log(`${fields} fields in the answer; ${N} invocations per round, ${ROUNDS + 2} rounds.`);
  log();
  log("| handler | CPU µs per invocation |");
  log("|---|---|");
  const result: Record<string, Spread> = {};
  for (const [name] of variants) {
    result[name] = spread(samples.get(name) ?? []);
    log(`| ${name} | ${formatSpread(result[name], "", 0)} |`);
  }
  log();
  return { fields, ...result };
}

/** Scenario 5: the bundled api handler's import and first invocation against the unbundled one, and bundle sizes. */
function coldStart() {
  const outdir = mkdtempSync(join(tmpdir(), "bench-cdk-"));
  createShopApp({ outdir, context: { "aws:cdk:enable-asset-metadata": true } }).app.synth();
  const template = JSON.parse(readFileSync(join(outdir, "Shop.template.json"), "utf8")) as {
    Resources: Record<
      string,
      {
        Type: string;
        Metadata?: Record<string, string>;
        Properties: { Environment?: { Variables: Record<string, string> } };
      }
    >;
  };
  const bundles: Record<string, string> = {};
  for (const r of Object.values(template.Resources)) {
    if (r.Type !== "AWS::Lambda::Function") continue;
    bundles[r.Properties.Environment?.Variables.POWERTOOLS_SERVICE_NAME ?? "?"] = join(
      outdir,
      r.Metadata?.["aws:asset:path"] ?? "",
      "index.mjs",
    );
  }
  log("| function | minified | gzipped |");
  log("|---|---|---|");
  const sizes: Record<string, { minifiedKiB: number; gzippedKiB: number }> = {};
  for (const [name, file] of Object.entries(bundles)) {
    const code = readFileSync(file);
    sizes[name] = {
      minifiedKiB: round(code.length / 1024),
      gzippedKiB: round(gzipSync(code, { level: 9 }).length / 1024),
    };
    log(`| ${name} | ${sizes[name].minifiedKiB} KiB | ${sizes[name].gzippedKiB} KiB |`);
  }
  log();
  const probe = (importTarget: string, viaTsx: boolean) => {
    const script = `const t0 = performance.now();
const { handler } = await import(${JSON.stringify(importTarget)});
const t1 = performance.now();
await handler({ version: "2.0", rawPath: "/graphql", rawQueryString: "", headers: { "content-type": "application/json" }, isBase64Encoded: false, body: JSON.stringify({ query: "{ ping }" }), requestContext: { http: { method: "POST", path: "/graphql" } } }, { getRemainingTimeInMillis: () => 10000, functionName: "bench", awsRequestId: "cold" });
console.log(JSON.stringify({ importMs: t1 - t0, totalMs: performance.now() - t0 }));`;
    const args = [
      "--disable-warning=ExperimentalWarning",
      ...(viaTsx ? ["--import", "tsx"] : []),
      "--input-type=module",
      "-e",
      script,
    ];
    return JSON.parse(
      execFileSync(process.execPath, args, { encoding: "utf8", env: process.env })
        .trim()
        .split("\n")
        .at(-1) ?? "{}",
    ) as { importMs: number; totalMs: number };
  };
  const bundled: number[] = [];
  const unbundled: number[] = [];
  const unbundledTarget = join(process.cwd(), "api", "handler.ts");
  for (let i = 0; i < ROUNDS + 2; i++) {
    bundled.push(probe(bundles["shop-api"] ?? "", false).totalMs);
    unbundled.push(probe(unbundledTarget, true).totalMs);
  }
  const b = spread(bundled);
  const u = spread(unbundled);
  log("| api handler, import + first invocation | ms |");
  log("|---|---|");
  log(`| bundled (index.mjs, as deployed) | ${formatSpread(b)} |`);
  log(`| unbundled (TypeScript sources through tsx) | ${formatSpread(u)} |`);
  log(`| ratio bundled / unbundled | ${round(median(bundled) / median(unbundled), 2)} |`);
  log();
  return { sizes, bundled: b, unbundled: u };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
