/**
 * Live updates against polling, side by side: orders placed one at a time (payment provider
 * 0 ms), each followed by the same customer both ways at once: subscribed to `myOrders` over
 * the local WebSocket API, and asking for the order every 250 ms, as a polling client (and
 * this project's example before subscriptions) does. For each, the time from the CONFIRMED
 * write (the order's `updatedAt`) to the client seeing it.
 *
 *   npm run bench:live -- 30
 *
 * Runs its own emulators, and the api, the WebSocket function and every consumer in this
 * process behind the local HTTP bridge, as `npm start` does. Prints a table and a line
 * `LIVE_JSON {...}` with the figures.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
  APIGatewayProxyWebsocketEventV2,
} from "aws-lambda";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import type { Logger } from "../core/shared/ports";
import { apiFunction, websocketFunction } from "../infra/topology";
import { JWKS_PATH, localIssuer } from "../local/emulators/local-issuer";
import { functionEnvironment, provisionShop, startEmulators } from "../local/emulators/stack";
import { startEventSources } from "../local/lambda/event-sources";
import { buildFunction } from "../local/lambda/functions";
import { closeGracefully, createHttpBridge } from "../local/lambda/http-bridge";
import { freePort } from "../local/process/tcp-ports";
import { percentile } from "./lib/stats";

const ORDERS = Number(process.argv[2] ?? 30);
if (!Number.isInteger(ORDERS) || ORDERS < 1) {
  console.error("usage: npm run bench:live -- <orders>");
  process.exit(2);
}
const POLL_MS = 250;
const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const progress = (line: string) => process.stderr.write(`  [live] ${line}\n`);

async function main() {
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  process.env.POWERTOOLS_LOG_LEVEL = "ERROR";
  process.env.AWS_ACCESS_KEY_ID = "local";
  process.env.AWS_SECRET_ACCESS_KEY = "local";
  const emulators = await startEmulators({ dynamodbPort: 0, snsSqsPort: 0 });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const endpoints = { ...emulators, jwks: `${base}${JWKS_PATH}`, websocketManagement: base };
  const shop = await provisionShop(emulators, { prefix: "live-", seed: true });
  const sources = await startEventSources({
    env: { PAYMENT_LATENCY_MS: "0" },
    provisioned: shop.provisioned,
    endpoints,
    retryDelaySeconds: 2,
    logger: quiet,
  });
  const environment = (spec: typeof apiFunction | typeof websocketFunction) => ({
    ...process.env,
    ...functionEnvironment(spec, endpoints, shop.provisioned),
  });
  const api = await buildFunction<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(
    apiFunction,
    environment(apiFunction),
    { logger: quiet },
  );
  const websocket = await buildFunction<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResultV2>(
    websocketFunction,
    environment(websocketFunction),
    { logger: quiet },
  );
  const issuer = await localIssuer();
  const server = createHttpBridge(api, quiet, {
    issuer,
    websocket: { handler: websocket },
  });
  await new Promise<void>((ready) => server.listen(port, "127.0.0.1", ready));
  const token = await issuer.mint({ customer: "live-bench" });
  const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };

  // The subscriber: every order of the customer, as it changes.
  const pushed = new Map<string, number>();
  const client = createClient({
    url: `ws://127.0.0.1:${port}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  client.subscribe<{ myOrders: { id: string; status: string } }>(
    { query: "subscription { myOrders { id status } }" },
    {
      next: ({ data }) => {
        if (data?.myOrders.status === "CONFIRMED") pushed.set(data.myOrders.id, Date.now());
      },
      error: (error) => progress(`subscription failed: ${JSON.stringify(error)}`),
      complete: () => {},
    },
  );
  const graphql = async (query: string, variables: Record<string, unknown> = {}) =>
    (
      (await (
        await fetch(`${base}/graphql`, {
          method: "POST",
          headers,
          body: JSON.stringify({ query, variables }),
        })
      ).json()) as { data: Record<string, unknown> }
    ).data;
  // Let the subscription be stored and the pollers start.
  await sleep(2000);

  const live: number[] = [];
  const polled: number[] = [];
  for (let i = 0; i < ORDERS + 3; i++) {
    const placed = (await graphql(
      `mutation { createOrder(input: { items: [{ productId: "prod-${String((i % 40) + 1).padStart(4, "0")}", quantity: 1 }] }) { ... on Order { id } } }`,
    )) as { createOrder: { id: string } };
    const id = placed.createOrder.id;
    // The polling client: the order every 250 ms until it is CONFIRMED.
    let seenByPolling: number | undefined;
    let updatedAt = "";
    for (let waited = 0; !seenByPolling; waited += POLL_MS) {
      if (waited > 30_000) throw new Error(`order ${id} was not confirmed within 30 s`);
      await sleep(POLL_MS);
      const { order } = (await graphql("query($id: ID!) { order(id: $id) { status updatedAt } }", {
        id,
      })) as { order: { status: string; updatedAt: string } };
      if (order.status === "CONFIRMED") {
        seenByPolling = Date.now();
        updatedAt = order.updatedAt;
      }
    }
    for (let waited = 0; !pushed.has(id); waited += 10) {
      if (waited > 10_000) throw new Error(`order ${id} was never pushed`);
      await sleep(10);
    }
    // The first three warm every path up.
    if (i < 3) continue;
    const written = Date.parse(updatedAt);
    live.push((pushed.get(id) ?? 0) - written);
    polled.push(seenByPolling - written);
    if ((i - 2) % 10 === 0) progress(`${i - 2}/${ORDERS} orders`);
  }

  const row = (client: string, values: readonly number[]) => ({
    client,
    n: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: Math.max(...values),
  });
  const rows = [
    row("subscription (myOrders over WebSocket)", live),
    row(`polling every ${POLL_MS} ms`, polled),
  ];
  console.log(
    `CONFIRMED write -> the client sees it, ${ORDERS} orders one at a time (payment provider 0 ms):`,
  );
  console.table(rows);
  console.log(
    `LIVE_JSON ${JSON.stringify({ orders: ORDERS, pollMs: POLL_MS, rows, live, polled })}`,
  );
  await client.dispose();
  await closeGracefully(server);
  await sources.stop();
  await emulators.stop();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
