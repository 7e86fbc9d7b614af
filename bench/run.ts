/**
 * npm run bench: the shop against its baselines, side by side, on this machine.
 *
 * Starts its own emulators (in a child process), the shop server (api handler behind the
 * local HTTP bridge, consumers running) and a raw baseline server, each pinned to core 0
 * when taskset exists, while this process, the load generator, runs on core 1. Variants
 * alternate (A B A B, BENCH_ROUNDS rounds, 3 by default) after a warm-up; figures are
 * medians with min-max. Writes bench/results/report.md, report.json and the charts
 * (BENCH_RESULTS_DIR elsewhere).
 */
import { type ChildProcess, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { execute, parse } from "graphql";
import { type ApiConfig, createApiClients, loadApiConfig } from "../api/api-config";
import { createApiHandler } from "../api/create-api";
import { CatalogService } from "../core/catalog/catalog-service";
import type { ProductRepository } from "../core/catalog/ports";
import type { Product } from "../core/catalog/product";
import type { Logger } from "../core/shared/ports";
import { ANONYMOUS } from "../core/shared/viewer";
import { typeDefs } from "../generated/type-defs";
import { createShopApp } from "../infra/shop-app";
import { apiFunction, consumers } from "../infra/topology";
import { localIssuer, serveJwks } from "../local/emulators/local-issuer";
import { seedProducts } from "../local/emulators/seed-data";
import { createLocalClients, functionEnvironment, provisionShop } from "../local/emulators/stack";
import { createLambdaContext } from "../local/lambda/lambda-context";
import { resolvers } from "../resolvers";
import type { RequestContext, ShopServices } from "../resolvers/context";
import { lagOverTimeSvg, latencyDistributionSvg, ratioBarsSvg } from "./lib/charts";
import { type LoadOptions, type LoadResult, load } from "./lib/load";
import { HAS_TASKSET, pinSelf, startChild, stopChild } from "./lib/processes";
import { exportRevision } from "./lib/revision";
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

/** Where the report and its charts go. */
const RESULTS = process.env.BENCH_RESULTS_DIR ?? "bench/results";
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
/** Where the run is, on stderr (the report itself goes to stdout and the files). */
const progress = (line: string) => process.stderr.write(`  [bench] ${line}\n`);

/** Writes a chart beside the report and shows it in the report. */
function chart(file: string, alt: string, svg: string) {
  writeFileSync(join(RESULTS, file), svg);
  log(`![${alt}](${file})`);
  log();
}

interface Variant {
  readonly name: string;
  readonly options: Omit<LoadOptions, "connections">;
}

/** Runs variants alternately, ROUNDS times each after a warm-up, and summarizes each. */
async function compare(
  label: string,
  variants: readonly Variant[],
  connections: number,
  seconds = SECONDS,
) {
  progress(`${label}: warming up`);
  for (const v of variants) await load({ ...v.options, connections, durationSeconds: 1 });
  const runs = new Map<string, LoadResult[]>(variants.map((v) => [v.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of variants) {
      progress(`${label}: round ${round + 1}/${ROUNDS}, ${v.name} (${seconds} s)`);
      runs.get(v.name)?.push(await load({ ...v.options, connections, durationSeconds: seconds }));
    }
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
      // Each percentile's median over the rounds.
      distribution: Array.from({ length: 100 }, (_, i) =>
        median(results.map((r) => r.distribution[i] ?? Number.NaN)),
      ),
    };
  });
}

type Row = Awaited<ReturnType<typeof compare>>[number];

/** A comparison's latency distributions, one line per variant. */
function distributionChart(file: string, title: string, rows: readonly Row[]) {
  chart(
    file,
    title,
    latencyDistributionSvg(
      title,
      rows.map((r) => ({ name: r.name, samples: r.distribution })),
    ),
  );
}

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

async function main() {
  pinSelf(1);
  mkdirSync(RESULTS, { recursive: true });
  const { child: emulatorsChild, first } = await startChild("bench/servers/emulators.ts", {});
  const endpoints = first as { dynamodb: string; snsSqs: string };
  const children = [emulatorsChild];
  const before = BEFORE ? exportRevision(BEFORE) : undefined;
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
          {
            ...env,
            PORT: String(shopPort),
            PAYMENT_LATENCY_MS: String(payment),
            // The api alone, as a Lambda container is: the pipeline scenario runs the consumers.
            BENCH_CONSUMERS: "off",
            ...extra,
          },
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
          `reads, ${name}`,
          [
            { name: "shop", options: { url: shopUrl, ...options } },
            ...(BEFORE ? [{ name: "before", options: { url: beforeUrl, ...options } }] : []),
            { name: "raw baseline", options: { url: rawUrl, ...options } },
          ],
          10,
        );
        table(rows, "raw baseline");
        distributionChart(
          `reads-${name
            .replace(/[^a-z]+/gi, "-")
            .replace(/-+$/, "")
            .toLowerCase()}.svg`,
          `${name}: latency distribution, 10 connections`,
          rows,
        );
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
        const rows = await compare(
          `createOrder, ${connections} clients`,
          orderVariants(shopUrl),
          connections,
          3,
        );
        table(rows, "raw baseline");
        distributionChart(
          `create-order-${connections}.svg`,
          `createOrder, ${connections} concurrent clients: latency distribution`,
          rows,
        );
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

      // The payment provider is the fraud consumer's: these two runs have the consumers in
      // the api's process, busy with the orders, so a wait for payment would show.
      const withConsumers = async (payment: number) => {
        await stopChild(shopServer);
        shopServer = await startShop(payment, { BENCH_CONSUMERS: "on" });
        children.push(shopServer);
        return compare(
          `createOrder, consumers running, provider ${payment / 1000} s`,
          orderVariants(shopUrl).slice(0, 1),
          8,
          3,
        );
      };
      log("### 8 concurrent clients, the consumers running in the same process");
      const fastRows = await withConsumers(0);
      const slow = await withConsumers(6000);
      table([
        { ...fastRows[0]!, name: "GraphQL createOrder, provider 0 s" },
        { ...slow[0]!, name: "GraphQL createOrder, provider 6 s" },
      ]);
      const fast = fastRows[0];
      const ratio = fast ? slow[0]!.p99.median / fast.p99.median : Number.NaN;
      log(`p99(6 s) / p99(0 s), GraphQL createOrder at 8 clients: **${round(ratio, 2)}**`);
      log();
      report.scenarios.createOrder = {
        ...orders,
        payment0s: fastRows,
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
      log("## 4. The pipeline: an order to CONFIRMED and to its email, against a raw chain");
      log();
      log(
        "One Node process runs the api, every consumer behind its local event source and the SNS/SQS emulator, beside DynamoDB Local, as `npm start` does. The raw chain makes the same hops with nothing else (TransactWriteItems, publish, SQS to a long-polling worker, the fraud consumer's four DynamoDB round trips); each order has a raw twin started right after it, so both see the same load.",
      );
      log();
      report.scenarios.pipeline = await pipelineScenarios();
    }
    if (runs("cold-start")) {
      // 5. Cold start and bundles.
      log("## 5. Cold start and bundle sizes");
      log();
      report.scenarios.coldStart = coldStart();
    }
    summaryChart();
    local.destroy();
  } finally {
    for (const child of children.reverse()) await stopChild(child);
    before?.remove();
  }
  const suffix = chosen.length ? `-${chosen.join("-")}` : "";
  writeFileSync(join(RESULTS, `report${suffix}.md`), `${markdown.join("\n")}\n`);
  writeFileSync(join(RESULTS, `report${suffix}.json`), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Written: ${join(RESULTS, `report${suffix}.md`)} and report${suffix}.json`);
}

/** The ratio targets in one picture: each measured ratio against its target. */
function summaryChart() {
  const bars: { name: string; ratio: number; target: number }[] = [];
  const ratio = (rows: readonly Row[] | undefined, pick: (r: Row) => number) => {
    const shop = rows?.[0];
    const base = rows?.find((r) => r.name === "raw baseline");
    return shop && base ? pick(shop) / pick(base) : Number.NaN;
  };
  const reads = report.scenarios.reads as Record<string, Row[]> | undefined;
  for (const [name, target] of [
    ["GET /products", 1.2],
    ["GET /products/{id}", 1.2],
    ["GraphQL products(first: 20)", 1.3],
  ] as const) {
    const rows = reads?.[name];
    if (!rows) continue;
    bars.push({ name: `${name} p50`, ratio: ratio(rows, (r) => r.p50.median), target });
    if (target === 1.2)
      bars.push({ name: `${name} CPU`, ratio: ratio(rows, (r) => r.cpu.median), target });
  }
  const orders = report.scenarios.createOrder as Record<string, Row[]> | undefined;
  if (orders?.c1)
    bars.push({
      name: "createOrder p50, 1 client",
      ratio: ratio(orders.c1, (r) => r.p50.median),
      target: 1.3,
    });
  if (orders?.c8)
    bars.push({
      name: "createOrder p99, 8 clients",
      ratio: ratio(orders.c8, (r) => r.p99.median),
      target: 1.3,
    });
  if (bars.length === 0) return;
  log("## Against the targets");
  log();
  chart(
    "targets.svg",
    "Each ratio to its raw baseline, against its target",
    ratioBarsSvg("Shop / raw baseline (lower is better; the mark is the target)", bars),
  );
}

interface PipelineRun {
  readonly mode: string;
  readonly orders: number;
  readonly paymentMs: number;
  readonly refused: Record<string, number>;
  readonly rows: { name: string; n: number; p50: number; p90: number; p99: number; max: number }[];
  readonly breakdown: { name: string; n: number; p50: number; p99: number }[];
  readonly callsPerOrder: { call: string; perOrder: number }[];
  readonly samples: { shop: number[]; raw: number[]; rawAlone?: number[]; email: number[] };
  readonly perSecond?: {
    shop: { atSecond: number; p50: number; p99: number; max: number; rate: number }[];
    raw: { atSecond: number; p50: number; p99: number; max: number; rate: number }[];
  };
}

/** Runs `npm run bench:pipeline -- <args>` and reads its figures; its progress shows as it runs. */
function pipelineRun(args: readonly string[]): PipelineRun {
  progress(`pipeline ${args.join(" ")}`);
  const output = execFileSync(
    process.execPath,
    [
      "--disable-warning=ExperimentalWarning",
      "--import",
      "tsx",
      "bench/pipeline-latency.ts",
      ...args,
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(output.split("PIPELINE_JSON ")[1] ?? "{}") as PipelineRun;
}

function pipelineTable(run: PipelineRun) {
  log("| path | orders | p50 ms | p90 ms | p99 ms | max ms |");
  log("|---|---|---|---|---|---|");
  for (const row of run.rows) {
    log(
      `| ${row.name.replace(" (ms)", "")} | ${row.n} | ${row.p50} | ${row.p90} | ${row.p99} | ${row.max} |`,
    );
  }
  const refused = Object.entries(run.refused ?? {});
  if (refused.length > 0) {
    log();
    log(`Refused by the api: ${refused.map(([status, n]) => `${n} with ${status}`).join(", ")}.`);
  }
  log();
}

/** A pipeline run's distributions: the shop and its raw chains to CONFIRMED, the shop to the email. */
function pipelineChart(file: string, what: string, run: PipelineRun) {
  chart(
    file,
    `${what}: order to CONFIRMED, the shop against the raw chain`,
    latencyDistributionSvg(`${what}: order -> CONFIRMED (ms)`, [
      { name: "shop", samples: run.samples.shop },
      { name: "raw twins", samples: run.samples.raw },
      ...(run.samples.rawAlone?.length
        ? [{ name: "raw chain alone", samples: run.samples.rawAlone }]
        : []),
      { name: "shop, order -> email", samples: run.samples.email },
    ]),
  );
}

async function pipelineScenarios() {
  const sustainedSeconds = Number(process.env.BENCH_SUSTAINED_SECONDS ?? 60);
  const sustainable = Number(process.env.BENCH_SUSTAINABLE_RATE ?? 10);
  const oneAtATime = pipelineRun(["one-at-a-time", "50"]);
  log("### One order at a time (payment provider 0 ms)");
  log();
  log(
    "Each order is placed once the previous one has been emailed, with its raw twin started beside it (the same moment's load: the order's other consumers and the stream processor work while its fraud check runs); then a raw chain runs alone on the quiet machine.",
  );
  log();
  pipelineTable(oneAtATime);
  log("Where an order's time goes (each step of its timeline, from its createdAt):");
  log();
  log("| step | p50 ms | p99 ms |");
  log("|---|---|---|");
  for (const step of oneAtATime.breakdown) log(`| ${step.name} | ${step.p50} | ${step.p99} |`);
  log();
  log(
    `AWS calls per order, every function and event source together: ${oneAtATime.callsPerOrder.map((c) => `${c.call} ${c.perOrder}`).join(", ")}.`,
  );
  log();
  pipelineChart("pipeline-one-at-a-time.svg", "One order at a time", oneAtATime);

  const burst = pipelineRun(["burst", "100", "4"]);
  log("### A burst of 100 orders from 4 clients (payment provider 0 ms)");
  log();
  pipelineTable(burst);
  pipelineChart("pipeline-burst.svg", "A burst of 100 from 4 clients", burst);

  // What this machine allows: DynamoDB Local's own write rate against the calls an order costs.
  const { writesPerSecond } = pipelineRun(["capacity"]) as unknown as { writesPerSecond: number };
  const dynamoCallsPerOrder = round(
    oneAtATime.callsPerOrder
      .filter((c) => c.call.startsWith("DynamoDB"))
      .reduce((sum, c) => sum + c.perOrder, 0),
    0,
  );
  const ceiling = round(writesPerSecond / dynamoCallsPerOrder, 0);
  log("### What this machine allows");
  log();
  log(
    `DynamoDB Local alone accepts ${writesPerSecond} small writes a second here (16 clients, nothing else running: \`npm run bench:pipeline -- capacity\`). An order costs the pipeline ${dynamoCallsPerOrder} DynamoDB calls (counted above), so no code could settle more than about ${ceiling} orders a second on this machine, before the Node process that runs the api, every consumer and the SNS/SQS emulator takes its share of the same two cores. The sustained runs below are at 50 orders a second (the target) and at ${sustainable}.`,
  );
  log();
  const sustainedRuns: Record<string, PipelineRun> = {};
  for (const rate of [50, sustainable]) {
    const run = pipelineRun(["sustained", String(rate), String(sustainedSeconds)]);
    sustainedRuns[`${rate}/s`] = run;
    log(
      `### Sustained: ${rate} orders a second for ${sustainedSeconds} s (payment provider 200 ms)`,
    );
    log();
    pipelineTable(run);
    const seconds = run.perSecond?.shop ?? [];
    const window = (points: typeof seconds) => median(points.map((p) => p.p99));
    const first = window(seconds.slice(0, 10));
    const last = window(seconds.slice(-10));
    log(
      `Lag p99 per second, median over the first 10 s: ${first} ms; over the last 10 s: ${last} ms.`,
    );
    log();
    chart(
      `pipeline-sustained-${rate}.svg`,
      `Sustained ${rate} orders/s: lag from order to CONFIRMED over time`,
      lagOverTimeSvg(
        `${rate} orders/s for ${sustainedSeconds} s: order -> CONFIRMED lag (ms)`,
        seconds,
        {
          targetMs: 500,
        },
      ),
    );
  }
  return {
    oneAtATime,
    burst,
    capacity: { writesPerSecond, dynamoCallsPerOrder, ceiling },
    sustained: sustainedRuns,
  };
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
  // The floor under any GraphQL server: graphql-js executing the same document with the same
  // resolvers and data, and the answer serialized; no Apollo, no HTTP, no limits.
  const schema = makeExecutableSchema({ typeDefs, resolvers });
  const document = parse(query);
  const contextValue: RequestContext = {
    requestId: "bench",
    correlationId: "bench",
    annotate: () => {},
    viewer: ANONYMOUS,
    environment: "production",
    services,
    logger: quiet,
  };
  const executeAlone = async () =>
    JSON.stringify(await execute({ schema, document, contextValue }));
  const variants: [string, () => Promise<unknown>][] = [
    ["api handler, lean (as shipped)", () => lean(event, createLambdaContext("bench"))],
    ["api handler, Apollo defaults (before)", () => defaults(event, createLambdaContext("bench"))],
    ["graphql-js execute alone, same schema and data (the floor)", executeAlone],
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

/**
 * Scenario 5: the bundled api handler's import and first invocation against the unbundled one,
 * both in Lambda's environment (traced), and bundle sizes.
 */
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
  // As Lambda runs it: an on-demand cold start with a sampled trace, so Powertools Tracer is on
  // (it patches HTTP at load and records the invocation) and its segments go to a daemon
  // address nobody listens on (UDP: sent and dropped).
  const lambdaEnv = {
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    LAMBDA_TASK_ROOT: outdir,
    AWS_XRAY_DAEMON_ADDRESS: "127.0.0.1:2000",
    _X_AMZN_TRACE_ID: "Root=1-6744a1b0-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1",
    POWERTOOLS_TRACE_ENABLED: "true",
  };
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
      execFileSync(process.execPath, args, {
        encoding: "utf8",
        env: { ...process.env, ...lambdaEnv },
      })
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

main().then(
  // The issuer's JWKS server and the SDK clients' sockets would keep the process alive.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
