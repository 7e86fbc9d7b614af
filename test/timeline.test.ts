import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Poller } from "../local/lambda/sqs-poller";
import { graphqlEvent, invoke } from "./support/api-events";
import { runConsumers } from "./support/consumer-harness";
import { aProduct, createTestShop, eventually, type TestShop } from "./support/test-shop";

let shop: TestShop;
let consumers: Poller;
let failedOnce = false;

beforeAll(async () => {
  shop = await createTestShop();
  await shop.putProducts([
    aProduct({ productId: "clock", name: "Wall Clock", priceCents: 4200, stock: 10 }),
  ]);
  consumers = await runConsumers(
    shop,
    ["fraud", "inventory", "email", "analytics", "streamProcessor"],
    {
      env: { PAYMENT_LATENCY_MS: "0" },
      // The email consumer's first invocation fails, so the timeline has a retry to show.
      wrap: (name, handler) => async (event, context) => {
        if (name === "email" && !failedOnce) {
          failedOnce = true;
          const response = await handler(
            {
              Records: (event as { Records: { body: string }[] }).Records.map((r) => ({
                ...r,
                body: "{broken",
              })),
            },
            context,
          );
          void response;
          throw new Error("injected failure");
        }
        return handler(event, context);
      },
    },
  );
});
afterAll(async () => {
  await consumers.stop();
  shop.destroy();
});

interface Entry {
  at: string;
  source: string;
  kind: string;
  summary: string;
  eventId: string | null;
}

describe("an order's timeline", () => {
  it("tells what happened across the stream, every consumer and the mail, in order", async () => {
    const api = shop.api();
    const customer = await shop.authorization({ customer: "timeline" });
    const admin = await shop.authorization({ admin: "timeline-reader" });
    const placed = await invoke(
      api,
      graphqlEvent(
        `mutation { createOrder(input: { items: [{ productId: "clock", quantity: 1 }] }) {
        ... on Order { id } } }`,
        {},
        customer,
      ),
    );
    const orderId = (placed.json as { data: { createOrder: { id: string } } }).data.createOrder.id;
    const timeline = async () =>
      (
        (
          await invoke(
            api,
            graphqlEvent(
              "query($id: ID!) { orderTimeline(orderId: $id) { at source kind summary eventId } }",
              { id: orderId },
              admin,
            ),
          )
        ).json as { data: { orderTimeline: Entry[] } }
      ).data.orderTimeline;
    // Each part of the story is written by its own consumer, shortly after its work.
    const expected: [string, string, RegExp?][] = [
      ["customer:timeline", "CREATED"],
      ["fraud", "EVENT_PROCESSED", /order_created/],
      ["inventory", "EVENT_PROCESSED", /order_created/],
      ["analytics", "EVENT_PROCESSED", /order_created/],
      ["fraud", "FRAUD_ASSESSED"],
      ["fraud", "STATUS_CHANGED", /PENDING -> CONFIRMED/],
      ["fraud", "EVENT_PUBLISHED", /order_confirmed/],
      ["email", "EVENT_PROCESSED", /order_confirmed/],
      ["email", "EMAIL_SENT", /Your order is confirmed/],
    ];
    const tells = (entries: Entry[], [source, kind, summary]: [string, string, RegExp?]) =>
      entries.some(
        (e) => e.source === source && e.kind === kind && (!summary || summary.test(e.summary)),
      );
    const entries = await eventually(timeline, (t) => expected.every((part) => tells(t, part)), {
      what: "every part of the story in the timeline",
      timeoutMs: 30_000,
    });
    for (const part of expected) expect(tells(entries, part), part.join(" ")).toBe(true);
    expect([...entries].map((e) => e.at)).toEqual([...entries].map((e) => e.at).sort());
    expect(failedOnce).toBe(true);

    const none = await invoke(
      api,
      graphqlEvent('{ orderTimeline(orderId: "no-such-order") { kind } }', {}, admin),
    );
    expect(none.json).toEqual({ data: { orderTimeline: null } });
  });
});
