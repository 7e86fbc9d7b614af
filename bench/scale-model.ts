/**
 * The scale model: what one order costs each partition key, function and quota, measured on
 * the real code, and the order rate at which each saturates on AWS.
 *
 *   npm run scale                    # 20 orders a second for 8 s, per scenario
 *   npm run scale -- 30 15           # orders a second, seconds
 *
 * It starts its own DynamoDB Local and SNS/SQS emulator, runs the api handler and every
 * consumer behind its local event source (as `npm start` does), and places orders at a modest
 * rate, after a warm-up, in two scenarios: spread evenly across the catalog, and all of one
 * product, which an admin makes hot first. Every DynamoDB request of the shop's code goes
 * through a middleware that books its consumed capacity on the partition keys it names
 * (bench/lib/capacity-meter.ts); SNS publishes are counted; then orders placed one at a time
 * time each function's handler. Per scenario:
 *
 * - each key class (a table or index, and the shape of its key) with its busiest key's read and
 *   write units per order (keys spread by a hash: their mean), and the rate at which that key
 *   reaches DynamoDB's per-partition limits; classes with a key of their own per order (or per
 *   request) do not grow with the rate and have no ceiling;
 * - each function's busy time per order and the rate at which it fills its concurrency
 *   (reserved, or its queue's maximum, or the account's pool), with SQS batches full and
 *   their records handled side by side, as they are at load; all functions together against
 *   the account's concurrency quota;
 * - the API stage's throttle, and SNS publishes per order against the account's publish quota.
 *
 * The shop's ceiling in a scenario is the lowest rate; the run exits 1 when a scenario's
 * ceiling is below its target in the topology (`SCALE`).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { Client } from "@smithy/core/client";
import type { Context } from "aws-lambda";
import type { TableDefinition } from "../adapters/table-definitions";
import { buildHandler as buildApiHandler } from "../api/handler";
import type { Logger } from "../core/shared/ports";
import {
  apiFunction,
  type ConsumerName,
  consumers,
  type FunctionSpec,
  SCALE,
  type TableName,
  tables,
} from "../infra/topology";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../local/emulators/local-aws";
import { localIssuer, serveJwks } from "../local/emulators/local-issuer";
import {
  createLocalClients,
  functionEnvironment,
  NO_WEBSOCKET_API,
  provisionShop,
  startEmulators,
} from "../local/emulators/stack";
import { startEventSources } from "../local/lambda/event-sources";
import { createLambdaContext } from "../local/lambda/lambda-context";
import { httpEvent } from "../test/support/api-events";
import { positiveArgument } from "./lib/args";
import { CapacityMeter, type KeyLoad, type TableSchema } from "./lib/capacity-meter";
import { median } from "./lib/stats";

const USAGE = "usage: npm run scale -- [orders-per-second] [seconds]";
const RATE = positiveArgument(2, 20, USAGE);
const SECONDS = positiveArgument(3, 8, USAGE);
/** Lambda's concurrency quota of a new account, before a quota request. */
const DEFAULT_LAMBDA_CONCURRENCY = 1000;
/** Orders placed one at a time to time the functions. */
const PROBES = 10;
const CATALOG_PRODUCTS = 40;
const HOT_PRODUCT = "prod-0001";
/**
 * The buckets a flash sale's product is spread over: an order writes one (2 units in its
 * transaction), so 8 take 1,000 orders a second at about 250 units each.
 */
const HOT_BUCKETS = 8;

const quiet: Logger = {
  info: () => {},
  warn: (m, e) => console.error(m, e),
  error: (m, e) => console.error(m, e),
};
const progress = (line: string) => process.stderr.write(`  [scale] ${line}\n`);

/** Physical table name -> its keys and indexes, for every table any scenario provisions. */
const schemas = new Map<string, TableSchema>();
/** Physical table name -> logical name. */
const logicalOf = new Map<string, TableName>();
const meter = new CapacityMeter((table) => schemas.get(table));
/** The model's own clients (setting up, checking settlement): not the shop's load. */
const unmetered = new WeakSet<object>();
let snsPublishes = 0;
const send = Client.prototype.send;
Client.prototype.send = function (this: Client<never, never, never, never>, command, ...rest) {
  const service = (this.config as { serviceId?: string }).serviceId;
  if (!unmetered.has(this)) {
    if (service === "DynamoDB") meter.attach(this as unknown as DynamoDBClient);
    const name = command.constructor.name;
    if (service === "SNS" && name === "PublishCommand") snsPublishes++;
    if (service === "SNS" && name === "PublishBatchCommand")
      snsPublishes += (
        (command.input as { PublishBatchRequestEntries?: unknown[] }).PublishBatchRequestEntries ??
        []
      ).length;
  }
  return (send as (...args: unknown[]) => unknown).call(this, command, ...rest);
} as typeof send;

/** Time spent in each function's handler, and the records it handled. */
interface Busy {
  /** Each invocation's duration. */
  readonly ms: number[];
  records: number;
}

interface Scenario {
  readonly name: string;
  readonly target: number;
  readonly productFor: (i: number) => string;
  /** A product an admin makes hot before the orders, and over how many buckets. */
  readonly hot?: { readonly productId: string; readonly buckets: number };
}

interface Row {
  readonly what: string;
  readonly detail: string;
  readonly perOrder: string;
  /** Orders a second at which it saturates; Infinity when it does not grow with the rate. */
  readonly saturatesAt: number;
  /** A key class's write and read units per order on its busiest key. */
  readonly units?: { readonly write: number; readonly read: number };
}

/** A key's shape: what varies per order, day or shard replaced by a name. */
function shapeOf(table: TableName, index: string | undefined, key: string): string {
  if (key === "*") return "* (scan)";
  if (table === "analytics")
    return key
      .replace(/^EVENT#.*/, "EVENT#<event>")
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d/, "<minute>")
      .replace(/\d{4}-\d\d-\d\d/, "<day>")
      .replace(/#\d+$/, "#<shard>");
  if (index?.startsWith("byCategory")) return "<category>";
  if (index?.startsWith("by") && /(Owed|Pending)$/.test(index)) return "<shard>";
  if (index === "byCustomer") return "<customer>";
  if (table === "products" && key.includes("#stock#")) return "<product>#stock#<bucket>";
  if (table === "products" || table === "productHistory") return "<product>";
  return "<one per order or request>";
}

function keyRows(loads: readonly KeyLoad[], orders: number): Row[] {
  const classes = new Map<string, KeyLoad[]>();
  for (const load of loads) {
    const table = logicalOf.get(load.table);
    if (!table) continue;
    const name = `${table}${load.index ? ` index ${load.index}` : ""} ${shapeOf(table, load.index, load.key)}`;
    classes.set(name, [...(classes.get(name) ?? []), load]);
  }
  const rows: Row[] = [];
  for (const [name, keys] of classes) {
    // Keys spread by a hash (shards) share the load evenly at any rate worth modelling; in a
    // run of a few hundred orders their busiest key is mostly luck, so take their mean. Any
    // other class is as loaded as its busiest key.
    const hashed = name.includes("<shard>");
    const load = (kind: "read" | "write") =>
      hashed
        ? keys.reduce((sum, key) => sum + key[kind], 0) / keys.length
        : Math.max(...keys.map((key) => key[kind]));
    const w = load("write") / orders;
    const r = load("read") / orders;
    // A key per order (or per request, per event) carries a bounded load, whatever the rate.
    const spread = keys.length >= orders / 2;
    const saturatesAt = spread
      ? Number.POSITIVE_INFINITY
      : Math.min(
          w > 0 ? SCALE.limits.partitionWriteUnits / w : Number.POSITIVE_INFINITY,
          r > 0 ? SCALE.limits.partitionReadUnits / r : Number.POSITIVE_INFINITY,
        );
    rows.push({
      what: name,
      detail: `${keys.length} key${keys.length === 1 ? "" : "s"}${spread ? ", one per order" : hashed ? ", by hash" : ""}`,
      perOrder: `${w.toFixed(2)} WCU, ${r.toFixed(2)} RCU`,
      saturatesAt,
      units: { write: w, read: r },
    });
  }
  return rows;
}

/** The most invocations of a function at once on AWS. */
function concurrencyCap(
  spec: FunctionSpec & { source?: { kind: string; maxConcurrency?: number } },
) {
  if (spec.reservedConcurrency !== undefined)
    return { cap: spec.reservedConcurrency, why: "reserved" };
  if (spec.source?.kind === "sqs" && spec.source.maxConcurrency !== undefined)
    return { cap: spec.source.maxConcurrency, why: "queue's maximum" };
  return { cap: SCALE.limits.lambdaConcurrency, why: "account pool" };
}

/**
 * @param busy each function's invocations, timed one order at a time
 * @param recordsPerOrder the records each function handles per order, counted at the rate
 */
function functionRows(
  busy: ReadonlyMap<string, Busy>,
  recordsPerOrder: ReadonlyMap<string, number>,
): Row[] {
  const rows: Row[] = [];
  let accountBusy = 0;
  for (const [name, b] of busy) {
    if (b.records === 0) continue;
    const spec = name === "api" ? apiFunction : consumers[name as ConsumerName];
    const source = "source" in spec ? spec.source : undefined;
    // The median invocation: the machine is shared, and one slow moment is not the code's.
    const invocationMs = median(b.ms);
    // At load an SQS batch is full and its records are handled side by side: an invocation
    // lasts about as long as one record's, and carries batchSize of them.
    const perRecordMs =
      source?.kind === "sqs"
        ? invocationMs / source.batchSize
        : (invocationMs * b.ms.length) / b.records;
    const busySecondsPerOrder = (perRecordMs * (recordsPerOrder.get(name) ?? 0)) / 1000;
    accountBusy += busySecondsPerOrder;
    const { cap, why } = concurrencyCap(spec as FunctionSpec);
    rows.push({
      what: `lambda ${name}`,
      detail: `${cap} at once (${why}), ${perRecordMs.toFixed(1)} ms per record`,
      perOrder: `${(busySecondsPerOrder * 1000).toFixed(1)} ms busy`,
      saturatesAt: cap / busySecondsPerOrder,
    });
  }
  // Every function's invocations count against the account's concurrency.
  rows.push({
    what: "lambda, all functions",
    detail: `${SCALE.limits.lambdaConcurrency.toLocaleString("en-US")} at once (account)`,
    perOrder: `${(accountBusy * 1000).toFixed(1)} ms busy`,
    saturatesAt: SCALE.limits.lambdaConcurrency / accountBusy,
  });
  return rows;
}

function table(rows: readonly Row[]) {
  const rate = (n: number) =>
    Number.isFinite(n) ? `${Math.round(n).toLocaleString("en-US")}/s` : "no limit";
  const lines = [
    ["what", "keys / capacity", "per order", "saturates at"],
    ...rows.map((r) => [r.what, r.detail, r.perOrder, rate(r.saturatesAt)]),
  ];
  const widths = lines[0]?.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? "").length))) ?? [];
  return lines
    .map((l) =>
      l
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

async function runScenario(
  emulators: Awaited<ReturnType<typeof startEmulators>>,
  scenario: Scenario,
): Promise<{ rows: Row[]; ceiling: Row }> {
  const prefix = `scale-${scenario.name}-`;
  const shop = await provisionShop(emulators, { prefix, seed: true });
  for (const [logical, physical] of Object.entries(shop.provisioned.tableNames)) {
    logicalOf.set(physical, logical as TableName);
    const definition: TableDefinition = tables[logical as TableName];
    schemas.set(physical, {
      keys: [
        definition.partitionKey.name,
        ...(definition.sortKey ? [definition.sortKey.name] : []),
      ],
      indexes: Object.fromEntries(
        (definition.globalSecondaryIndexes ?? []).map((i) => [i.indexName, i.partitionKey.name]),
      ),
    });
  }
  const local = createLocalClients(emulators);
  for (const client of [local.dynamodb, local.document, local.sns, local.sqs])
    unmetered.add(client);
  const names = shop.provisioned.tableNames;
  for (let i = 1; i <= CATALOG_PRODUCTS; i++) {
    await local.document.send(
      new UpdateCommand({
        TableName: names.products,
        Key: { productId: `prod-${String(i).padStart(4, "0")}` },
        UpdateExpression: "SET stock = :s",
        ExpressionAttributeValues: { ":s": 10_000_000 },
      }),
    );
  }
  const busy = new Map<string, Busy>();
  const timed =
    <E, R>(name: string, handler: (event: E, context: Context) => Promise<R>) =>
    async (event: E, context: Context) => {
      const started = performance.now();
      try {
        return await handler(event, context);
      } finally {
        const b = busy.get(name) ?? { ms: [], records: 0 };
        b.ms.push(performance.now() - started);
        b.records += (event as { Records?: unknown[] }).Records?.length ?? 1;
        busy.set(name, b);
      }
    };
  const sources = await startEventSources({
    provisioned: shop.provisioned,
    endpoints: { ...emulators, websocketManagement: NO_WEBSOCKET_API },
    retryDelaySeconds: 2,
    logger: quiet,
    // The reconciler runs on its schedule in the cloud; here it would only add noise.
    only: (Object.keys(consumers) as ConsumerName[]).filter((name) => name !== "reconciler"),
    wrap: (name, handler) => timed(name, handler),
  });
  const issuer = await localIssuer();
  const jwks = await serveJwks(issuer);
  const tokens = await Promise.all(
    Array.from({ length: 100 }, (_, i) => issuer.mint({ customer: `scale-${i}` })),
  );
  const api = timed(
    "api",
    buildApiHandler(
      functionEnvironment(apiFunction, { ...emulators, jwks: jwks.url }, shop.provisioned),
      { logger: quiet },
    ),
  );
  /** A JSON POST to the api handler, as API Gateway sends it. */
  const post = (path: string, token: string, body: string) =>
    api(
      httpEvent({
        method: "POST",
        path,
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body,
      }),
      createLambdaContext("shop-api"),
    );
  if (scenario.hot) {
    // As the shop's owner would before a flash sale: spread its stock over buckets.
    const result = await post(
      "/graphql",
      await issuer.mint({ admin: "scale" }),
      JSON.stringify({
        query:
          "mutation ($id: ID!, $n: Int!) { setProductStockBuckets(productId: $id, buckets: $n) { __typename } }",
        variables: { id: scenario.hot.productId, n: scenario.hot.buckets },
      }),
    );
    const body = (result as { body?: string }).body ?? "";
    if (!body.includes('"Product"')) throw new Error(`could not make the product hot: ${body}`);
  }
  let placed = 0;
  const refused: string[] = [];
  const place = async (i: number) => {
    const result = await post(
      "/orders",
      tokens[i % 100] ?? "",
      JSON.stringify({
        customer_id: `scale-${i % 100}`,
        items: [{ product_id: scenario.productFor(i), quantity: 1 }],
      }),
    );
    const status = (result as { statusCode?: number }).statusCode;
    if (status === 201) placed++;
    else refused.push(`${status} ${(result as { body?: string }).body}`);
  };
  /** Places `count` orders at RATE a second, numbered from `first`. */
  const drive = async (first: number, count: number) => {
    const started = Date.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const due = started + (i * 1000) / RATE;
      if (due > Date.now()) await sleep(due - Date.now());
      inFlight.push(place(first + i));
    }
    await Promise.all(inFlight);
    if (refused.length) throw new Error(`${refused.length} orders refused, first: ${refused[0]}`);
    await settled();
  };
  // Settled: every order decided, nothing owed, every order counted by analytics.
  const settled = async () => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { Items = [] } = await local.document.send(
        new ScanCommand({ TableName: names.orders, ConsistentRead: true }),
      );
      const open = Items.filter(
        // `_` keeps the (otherwise empty) map in place; any other key is an event owed.
        (o) => o.status === "PENDING" || Object.keys(o.owed ?? {}).some((id) => id !== "_"),
      );
      const { Items: counters = [] } = await local.document.send(
        new ScanCommand({ TableName: names.analytics, ConsistentRead: true }),
      );
      const counted = counters
        .filter((c) => c.sk === "TOTAL")
        .reduce((sum, c) => sum + Number(c.orders ?? 0), 0);
      if (Items.length === placed && open.length === 0 && counted === placed) return;
      if (Date.now() > deadline)
        throw new Error(
          `not settled in 30 s: ${open.length} open (${JSON.stringify(open[0])}), ${counted}/${placed} counted`,
        );
      await sleep(50);
    }
  };
  // A warm-up first (the JIT, the pollers, DynamoDB Local's own), not measured.
  progress(`${scenario.name}: warming up`);
  await drive(0, Math.round(RATE * 2));
  const warm = placed;
  meter.clear();
  busy.clear();
  snsPublishes = 0;
  progress(`${scenario.name}: ${RATE} orders/s for ${SECONDS} s`);
  await drive(warm, Math.round(RATE * SECONDS));
  const measured = placed - warm;
  const resolver = new DynamoDBClient({
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoint: emulators.dynamodb,
  });
  unmetered.add(resolver);
  await meter.resolveIndexKeys(resolver);
  resolver.destroy();
  const loads = meter.loadsByKey().filter((load) => load.table.startsWith(prefix));
  const publishes = snsPublishes;
  const recordsPerOrder = new Map([...busy].map(([name, b]) => [name, b.records / measured]));
  // How long each function takes when nothing else is waiting: orders one at a time, each
  // settled before the next. Under load this machine's two cores, not the code, would set it.
  progress(`${scenario.name}: ${PROBES} orders one at a time, for the functions' times`);
  busy.clear();
  for (let i = 0; i < PROBES; i++) await drive(placed, 1);
  await sources.stop();
  await new Promise((done) => jwks.server.close(done));
  local.destroy();
  const rows = [
    ...keyRows(loads, measured),
    ...functionRows(busy, recordsPerOrder),
    {
      what: "api gateway stage",
      detail: `${SCALE.limits.apiRequestsPerSecond.toLocaleString("en-US")} requests/s (throttle)`,
      perOrder: "1 request",
      saturatesAt: SCALE.limits.apiRequestsPerSecond,
    },
    {
      what: "sns publish",
      detail: `${SCALE.limits.snsPublishPerSecond.toLocaleString("en-US")}/s per account`,
      perOrder: `${(publishes / measured).toFixed(2)} publishes`,
      saturatesAt: SCALE.limits.snsPublishPerSecond / (publishes / measured),
    },
  ].sort((a, b) => a.saturatesAt - b.saturatesAt);
  const ceiling = rows[0] as Row;
  return { rows, ceiling };
}

async function main() {
  process.env.POWERTOOLS_LOG_LEVEL = "ERROR";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  process.env.AWS_ACCESS_KEY_ID = "local";
  process.env.AWS_SECRET_ACCESS_KEY = "local";
  const emulators = await startEmulators({ dynamodbPort: 0, snsSqsPort: 0 });
  const scenarios: Scenario[] = [
    {
      name: "catalog",
      target: SCALE.targets.ordersPerSecond,
      productFor: (i) => `prod-${String((i % CATALOG_PRODUCTS) + 1).padStart(4, "0")}`,
    },
    {
      name: "one-product",
      target: SCALE.targets.singleProductOrdersPerSecond,
      productFor: () => HOT_PRODUCT,
      hot: { productId: HOT_PRODUCT, buckets: HOT_BUCKETS },
    },
  ];
  let short = false;
  try {
    for (const scenario of scenarios) {
      const { rows, ceiling } = await runScenario(emulators, scenario);
      const label =
        scenario.name === "catalog"
          ? `Orders spread evenly across ${CATALOG_PRODUCTS} products`
          : `Orders all of one product (${HOT_PRODUCT})`;
      console.log(`\n${label}: ${RATE} orders/s for ${SECONDS} s, extrapolated\n`);
      console.log(table(rows));
      const met = ceiling.saturatesAt >= scenario.target;
      console.log(
        `\nCeiling: ${Math.round(ceiling.saturatesAt).toLocaleString("en-US")} orders/s (${ceiling.what}); target ${scenario.target.toLocaleString("en-US")}: ${met ? "met" : "NOT MET"}`,
      );
      console.log(
        `SCALE_JSON ${JSON.stringify({
          scenario: scenario.name,
          ceiling: Math.round(ceiling.saturatesAt),
          limitedBy: ceiling.what,
          target: scenario.target,
          rows: rows.map((row) => ({
            what: row.what,
            saturatesAt: Number.isFinite(row.saturatesAt) ? Math.round(row.saturatesAt) : null,
            ...(row.units ? { units: row.units } : {}),
          })),
        })}`,
      );
      const allFunctions = rows.find((row) => row.what === "lambda, all functions");
      if (allFunctions) {
        const atDefault =
          (allFunctions.saturatesAt * DEFAULT_LAMBDA_CONCURRENCY) / SCALE.limits.lambdaConcurrency;
        console.log(
          `At Lambda's default account quota (${DEFAULT_LAMBDA_CONCURRENCY.toLocaleString("en-US")} at once) the functions together would saturate at ${Math.round(atDefault).toLocaleString("en-US")} orders/s.`,
        );
      }
      if (!met) short = true;
    }
  } finally {
    await emulators.stop();
  }
  process.exitCode = short ? 1 : 0;
}

await main();
