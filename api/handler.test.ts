import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../adapters/config";
import { apiFunction } from "../infra/topology";
import { createLambdaContext } from "../local/lambda/lambda-context";
import { graphqlEvent, httpEvent } from "../test/support/api-events";
import { createTestShop, type TestShop } from "../test/support/test-shop";
import { loadApiConfig } from "./api-config";

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
    Object.assign(process.env, shop.envFor(apiFunction));
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
      loadApiConfig({
        PRODUCTS_TABLE_NAME: "p",
        ORDER_EVENTS_TOPIC_ARN: "arn:aws:sns:us-east-1:000000000000:t",
        SHOP_ENVIRONMENT: "staging",
        PAYMENT_LATENCY_MS: "soon",
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      /SHOP_ENVIRONMENT must be one of local, production, got "staging".*PRODUCTS_TABLE_NAME must be a resource name.*ORDERS_TABLE_NAME is required.*IDEMPOTENCY_TABLE_NAME is required/,
    );
    // What the api function does not read cannot break it.
    expect(attempt).not.toThrow(/PAYMENT_LATENCY_MS/);
  });

  it("defaults to production, which masks internal errors", () => {
    const config = loadApiConfig({ ...shop.envFor(apiFunction), SHOP_ENVIRONMENT: undefined });
    expect(config.environment).toBe("production");
  });
});
