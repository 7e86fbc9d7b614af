/**
 * How long, locally, from createOrder to CONFIRMED and to the confirmation email in the
 * outbox. Starts its own in-memory emulators and every consumer behind its local event
 * source, places a burst of orders through the API handler, waits for them to settle,
 * and reads the times the system itself recorded: the order's createdAt, the updatedAt
 * of its CONFIRMED write, and the email's sentAt (one clock, so no polling error).
 *
 *   npm run bench:pipeline -- [orders=200] [concurrency=8]
 */

import { DynamoEventLog } from "../adapters/dynamo-event-log";
import { DynamoHistoryRepository } from "../adapters/dynamo-history-repository";
import { DynamoOrderRepository } from "../adapters/dynamo-order-repository";
import { MailOutbox } from "../adapters/outbox-mailer";
import { buildHandler as buildApiHandler } from "../api/handler";
import { buildTimeline } from "../core/orders/order-timeline";
import type { Logger } from "../core/shared/ports";
import { apiFunction } from "../infra/topology";
import { localIssuer, serveJwks } from "../local/emulators/local-issuer";
import {
  createLocalClients,
  functionEnvironment,
  provisionShop,
  startEmulators,
} from "../local/emulators/stack";
import { startEventSources } from "../local/lambda/event-sources";
import { createLambdaContext } from "../local/lambda/lambda-context";

const ORDERS = Number(process.argv[2] ?? 200);
const CONCURRENCY = Number(process.argv[3] ?? 8);
const quiet: Logger = { info: () => {}, warn: () => {}, error: (m, e) => console.error(m, e) };

function percentile(sorted: number[], p: number): number {
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
}

function summary(name: string, values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    name,
    n: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

async function main() {
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  process.env.POWERTOOLS_LOG_LEVEL = "ERROR";
  process.env.AWS_ACCESS_KEY_ID = "local";
  process.env.AWS_SECRET_ACCESS_KEY = "local";
  const emulators = await startEmulators({ dynamodbPort: 0, snsSqsPort: 0 });
  try {
    const shop = await provisionShop(emulators, { prefix: "bench-", seed: true });
    const sources = await startEventSources({
      env: { PAYMENT_LATENCY_MS: "0" },
      provisioned: shop.provisioned,
      endpoints: emulators,
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
    const local = createLocalClients(emulators);
    const tables = shop.provisioned.tableNames;
    // Let the stream poller find its shard before the burst.
    await new Promise((resolve) => setTimeout(resolve, 2000));

    const ids: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < ORDERS) {
        const i = next++;
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
        if (result.statusCode === 201) ids.push(JSON.parse(result.body ?? "{}").order_id);
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const placedIn = Date.now() - started;

    const orders = new DynamoOrderRepository(local.document, tables);
    const outbox = new MailOutbox(local.document, tables.mailOutbox);
    const deadline = Date.now() + 120_000;
    let settled: { confirmed: number[]; emailed: number[]; other: number } | undefined;
    while (Date.now() < deadline) {
      const confirmed: number[] = [];
      const emailed: number[] = [];
      let other = 0;
      for (const id of ids) {
        const order = await orders.getOrder(id);
        if (!order) continue;
        if (order.status !== "CONFIRMED") {
          if (order.status !== "PENDING") other++;
          continue;
        }
        const created = Date.parse(order.createdAt);
        confirmed.push(Date.parse(order.updatedAt) - created);
        const [mail] = await outbox.forOrder(id);
        if (mail) emailed.push(Date.parse(mail.sentAt) - created);
      }
      if (emailed.length + other === ids.length) {
        settled = { confirmed, emailed, other };
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    // Where the time goes: each step of an order's timeline, as an offset from its createdAt.
    const history = new DynamoHistoryRepository(local.document, tables.orderHistory);
    const eventLog = new DynamoEventLog(local.document, tables.eventLog);
    const steps = new Map<string, number[]>();
    for (const id of ids) {
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
    local.destroy();
    jwks.server.close();
    if (!settled) throw new Error("the burst did not settle within 120 s");
    console.log(
      `${ids.length} orders placed in ${placedIn} ms with ${CONCURRENCY} concurrent clients; ${settled.other} not confirmed`,
    );
    const rows = [
      summary("createOrder -> CONFIRMED (ms)", settled.confirmed),
      summary("createOrder -> email in outbox (ms)", settled.emailed),
    ];
    console.table(rows);
    console.log("Each step's time from the order's createdAt (ms), from the orders' timelines:");
    console.table(breakdown);
    // For npm run bench, which runs this script and reads its figures.
    console.log(
      `PIPELINE_JSON ${JSON.stringify({ orders: ids.length, concurrency: CONCURRENCY, rows, breakdown })}`,
    );
  } finally {
    await emulators.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
