/**
 * How long, locally, from an order to CONFIRMED and to its confirmation email, against a
 * raw chain making the same hops with nothing else. Starts its own emulators and every
 * consumer behind its local event source (one Node process and DynamoDB Local, as
 * `npm start` runs them), places orders through the api handler, and reads the times the
 * system recorded itself (the order's createdAt, the updatedAt of its CONFIRMED write, the
 * email's sentAt: one clock, no polling error).
 *
 *   npm run bench:pipeline -- one-at-a-time [orders=50]
 *   npm run bench:pipeline -- burst [orders=100] [clients=4]
 *   npm run bench:pipeline -- sustained [orders-per-second=50] [seconds=60]
 *   npm run bench:pipeline -- capacity   (DynamoDB Local's own write rate on this machine)
 *
 * The raw chain is the pipeline's hops and nothing more: a TransactWriteItems and an SNS
 * publish, the SQS delivery to a long-polling worker (as many as the fraud consumer has),
 * then the fraud consumer's four DynamoDB round trips (claim; read beside a query; the
 * conditional status write, which is when it counts as confirmed; the claim's completion).
 * In the sustained run both wait 200 ms for the payment provider.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { PublishCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from "@aws-sdk/client-sqs";
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { Client } from "@smithy/core/client";
import { DynamoEventLog } from "../adapters/dynamo-event-log";
import { DynamoHistoryRepository } from "../adapters/dynamo-history-repository";
import { DynamoOrderRepository } from "../adapters/dynamo-order-repository";
import { MailOutbox } from "../adapters/outbox-mailer";
import { buildHandler as buildApiHandler } from "../api/handler";
import { buildTimeline } from "../core/orders/order-timeline";
import type { Logger } from "../core/shared/ports";
import { apiFunction, consumers } from "../infra/topology";
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
import { positiveArgument } from "./lib/args";
import { percentile } from "./lib/stats";

const MODES = ["one-at-a-time", "burst", "sustained", "capacity"] as const;
type Mode = (typeof MODES)[number];
const mode = (process.argv[2] ?? "burst") as Mode;
if (!MODES.includes(mode)) {
  console.error(`unknown mode "${mode}"; choose from ${MODES.join(", ")}`);
  process.exit(2);
}
/** A count after the mode: the mode is argument 0. */
const arg = (index: number, fallback: number) =>
  positiveArgument(index, fallback, `argument ${index - 2} must be a positive number`);
const PAYMENT_MS = mode === "sustained" ? 200 : 0;
const quiet: Logger = { info: () => {}, warn: () => {}, error: (m, e) => console.error(m, e) };
/** Progress on stderr, so stdout stays the figures. */
const progress = (line: string) => process.stderr.write(`  [pipeline ${mode}] ${line}\n`);

function summary(name: string, values: readonly number[]) {
  return {
    name,
    n: values.length,
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p99: percentile(values, 99),
    max: values.length ? Math.max(...values) : Number.NaN,
  };
}

/** One order's recorded times, in ms since the epoch. */
interface Settled {
  readonly placedAt: number;
  readonly confirmedAfter: number;
  readonly emailedAfter?: number;
}

/**
 * Every AWS call this process makes (the api, every consumer and every event source share
 * it), by service and command: what an order costs in round trips, counted rather than guessed.
 */
const calls = new Map<string, number>();
/** The benchmark's own clients (its polling, the raw twins): not counted. */
const uncounted = new WeakSet<object>();
const send = Client.prototype.send;
Client.prototype.send = function (this: Client<never, never, never, never>, command, ...rest) {
  const key = `${(this.config as { serviceId?: string }).serviceId ?? "?"} ${command.constructor.name.replace(/Command$/, "")}`;
  if (!uncounted.has(this)) calls.set(key, (calls.get(key) ?? 0) + 1);
  return (send as (...args: unknown[]) => unknown).call(this, command, ...rest);
} as typeof send;

/**
 * What DynamoDB Local alone accepts on this machine: 16 clients writing small items for 5 s
 * through the same SDK, nothing else running. An order costs the pipeline about 30
 * DynamoDB calls, so this bounds the order rate any code could sustain here.
 */
async function capacity() {
  const emulators = await startEmulators({ dynamodbPort: 0, snsSqsPort: 0 });
  const local = createLocalClients(emulators);
  try {
    await local.dynamodb.send(
      new CreateTableCommand({
        TableName: "bench-capacity",
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      }),
    );
    const write = (n: number) =>
      local.document.send(
        new PutCommand({
          TableName: "bench-capacity",
          Item: { pk: `k${n}`, body: "x".repeat(400) },
        }),
      );
    let n = 0;
    // A warm-up first: DynamoDB Local is a JVM.
    for (const seconds of [3, 5]) {
      n = 0;
      const end = Date.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (Date.now() < end) await write(n++);
        }),
      );
    }
    const writesPerSecond = Math.round(n / 5);
    console.log(`DynamoDB Local alone: ${writesPerSecond} writes/s (16 clients, 5 s)`);
    console.log(`PIPELINE_JSON ${JSON.stringify({ mode, writesPerSecond })}`);
  } finally {
    local.destroy();
    await emulators.stop();
  }
}

async function main() {
  if (mode === "capacity") return capacity();
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  process.env.POWERTOOLS_LOG_LEVEL = "ERROR";
  process.env.AWS_ACCESS_KEY_ID = "local";
  process.env.AWS_SECRET_ACCESS_KEY = "local";
  const emulators = await startEmulators({ dynamodbPort: 0, snsSqsPort: 0 });
  try {
    const shop = await provisionShop(emulators, { prefix: "bench-", seed: true });
    const local = createLocalClients(emulators);
    for (const client of [local.dynamodb, local.document, local.sns, local.sqs])
      uncounted.add(client);
    const tables = shop.provisioned.tableNames;
    // Stock enough for any run: a refusal for want of stock would not be a pipeline figure.
    for (let i = 1; i <= 40; i++) {
      await local.document.send(
        new UpdateCommand({
          TableName: tables.products,
          Key: { productId: `prod-${String(i).padStart(4, "0")}` },
          UpdateExpression: "SET stock = :s",
          ExpressionAttributeValues: { ":s": 1_000_000 },
        }),
      );
    }
    const raw = await startRawChain(local, shop.provisioned.topicArn, PAYMENT_MS);
    const sources = await startEventSources({
      env: { PAYMENT_LATENCY_MS: String(PAYMENT_MS) },
      provisioned: shop.provisioned,
      endpoints: { ...emulators, websocketManagement: NO_WEBSOCKET_API },
      retryDelaySeconds: 2,
      logger: quiet,
    });
    // The customers' tokens, from an issuer whose keys the api reads, as under npm start.
    const issuer = await localIssuer();
    const jwks = await serveJwks(issuer);
    const customers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => issuer.mint({ customer: `returning-${i}` })),
    );
    const api = buildApiHandler(
      functionEnvironment(apiFunction, { ...emulators, jwks: jwks.url }, shop.provisioned),
      { logger: quiet },
    );
    const orders = new DynamoOrderRepository(local.document, tables);
    const outbox = new MailOutbox(local.document, tables.mailOutbox);
    let placed = 0;
    /** Orders the api refused, by status (none expected: the stock is ample). */
    const refused = new Map<number, number>();
    const placeOrder = async (): Promise<string | undefined> => {
      const i = placed++;
      const productId = `prod-${String((i % 40) + 1).padStart(4, "0")}`;
      const result = await api(
        {
          version: "2.0",
          routeKey: "$default",
          rawPath: "/orders",
          rawQueryString: "",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${customers[i % 50]}`,
          },
          requestContext: {
            http: {
              method: "POST",
              path: "/orders",
              protocol: "HTTP/1.1",
              sourceIp: "127.0.0.1",
              userAgent: "bench",
            },
          } as never,
          isBase64Encoded: false,
          body: JSON.stringify({
            customer_id: `returning-${i % 50}`,
            items: [{ product_id: productId, quantity: 1 }],
          }),
        },
        createLambdaContext("shop-api"),
      );
      const status = result.statusCode ?? 0;
      if (status === 201) return JSON.parse(result.body ?? "{}").order_id;
      refused.set(status, (refused.get(status) ?? 0) + 1);
      if (refused.size === 1 && refused.get(status) === 1)
        progress(`an order was refused: ${status} ${result.body}`);
      return undefined;
    };
    // Let the stream poller find its shard and every worker start polling, then warm up: a
    // few orders and raw chains through every path first, as the other scenarios warm up.
    await sleep(2000);
    /** Waits until the order's email is in the outbox: its pipeline has run to the end. */
    const untilEmailed = async (id: string) => {
      for (let waited = 0; !(await outbox.forOrder(id)).length; waited += 5) {
        if (waited > 30_000) throw new Error(`order ${id} was not emailed within 30 s`);
        await sleep(5);
      }
    };
    for (let n = 0; n < 5; n++) {
      const id = await placeOrder();
      if (id) await untilEmailed(id);
      await raw.run();
    }

    const ids: string[] = [];
    const rawLags: { placedAt: number; lag: number }[] = [];
    /** One at a time only: raw chains on the quiet machine. */
    const rawAlone: number[] = [];
    calls.clear();
    const started = Date.now();
    if (mode === "one-at-a-time") {
      // Each order is placed once the previous one has been emailed (the pipeline empty), with
      // its raw twin beside it (the same moment's load: the order's other consumers and the
      // stream processor work while its fraud check runs); then a raw chain alone, on the
      // quiet machine: what the hops take with nothing else.
      const count = arg(3, 50);
      for (let n = 0; n < count; n++) {
        const id = await placeOrder();
        if (!id) throw new Error("an order was refused");
        ids.push(id);
        const twin = raw.start();
        await untilEmailed(id);
        rawLags.push(await twin.done);
        rawAlone.push((await raw.run()).lag);
        if ((n + 1) % 10 === 0) progress(`${n + 1}/${count} orders, and as many raw chains`);
      }
    } else if (mode === "burst") {
      const count = arg(3, 100);
      const clients = arg(4, 4);
      const worker = async (place: () => Promise<void>, quota: { left: number }) => {
        while (quota.left-- > 0) await place();
      };
      // Each order has a raw twin started right after it, so both see the same machine:
      // what the hops alone take under the burst's load.
      const quota = { left: count };
      const rawRuns: Promise<{ placedAt: number; lag: number }>[] = [];
      await Promise.all(
        Array.from({ length: clients }, () =>
          worker(async () => {
            const id = await placeOrder();
            if (id) ids.push(id);
            const twin = raw.start();
            rawRuns.push(twin.done);
            await twin.published;
          }, quota),
        ),
      );
      progress(`${ids.length} orders and their raw twins placed in ${Date.now() - started} ms`);
      rawLags.push(...(await Promise.all(rawRuns)));
    } else {
      const rate = arg(3, 50);
      const seconds = arg(4, 60);
      const total = Math.round(rate * seconds);
      const rawRuns: Promise<{ placedAt: number; lag: number }>[] = [];
      // Open loop: the n-th order is placed at n / rate seconds, whatever the answers' pace.
      const openLoop = async (place: () => void, label: string) => {
        const begin = performance.now();
        for (let n = 0; n < total; n++) {
          const due = begin + (n * 1000) / rate;
          const wait = due - performance.now();
          if (wait > 0) await sleep(wait);
          place();
          if ((n + 1) % rate === 0)
            progress(`${label}: ${(n + 1) / rate}/${seconds} s, ${n + 1} placed`);
        }
      };
      const inFlight: Promise<void>[] = [];
      await openLoop(() => {
        inFlight.push(
          placeOrder().then((id) => {
            if (id) ids.push(id);
          }),
        );
        rawRuns.push(raw.start().done);
      }, "orders and raw twins");
      await Promise.all(inFlight);
      progress(`${ids.length} orders placed; settling`);
      rawLags.push(...(await Promise.all(rawRuns)));
    }
    const shopSettled = await waitSettled();

    async function waitSettled(): Promise<Map<string, Settled>> {
      const deadline = Date.now() + 180_000;
      for (;;) {
        const found = new Map<string, Settled>();
        let pending = 0;
        for (let start = 0; start < ids.length; start += 100) {
          const { Responses } = await local.document.send(
            new BatchGetCommand({
              RequestItems: {
                [tables.orders]: {
                  Keys: ids.slice(start, start + 100).map((orderId) => ({ orderId })),
                  ProjectionExpression: "orderId, #s, createdAt, updatedAt",
                  ExpressionAttributeNames: { "#s": "status" },
                },
              },
            }),
          );
          for (const item of Responses?.[tables.orders] ?? []) {
            if (item.status === "PENDING") pending++;
            else if (item.status === "CONFIRMED") {
              const placedAt = Date.parse(item.createdAt);
              found.set(item.orderId, {
                placedAt,
                confirmedAfter: Date.parse(item.updatedAt) - placedAt,
              });
            }
          }
        }
        const mails = await scanAll(local.document, tables.mailOutbox);
        let emailed = 0;
        for (const mail of mails) {
          const order = found.get(String(mail.orderId));
          if (!order) continue;
          emailed++;
          found.set(String(mail.orderId), {
            ...order,
            emailedAfter: Date.parse(String(mail.sentAt)) - order.placedAt,
          });
        }
        if (pending === 0 && emailed >= found.size) return found;
        if (Date.now() > deadline) throw new Error("the orders did not settle within 180 s");
        progress(`${pending} pending, ${found.size - emailed} confirmed and not yet emailed`);
        await sleep(1000);
      }
    }

    // Calls per order while the orders ran, before the timelines below are read.
    const perOrder = [...calls]
      .map(([call, n]) => ({
        call,
        perOrder: Math.round((100 * n) / Math.max(1, ids.length)) / 100,
      }))
      .sort((a, b) => b.perOrder - a.perOrder);
    // Where the time goes: each step of an order's timeline, as an offset from its createdAt
    // (the first 100 orders: reading every timeline of a long run would take long).
    const history = new DynamoHistoryRepository(local.document, tables.orderHistory);
    const eventLog = new DynamoEventLog(local.document, tables.eventLog);
    const steps = new Map<string, number[]>();
    for (const id of ids.slice(0, 100)) {
      const order = await orders.getOrder(id);
      if (!order) continue;
      const created = Date.parse(order.createdAt);
      const [changes, handling, emails] = await Promise.all([
        history.list(id),
        eventLog.forOrder(id),
        outbox.forOrder(id),
      ]);
      for (const entry of buildTimeline(order, changes, handling, emails)) {
        const what = entry.summary
          .split(":")[0]
          ?.replace(/ to .*/, "")
          .slice(0, 40);
        const key =
          `${entry.source.split(":")[0]} ${entry.kind} ${entry.kind.startsWith("EVENT") ? what : ""}`.trim();
        steps.set(key, [...(steps.get(key) ?? []), Date.parse(entry.at) - created]);
      }
    }
    const breakdown = [...steps]
      .map(([step, offsets]) => summary(step, offsets))
      .sort((a, b) => a.p50 - b.p50);
    await sources.stop();
    raw.stop();
    local.destroy();
    jwks.server.close();

    const settled = [...shopSettled.values()];
    const confirmed = settled.map((s) => s.confirmedAfter);
    const emailed = settled.flatMap((s) => (s.emailedAfter === undefined ? [] : [s.emailedAfter]));
    const rows = [
      summary("createOrder -> CONFIRMED (ms)", confirmed),
      summary(
        "raw chain -> CONFIRMED (ms)",
        rawLags.map((r) => r.lag),
      ),
      ...(rawAlone.length ? [summary("raw chain alone -> CONFIRMED (ms)", rawAlone)] : []),
      summary("createOrder -> email in outbox (ms)", emailed),
    ];
    console.log(
      `${mode}: ${ids.length} orders (payment provider ${PAYMENT_MS} ms), ${ids.length - settled.length} not confirmed, ${[...refused.values()].reduce((a, b) => a + b, 0)} refused (${[...refused].map(([status, n]) => `${n}x ${status}`).join(", ") || "none"})`,
    );
    console.table(rows);
    console.log("Each step's time from the order's createdAt (ms), from the orders' timelines:");
    console.table(breakdown);
    console.log("AWS calls per order (every function and event source):");
    console.table(perOrder);
    // Lag per second of the run, by when each order was placed (the sustained run's chart).
    const perSecond = (runs: readonly { placedAt: number; lag: number }[]) => {
      const first = Math.min(...runs.map((r) => r.placedAt));
      const buckets = new Map<number, number[]>();
      for (const r of runs) {
        const second = Math.floor((r.placedAt - first) / 1000);
        buckets.set(second, [...(buckets.get(second) ?? []), r.lag]);
      }
      return [...buckets]
        .sort(([a], [b]) => a - b)
        .map(([atSecond, lags]) => {
          const s = summary("", lags);
          return { atSecond, p50: s.p50, p99: s.p99, max: s.max, rate: lags.length };
        });
    };
    const shopRuns = settled.map((s) => ({ placedAt: s.placedAt, lag: s.confirmedAfter }));
    // For npm run bench, which runs this script and reads its figures.
    console.log(
      `PIPELINE_JSON ${JSON.stringify({
        mode,
        orders: ids.length,
        refused: Object.fromEntries(refused),
        paymentMs: PAYMENT_MS,
        elapsedMs: Date.now() - started,
        rows,
        breakdown,
        callsPerOrder: perOrder,
        samples: { shop: confirmed, raw: rawLags.map((r) => r.lag), rawAlone, email: emailed },
        ...(mode === "sustained"
          ? { perSecond: { shop: perSecond(shopRuns), raw: perSecond(rawLags) } }
          : {}),
      })}`,
    );
  } finally {
    await emulators.stop();
  }
}

async function scanAll(document: DynamoDBDocumentClient, table: string) {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await document.send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/**
 * The raw chain: its own table and queue (subscribed to the shop's topic, filtered to its
 * own event type), and as many long-polling workers as the fraud consumer's maximum
 * concurrency, each handling a batch's messages side by side.
 */
async function startRawChain(
  local: ReturnType<typeof createLocalClients>,
  topicArn: string,
  paymentMs: number,
) {
  const table = "bench-raw-chain";
  await local.dynamodb.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    }),
  );
  const { QueueUrl = "" } = await local.sqs.send(
    new CreateQueueCommand({ QueueName: "bench-raw-chain" }),
  );
  const { Attributes } = await local.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  await local.sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: "sqs",
      Endpoint: Attributes?.QueueArn,
      Attributes: {
        RawMessageDelivery: "true",
        FilterPolicy: JSON.stringify({ event_type: ["raw_chain"] }),
      },
    }),
  );
  const db = local.document;
  const waiting = new Map<string, (confirmedAt: number) => void>();
  let running = true;
  const handle = async (id: string) => {
    await db.send(
      new PutCommand({
        TableName: table,
        Item: { pk: `claim#${id}`, status: "IN_PROGRESS" },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
    await Promise.all([
      db.send(new GetCommand({ TableName: table, Key: { pk: id }, ConsistentRead: true })),
      db.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": `customer#${id}` },
          Limit: 1,
        }),
      ),
    ]);
    if (paymentMs > 0) await sleep(paymentMs);
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: id },
        UpdateExpression: "SET #s = :confirmed",
        ConditionExpression: "#s = :pending",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":confirmed": "CONFIRMED", ":pending": "PENDING" },
      }),
    );
    waiting.get(id)?.(Date.now());
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: `claim#${id}` },
        UpdateExpression: "SET #s = :done",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":done": "COMPLETED" },
      }),
    );
  };
  const workers = Array.from({ length: consumers.fraud.source.localConcurrency }, async () => {
    while (running) {
      const { Messages = [] } = await local.sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      if (Messages.length === 0) continue;
      await Promise.all(Messages.map((m) => handle(String(m.Body))));
      await local.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  });
  const start = () => {
    const id = randomUUID();
    const placedAt = Date.now();
    const done = new Promise<{ placedAt: number; lag: number }>((resolve) =>
      waiting.set(id, (confirmedAt) => {
        waiting.delete(id);
        resolve({ placedAt, lag: confirmedAt - placedAt });
      }),
    );
    const published = (async () => {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table,
                Item: { pk: id, status: "PENDING", placedAt },
                ConditionExpression: "attribute_not_exists(pk)",
              },
            },
          ],
        }),
      );
      await local.sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: id,
          MessageAttributes: { event_type: { DataType: "String", StringValue: "raw_chain" } },
        }),
      );
    })();
    return { published, done };
  };
  return {
    start,
    async run() {
      const chain = start();
      await chain.published;
      return chain.done;
    },
    stop() {
      running = false;
      void Promise.allSettled(workers);
    },
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
