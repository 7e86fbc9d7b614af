import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type FunctionSpec, resourceEnvironment } from "../../infra/topology";
import { startDynamoDbLocal } from "./dynamodb-local";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "./local-aws";
import { localIdentity } from "./local-issuer";
import { type LocalClients, type Provisioned, provisionTopology } from "./provision";
import { seedCatalogIfEmpty } from "./seed";
import { startSnsSqsEmulator } from "./sns-sqs-emulator";

/** The prefix of every resource name of the stack `npm start` runs. */
export const RESOURCE_PREFIX = "shop-";

export interface EmulatorEndpoints {
  readonly dynamodb: string;
  readonly snsSqs: string;
  /** Where the local issuer's JWKS is served (on the API's port under `npm start`). */
  readonly jwks?: string;
  /** Where the WebSocket API's management API is served (on the API's port under `npm start`). */
  readonly websocketManagement?: string;
}

/**
 * The WebSocket management endpoint for runtimes that serve no WebSocket API (tests and
 * benchmarks that run the consumers without `npm start`): nobody can subscribe there, so the
 * live-updates notifier finds no subscription and never calls it; a call would be refused.
 */
export const NO_WEBSOCKET_API = "http://127.0.0.1:9";

export interface Emulators extends EmulatorEndpoints {
  /** DynamoDB Local's Java process. */
  readonly dynamodbPid: number | undefined;
  /** Messages a stopped run left in flight, made visible again at start. */
  readonly releasedMessages: number;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local and the SNS/SQS emulator; with `dataDir`, their data persists there
 * (and DynamoDB Local runs in its own process group: see `startDynamoDbLocal`).
 */
export async function startEmulators(options: {
  dynamodbPort: number;
  snsSqsPort: number;
  dataDir?: string;
}): Promise<Emulators> {
  const dynamodb = await startDynamoDbLocal({
    port: options.dynamodbPort,
    ...(options.dataDir ? { dataDir: `${options.dataDir}/dynamodb`, detached: true } : {}),
  });
  try {
    const snsSqs = await startSnsSqsEmulator({
      port: options.snsSqsPort,
      ...(options.dataDir ? { dataDir: `${options.dataDir}/sns-sqs` } : {}),
    });
    return {
      dynamodb: dynamodb.endpoint,
      snsSqs: snsSqs.endpoint,
      dynamodbPid: dynamodb.pid,
      releasedMessages: snsSqs.released,
      async stop() {
        await snsSqs.stop();
        await dynamodb.stop();
      },
    };
  } catch (error) {
    await dynamodb.stop();
    throw error;
  }
}

/** SDK clients pointed at the emulators. */
export function createLocalClients(endpoints: EmulatorEndpoints): LocalClients & {
  document: DynamoDBDocumentClient;
  destroy(): void;
} {
  const base = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const dynamodb = new DynamoDBClient({ ...base, endpoint: endpoints.dynamodb });
  const sns = new SNSClient({ ...base, endpoint: endpoints.snsSqs });
  const sqs = new SQSClient({ ...base, endpoint: endpoints.snsSqs });
  return {
    dynamodb,
    sns,
    sqs,
    document: DynamoDBDocumentClient.from(dynamodb, {
      marshallOptions: { removeUndefinedValues: true },
    }),
    destroy() {
      dynamodb.destroy();
      sns.destroy();
      sqs.destroy();
    },
  };
}

/** Runs `work` with clients pointed at the emulators, and closes them after. */
export async function withLocalClients<T>(
  endpoints: EmulatorEndpoints,
  work: (clients: ReturnType<typeof createLocalClients>) => Promise<T>,
): Promise<T> {
  const clients = createLocalClients(endpoints);
  try {
    return await work(clients);
  } finally {
    clients.destroy();
  }
}

/**
 * What every function gets locally, as Lambda would give it: the region and, since the
 * services are the emulators, their endpoints.
 */
export function localSettings(endpoints: EmulatorEndpoints): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SNS: endpoints.snsSqs,
    AWS_ENDPOINT_URL_SQS: endpoints.snsSqs,
    SHOP_ENVIRONMENT: "local",
  };
}

/**
 * A function's environment locally: the local settings and exactly the resource variables
 * its topology entry gives it in the cloud.
 */
export function functionEnvironment(
  spec: FunctionSpec,
  endpoints: EmulatorEndpoints,
  provisioned: Provisioned,
): Record<string, string> {
  const env = resourceEnvironment(spec.access, {
    tables: provisioned.tableNames,
    topicArn: provisioned.topicArn,
    failureQueueUrls: {
      analyticsDeadLetter: provisioned.failureQueues.analyticsDeadLetter.url,
      streamFailures: provisioned.failureQueues.streamFailures.url,
    },
    ...(endpoints.jwks ? { identity: localIdentity(endpoints.jwks) } : {}),
    ...(endpoints.websocketManagement
      ? { websocketManagementUrl: endpoints.websocketManagement }
      : {}),
  });
  return { ...localSettings(endpoints), ...env };
}

export interface ProvisionedShop {
  readonly provisioned: Provisioned;
  readonly seeded: number;
}

/** Provisions the topology under `prefix` and seeds the catalog when it is empty. */
export async function provisionShop(
  endpoints: EmulatorEndpoints,
  options: { prefix: string; seed: boolean },
): Promise<ProvisionedShop> {
  return withLocalClients(endpoints, async (clients) => {
    const provisioned = await provisionTopology(clients, options.prefix);
    const seeded = options.seed
      ? await seedCatalogIfEmpty(clients.document, provisioned.tableNames.products)
      : 0;
    return { provisioned, seeded };
  });
}
