import { mkdirSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoSubscriptionStore } from "../adapters/dynamo-subscription-store";
import { orderTopic } from "../core/live/live-rules";
import { websocketFunction } from "../infra/topology";
import { buildFunction } from "../local/lambda/functions";
import { closeGracefully, createHttpBridge } from "../local/lambda/http-bridge";
import type { Poller } from "../local/lambda/sqs-poller";
import { freePort } from "../local/process/tcp-ports";
import { runConsumers } from "./support/consumer-harness";
import { asAdmin, createTestShop, eventually, type TestShop } from "./support/test-shop";

/** Debian's Chromium (`apt-get install chromium`); CHROMIUM_PATH points elsewhere. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Where the README's screenshot comes from: `SHOP_SCREENSHOT_DIR=docs npx vitest run playground`. */
const SCREENSHOT_DIR =
  process.env.SHOP_SCREENSHOT_DIR ?? join(process.cwd(), "node_modules", ".cache", "screenshots");

let shop: TestShop;
let server: Server;
let base: string;
let browser: Browser;
let notifier: Poller;

/** An element GraphiQL's editors (CodeMirror 5) are mounted on. */
interface CodeMirrorElement {
  readonly CodeMirror: { readonly operationName?: string | null; setValue(text: string): void };
}

/** The customer the playground's Headers tab opens as. */
const CUSTOMER = "playground";

beforeAll(async () => {
  shop = await createTestShop({ catalog: "sample" });
  // The API with the WebSocket API on its port, and the notifier pushing to it, as `npm start` runs them.
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const websocket = await buildFunction<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResultV2>(
    websocketFunction,
    shop.envFor(websocketFunction, { WEBSOCKET_MANAGEMENT_URL: base }),
    { logger: shop.logger },
  );
  server = createHttpBridge(
    shop.api({ PLAYGROUND_TOKEN: await shop.token({ customer: CUSTOMER }) }),
    shop.logger,
    { websocket: { handler: websocket } },
  );
  await new Promise<void>((ready) => server.listen(port, "127.0.0.1", ready));
  notifier = await runConsumers(shop, ["liveUpdates"], { env: { WEBSOCKET_MANAGEMENT_URL: base } });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a sandboxless container, and no network beyond loopback: keep Chromium quiet.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await notifier?.stop();
  if (server) await closeGracefully(server);
  shop?.destroy();
});

describe("the playground in a browser", () => {
  it("opens at /graphql with the example operations, runs one, and shows the result", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const outside: string[] = [];
    const sentTokens: string[] = [];
    page.on("request", (request) => {
      if (!request.url().startsWith(base)) outside.push(request.url());
      if (request.method() === "POST" && request.url() === `${base}/graphql`) {
        sentTokens.push(request.headers().authorization ?? "");
      }
    });
    await page.goto(`${base}/graphql`);
    await page.locator(".graphiql-container").waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator(".graphiql-tab").count()).toBeGreaterThanOrEqual(4);

    await page.locator(".graphiql-execute-button").click();
    const result = page.locator(".result-window");
    await expect.poll(() => result.innerText(), { timeout: 15_000 }).toContain('"products"');
    // The result editor renders the lines in view: the first product is enough.
    const text = await result.innerText();
    expect(text).toMatch(/"id": "prod-\d{4}"/);
    expect(text).toMatch(/"formatted": "\$\d+\.\d\d"/);
    expect(outside).toEqual([]);
    // The headers tab opened with the token the runtime gave it, and the playground sent it.
    expect(sentTokens.length).toBeGreaterThan(0);
    expect(sentTokens.every((header) => header.startsWith("Bearer ey"))).toBe(true);

    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, "playground.png") });
    await page.close();
  });

  it("runs a subscription over WebSocket and shows each change to the order as it happens", async () => {
    const placed = await shop.services().orders.placeOrder(asAdmin, {
      customerId: CUSTOMER,
      items: [{ productId: "prod-0001", quantity: 1 }],
    });
    if (placed.kind !== "placed") throw new Error(JSON.stringify(placed));
    const orderId = placed.order.orderId;

    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const sockets: string[] = [];
    page.on("websocket", (socket) => sockets.push(socket.url()));
    await page.goto(`${base}/graphql`);
    await page.locator(".graphiql-container").waitFor({ timeout: 20_000 });
    await page.locator(".graphiql-tab-button", { hasText: "OrderUpdates" }).click();
    // GraphiQL names the operation to run a moment after the editor changes; a person is slower.
    const queryEditor = page.locator(".graphiql-query-editor .CodeMirror");
    await expect
      .poll(() =>
        queryEditor.evaluate((editor) => (editor as CodeMirrorElement).CodeMirror.operationName),
      )
      .toBe("OrderUpdates");
    // The variables editor is CodeMirror's; setting its text fires the change GraphiQL keeps.
    await page
      .locator(".graphiql-editor-tool .CodeMirror")
      .first()
      .evaluate(
        (editor, variables) => (editor as CodeMirrorElement).CodeMirror.setValue(variables),
        JSON.stringify({ id: orderId }),
      );
    await page.locator(".graphiql-execute-button").click();

    const store = new DynamoSubscriptionStore(
      shop.local.document,
      shop.provisioned.tableNames.liveSubscriptions,
    );
    await eventually(
      async () => {
        let n = 0;
        for await (const _ of store.subscriptionsTo(orderTopic(orderId))) n++;
        return n;
      },
      (n) => n === 1,
      { what: "the playground's subscription stored", timeoutMs: 15_000 },
    );
    const result = page.locator(".result-window");
    expect(await result.innerText()).not.toContain("CANCELLED");

    await shop.services().lifecycle.cancelOrder(asAdmin, orderId, "changed my mind");
    await expect
      .poll(() => result.innerText(), { timeout: 10_000 })
      .toContain('"status": "CANCELLED"');
    const text = await result.innerText();
    expect(text).toContain(`"id": "${orderId}"`);
    expect(text).toContain('"statusReason": "changed my mind"');
    // Subscriptions went over the page's own host: the local WebSocket API on the API's port.
    expect(sockets).toEqual([`${base.replace("http:", "ws:")}/graphql`]);
    await page.close();
  });
});
