import { mkdirSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpBridge } from "../local/lambda/http-bridge";
import { createTestShop, type TestShop } from "./support/test-shop";

/** Debian's Chromium (`apt-get install chromium`); CHROMIUM_PATH points elsewhere. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Where the README's screenshot comes from: `SHOP_SCREENSHOT_DIR=docs npx vitest run playground`. */
const SCREENSHOT_DIR =
  process.env.SHOP_SCREENSHOT_DIR ?? join(process.cwd(), "node_modules", ".cache", "screenshots");

let shop: TestShop;
let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  shop = await createTestShop({ catalog: "sample" });
  server = createHttpBridge(
    shop.api({ PLAYGROUND_TOKEN: await shop.token({ customer: "playground" }) }),
    shop.logger,
  );
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
  await new Promise((done) => server.close(done));
  shop.destroy();
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
});
