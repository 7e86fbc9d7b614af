import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import type { SNSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { buildHandler as buildAnalytics } from "../consumers/analytics";
import { consumers } from "../infra/topology";
import { createLambdaContext } from "../local/lambda/lambda-context";
import { httpEvent, invoke } from "../test/support/api-events";
import { orderCreatedEvent } from "../test/support/consumer-harness";
import { aProduct, createTestShop, type TestShop } from "../test/support/test-shop";

/**
 * What a traced function sends X-Ray, read where Lambda's X-Ray daemon would: X-Ray's SDK
 * decides when it loads whether it runs in Lambda, so the environment is Lambda's (with a
 * sampled trace) before anything loads it, and the daemon is a UDP socket of this test.
 */
const daemonPort = vi.hoisted(() => {
  const port = 20_000 + Math.floor(Math.random() * 12_000);
  Object.assign(process.env, {
    LAMBDA_TASK_ROOT: "/var/task",
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${port}`,
    POWERTOOLS_SERVICE_NAME: "shop-analytics",
  });
  return port;
});

interface SegmentDocument {
  id: string;
  name: string;
  trace_id: string;
  parent_id?: string;
  namespace?: string;
  annotations?: Record<string, unknown>;
  aws?: { operation?: string };
}

const daemon = createSocket("udp4");
const sent: SegmentDocument[] = [];
let shop: TestShop;

beforeAll(async () => {
  daemon.on("message", (datagram) => {
    // A header line, then the (sub)segment document.
    const [, body] = datagram.toString().split("\n");
    if (body) sent.push(JSON.parse(body) as SegmentDocument);
  });
  await new Promise<void>((bound) => daemon.bind(daemonPort, "127.0.0.1", bound));
  shop = await createTestShop();
});
afterAll(() => {
  daemon.close();
  shop.destroy();
});

/** A sampled trace for the next invocation, named where Lambda names it (the facade segment reads it). */
function startInvocationTrace(): string {
  const traceId = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString("hex")}`;
  process.env._X_AMZN_TRACE_ID = `Root=${traceId};Parent=${randomBytes(8).toString("hex")};Sampled=1`;
  return traceId;
}

describe("tracing in Lambda (Powertools Tracer)", () => {
  it("records the invocation, each event annotated with its order, and every AWS call under it", async () => {
    const analytics = buildAnalytics(shop.envFor(consumers.analytics));
    const traceId = startInvocationTrace();
    const event = orderCreatedEvent({
      orderId: "traced-1",
      customerId: "cust-traced",
      items: [
        {
          productId: "p-1",
          productName: "P",
          quantity: 1,
          unitPriceCents: 500,
          lineTotalCents: 500,
        },
      ],
      totalCents: 500,
      correlationId: "checkout-traced",
    });
    const snsEvent: SNSEvent = {
      Records: [
        {
          EventSource: "aws:sns",
          EventVersion: "1.0",
          EventSubscriptionArn: "arn:aws:sns:us-east-1:000000000000:shop-order-events:sub",
          Sns: {
            Type: "Notification",
            MessageId: "m-1",
            TopicArn: "arn:aws:sns:us-east-1:000000000000:shop-order-events",
            Message: JSON.stringify(event),
            MessageAttributes: {},
            Timestamp: new Date().toISOString(),
            SignatureVersion: "1",
            Signature: "",
            SigningCertUrl: "",
            UnsubscribeUrl: "",
            Subject: "",
          },
        },
      ],
    };
    await analytics(snsEvent, createLambdaContext("shop-analytics"));

    await vi.waitFor(() => {
      const names = sent.filter((s) => s.trace_id === traceId).map((s) => s.name);
      expect(names).toContain("## analytics");
      expect(names).toContain("order_created");
      expect(names).toContain("DynamoDB");
    });
    const ofTrace = sent.filter((s) => s.trace_id === traceId);
    const invocation = ofTrace.find((s) => s.name === "## analytics");
    expect(invocation?.annotations).toMatchObject({ ColdStart: true, Service: "shop-analytics" });
    const record = ofTrace.find((s) => s.name === "order_created");
    expect(record?.parent_id).toBe(invocation?.id);
    expect(record?.annotations).toEqual({
      orderId: "traced-1",
      eventType: "order_created",
      correlationId: "checkout-traced",
    });
    // The event's DynamoDB calls (its claim, the counters, the event log) are inside its subsegment.
    const calls = ofTrace.filter((s) => s.name === "DynamoDB");
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      expect(call.namespace).toBe("aws");
      expect(call.parent_id).toBe(record?.id);
    }
    expect(calls.map((call) => call.aws?.operation)).toContain("PutItem");
  });

  it("records the api's request annotated with its correlation id and the order it placed, and its DynamoDB and SNS calls", async () => {
    await shop.putProducts([aProduct({ productId: "traced-product", priceCents: 700, stock: 5 })]);
    const api = shop.api();
    const traceId = startInvocationTrace();
    const placed = await invoke(
      api,
      httpEvent({
        method: "POST",
        path: "/orders",
        headers: {
          "content-type": "application/json",
          "x-correlation-id": "checkout-traced-api",
          ...(await shop.authorization({ customer: "cust-traced" })),
        },
        body: JSON.stringify({ items: [{ product_id: "traced-product", quantity: 1 }] }),
      }),
    );
    expect(placed.status).toBe(201);
    const orderId = (placed.json as { order_id: string }).order_id;

    await vi.waitFor(() => {
      const names = sent.filter((s) => s.trace_id === traceId).map((s) => s.name);
      expect(names).toEqual(expect.arrayContaining(["## api", "DynamoDB", "SNS"]));
    });
    const ofTrace = sent.filter((s) => s.trace_id === traceId);
    const request = ofTrace.find((s) => s.name === "## api");
    expect(request?.annotations).toMatchObject({ correlationId: "checkout-traced-api", orderId });
    const operations = ofTrace
      .filter((s) => s.parent_id === request?.id && s.namespace === "aws")
      .map((s) => `${s.name} ${s.aws?.operation}`);
    expect(operations).toEqual(
      expect.arrayContaining([
        "DynamoDB BatchGetItem",
        "DynamoDB TransactWriteItems",
        "SNS Publish",
      ]),
    );
  });
});
