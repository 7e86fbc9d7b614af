import { randomUUID } from "node:crypto";
import { SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
} from "@aws-sdk/client-sqs";
import { GetCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { inject } from "vitest";
import type { Environment } from "../../adapters/config";
import { createApiClients, loadApiConfig } from "../../api/api-config";
import type { ApiHandler } from "../../api/create-api";
import { buildHandler as buildApiHandler } from "../../api/handler";
import { createServices } from "../../api/services";
import type { Product } from "../../core/catalog/product";
import type { EventType } from "../../core/shared/events";
import type { Logger } from "../../core/shared/ports";
import type { Viewer } from "../../core/shared/viewer";
import { apiFunction, type FunctionSpec, filterPolicyFor } from "../../infra/topology";
import { localIssuer, type TokenSubject } from "../../local/emulators/local-issuer";
import type { Provisioned } from "../../local/emulators/provision";
import { putProducts } from "../../local/emulators/seed";
import { seedProducts } from "../../local/emulators/seed-data";
import {
  createLocalClients,
  type EmulatorEndpoints,
  functionEnvironment,
  NO_WEBSOCKET_API,
  provisionShop,
} from "../../local/emulators/stack";

/** Records log lines instead of printing them, so tests can assert on what was logged. */
export function recordingLogger(): Logger & {
  lines: { level: string; message: string; extra?: unknown }[];
} {
  const lines: { level: string; message: string; extra?: unknown }[] = [];
  return {
    lines,
    info: (message, extra) => lines.push({ level: "info", message, extra }),
    warn: (message, extra) => lines.push({ level: "warn", message, extra }),
    error: (message, extra) => lines.push({ level: "error", message, extra }),
  };
}

/**
 * For a test that sends hundreds of requests at once through one handler: one process stands
 * in for as many Lambda containers, so its connections to DynamoDB Local queue behind each
 * other for longer than any one container's would, past the SDK's production timeouts.
 */
export const MANY_CONTAINERS_IN_ONE_PROCESS = {
  AWS_SDK_CONNECTION_TIMEOUT_MS: "30000",
  AWS_SDK_REQUEST_TIMEOUT_MS: "30000",
} as const;

export function aProduct(overrides: Partial<Product> & { productId: string }): Product {
  return {
    name: `Product ${overrides.productId}`,
    category: "Test",
    brand: "Acme",
    description: "A product made for a test.",
    priceCents: 1000,
    currency: "USD",
    stock: 10,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    version: 1,
    ...overrides,
  };
}

export interface TestShop {
  readonly endpoints: EmulatorEndpoints;
  readonly prefix: string;
  readonly provisioned: Provisioned;
  /** A function's environment, as the stack would set it, pointed at the emulators. */
  envFor(spec: FunctionSpec, overrides?: Environment): Environment;
  /** A bearer token from the run's issuer, for a customer or an admin. */
  token(subject: TokenSubject): Promise<string>;
  /** The Authorization header of such a token. */
  authorization(subject: TokenSubject): Promise<{ authorization: string }>;
  readonly local: ReturnType<typeof createLocalClients>;
  readonly logger: ReturnType<typeof recordingLogger>;
  /** The API Lambda handler, built from its environment (with `overrides` on top). */
  api(overrides?: Environment): ApiHandler;
  /** The services behind the API, wired as the api function wires them. */
  services(overrides?: Environment): ReturnType<typeof createServices>;
  putProducts(products: readonly Product[]): Promise<void>;
  stockOf(productId: string): Promise<number | undefined>;
  orderCount(): Promise<number>;
  /** A queue subscribed to the topic with the filter for these event types. */
  subscribeProbe(eventTypes: readonly EventType[]): Promise<Probe>;
  destroy(): void;
}

export interface Probe {
  /** Waits until `count` messages arrived (or the timeout passed) and returns them. */
  receive(count: number, timeoutMs?: number): Promise<Message[]>;
  /** How many messages arrive within `ms`: for asserting that nothing more came. */
  countArriving(ms: number): Promise<number>;
}

/**
 * A shop of its own for one test file: every table, the topic and every queue of the
 * topology, provisioned under a unique prefix in the emulators the global setup started.
 * With `catalog: "sample"` it holds the 50 seed products.
 */
export async function createTestShop(
  options: { catalog?: "sample" | "empty" } = {},
): Promise<TestShop> {
  // No WebSocket API beside a test shop unless a test serves one (test/live-updates.test.ts).
  const endpoints = { ...inject("emulators"), websocketManagement: NO_WEBSOCKET_API };
  const prefix = `t-${randomUUID().slice(0, 8)}-`;
  const shop = await provisionShop(endpoints, { prefix, seed: options.catalog === "sample" });
  const local = createLocalClients(endpoints);
  const logger = recordingLogger();
  const tables = shop.provisioned.tableNames;
  let probes = 0;

  const issuer = await localIssuer({ privateJwk: inject("issuerKey") });
  const envFor = (spec: FunctionSpec, overrides: Environment = {}) => ({
    ...functionEnvironment(spec, endpoints, shop.provisioned),
    ...overrides,
  });
  return {
    endpoints,
    prefix,
    provisioned: shop.provisioned,
    envFor,
    token: (subject) => issuer.mint(subject),
    authorization: async (subject) => ({ authorization: `Bearer ${await issuer.mint(subject)}` }),
    local,
    logger,
    api: (overrides) => buildApiHandler(envFor(apiFunction, overrides), { logger }),
    services(overrides) {
      const config = loadApiConfig(envFor(apiFunction, overrides));
      return createServices(config, createApiClients(config), logger);
    },
    putProducts: (products) => putProducts(local.document, tables.products, products),
    async stockOf(productId) {
      const { Item } = await local.document.send(
        new GetCommand({ TableName: tables.products, Key: { productId }, ConsistentRead: true }),
      );
      return Item?.stock as number | undefined;
    },
    async orderCount() {
      let count = 0;
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await local.document.send(
          new ScanCommand({ TableName: tables.orders, Select: "COUNT", ExclusiveStartKey }),
        );
        count += page.Count ?? 0;
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return count;
    },
    async subscribeProbe(eventTypes) {
      const { QueueUrl } = await local.sqs.send(
        new CreateQueueCommand({ QueueName: `${prefix}probe-${++probes}` }),
      );
      if (!QueueUrl) throw new Error("probe queue has no URL");
      const { Attributes } = await local.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
      );
      await local.sns.send(
        new SubscribeCommand({
          TopicArn: shop.provisioned.topicArn,
          Protocol: "sqs",
          Endpoint: Attributes?.QueueArn,
          Attributes: {
            FilterPolicy: JSON.stringify(filterPolicyFor(eventTypes)),
            RawMessageDelivery: "true",
          },
        }),
      );
      const take = async (waitSeconds: number): Promise<Message[]> => {
        const { Messages = [] } = await local.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: waitSeconds,
            MessageAttributeNames: ["All"],
          }),
        );
        if (Messages.length > 0) {
          await local.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl,
              Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
            }),
          );
        }
        return Messages;
      };
      return {
        async receive(count, timeoutMs = 10_000) {
          const received: Message[] = [];
          const deadline = Date.now() + timeoutMs;
          while (received.length < count && Date.now() < deadline)
            received.push(...(await take(1)));
          return received;
        },
        async countArriving(ms) {
          const deadline = Date.now() + ms;
          let count = 0;
          while (Date.now() < deadline) count += (await take(1)).length;
          return count;
        },
      };
    },
    destroy: () => local.destroy(),
  };
}

export { eventually } from "./eventually";
export { seedProducts };

/** The viewer tests act as when they set up orders through the services: an admin. */
export const asAdmin: Viewer = { kind: "admin", subject: "test" };
