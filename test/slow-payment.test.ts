import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiHandler } from "../api/create-api";
import type { Poller } from "../local/lambda/sqs-poller";
import { graphqlEvent, invoke } from "./support/api-events";
import { runConsumers } from "./support/consumer-harness";
import { aProduct, asAdmin, createTestShop, eventually, type TestShop } from "./support/test-shop";

let shop: TestShop;
let api: ApiHandler;
let consumers: Poller;

const PROVIDER_LATENCY_MS = 6000;

beforeAll(async () => {
  shop = await createTestShop();
  await shop.putProducts([aProduct({ productId: "slow-item", priceCents: 1999, stock: 10 })]);
  api = shop.api();
  consumers = await runConsumers(shop, ["fraud"], {
    env: { PAYMENT_LATENCY_MS: String(PROVIDER_LATENCY_MS) },
  });
});
afterAll(async () => {
  await consumers.stop();
  shop.destroy();
});

describe("a payment provider that takes 6 seconds (the old system's trap)", () => {
  it("does not slow createOrder down; the order is confirmed about 6 s later", async () => {
    const customer = await shop.authorization({ customer: "patient" });
    const started = performance.now();
    const response = await invoke(
      api,
      graphqlEvent(
        `mutation { createOrder(input: { items: [{ productId: "slow-item", quantity: 1 }] }) {
        __typename ... on Order { id status } } }`,
        {},
        customer,
      ),
    );
    const answeredMs = performance.now() - started;
    const order = (response.json as { data: { createOrder: { id: string; status: string } } }).data
      .createOrder;
    expect(order.status).toBe("PENDING");
    // Milliseconds, not seconds: nothing on the request path waits for the provider.
    expect(answeredMs).toBeLessThan(1000);

    const { orders } = shop.services();
    await eventually(
      () => orders.getOrder(asAdmin, order.id),
      (o) => o?.status === "CONFIRMED",
      {
        what: "CONFIRMED",
        timeoutMs: 20_000,
      },
    );
    const confirmedAfterMs = performance.now() - started;
    expect(confirmedAfterMs).toBeGreaterThanOrEqual(PROVIDER_LATENCY_MS);
    expect(confirmedAfterMs).toBeLessThan(PROVIDER_LATENCY_MS + 5000);
  });
});
