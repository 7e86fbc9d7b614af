import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../adapters/config";
import { createLambdaContext } from "../local/lambda/lambda-context";
import { graphqlEvent, httpEvent } from "../test/support/api-events";
import { createTestShop, type TestShop } from "../test/support/test-shop";

let shop: TestShop;
const saved = { ...process.env };

beforeAll(async () => {
  shop = await createTestShop({ catalog: "sample" });
});
afterAll(() => {
  process.env = saved;
  shop.destroy();
});

describe("the api Lambda entry point", () => {
  it("builds itself from the environment the stack sets, and serves", async () => {
    Object.assign(process.env, shop.env);
    const { handler } = await import("./handler");
    const health = await handler(httpEvent({ path: "/health" }), createLambdaContext("api"));
    expect(health.statusCode).toBe(200);
    const answer = await handler(
      graphqlEvent('{ product(id: "prod-0042") { name } }'),
      createLambdaContext("api"),
    );
    expect(JSON.parse(answer.body ?? "")).toEqual({
      data: { product: { name: "Adjustable Dumbbells" } },
    });
  });
});

describe("configuration", () => {
  it("names every missing or malformed variable at once", () => {
    const attempt = () =>
      loadConfig({
        PRODUCTS_TABLE_NAME: "p",
        ORDER_EVENTS_TOPIC_ARN: "topic",
        SHOP_ENVIRONMENT: "staging",
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      /environment.*tables\.orders.*tables\.idempotency.*orderEventsTopicArn/,
    );
  });

  it("defaults to production, which masks internal errors", () => {
    const config = loadConfig({ ...shop.env, SHOP_ENVIRONMENT: undefined });
    expect(config.environment).toBe("production");
  });
});
