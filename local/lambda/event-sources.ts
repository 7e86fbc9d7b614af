import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import type { Context } from "aws-lambda";
import type { AwsClients } from "../../adapters/aws-clients";
import type { Config } from "../../adapters/config";
import { createLogger } from "../../adapters/powertools-logger";
import { createAnalyticsHandler } from "../../consumers/analytics";
import { createEmailHandler } from "../../consumers/email";
import { createFraudHandler } from "../../consumers/fraud";
import { createInventoryHandler } from "../../consumers/inventory";
import { createConsumerRuntime } from "../../consumers/runtime";
import { createStreamProcessor } from "../../consumers/stream-processor";
import type { Logger } from "../../core/shared/ports";
import { type ConsumerName, consumers } from "../../infra/topology";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../emulators/local-aws";
import type { Provisioned } from "../emulators/provision";
import type { EmulatorEndpoints } from "../emulators/stack";
import { startSnsPoller } from "./sns-poller";
import { type Poller, startSqsPoller } from "./sqs-poller";
import { type CheckpointStore, startStreamPoller } from "./stream-poller";

// biome-ignore lint/suspicious/noExplicitAny: each factory returns its own event type's handler.
type AnyHandler = (event: any, context: Context) => Promise<any>;

/** The handler each topology consumer's `entry` module exports, built for a runtime. */
export const CONSUMER_FACTORIES: Record<
  ConsumerName,
  (runtime: ReturnType<typeof createConsumerRuntime>) => AnyHandler
> = {
  fraud: createFraudHandler,
  inventory: createInventoryHandler,
  email: createEmailHandler,
  analytics: createAnalyticsHandler,
  streamProcessor: createStreamProcessor,
};

/** Concurrent invocations per consumer without reserved concurrency (Lambda would scale out). */
const DEFAULT_LOCAL_CONCURRENCY = 2;

export interface EventSourcesOptions {
  readonly config: Config;
  readonly clients: AwsClients;
  readonly provisioned: Provisioned;
  readonly endpoints: EmulatorEndpoints;
  /** Which consumers to run; all of them by default. */
  readonly only?: readonly ConsumerName[];
  readonly retryDelaySeconds?: number;
  readonly checkpoints?: CheckpointStore;
  readonly logger?: Logger;
  /** Wraps each consumer's handler, for instance to count or to inject a failure. */
  readonly wrap?: (name: ConsumerName, handler: AnyHandler) => AnyHandler;
}

/**
 * Runs every consumer of the topology against the local emulators, each behind the event
 * source Lambda would give it: an SQS poller, a direct SNS subscription, or the orders
 * table's stream. The handlers are the same ones the Lambdas export.
 */
export function startEventSources(options: EventSourcesOptions): Poller {
  const streams = new DynamoDBStreamsClient({
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoint: options.endpoints.dynamodb,
  });
  const pollers: Poller[] = [];
  const names = options.only ?? (Object.keys(consumers) as ConsumerName[]);
  for (const name of names) {
    const spec = consumers[name];
    const logger = options.logger ?? createLogger(`shop-${name}`);
    const built = CONSUMER_FACTORIES[name](
      createConsumerRuntime(name, options.config, options.clients, logger),
    );
    const handler = options.wrap ? options.wrap(name, built) : built;
    const common = {
      name,
      sqs: options.clients.sqs,
      timeoutSeconds: spec.timeoutSeconds,
      concurrency:
        "reservedConcurrency" in spec ? spec.reservedConcurrency : DEFAULT_LOCAL_CONCURRENCY,
      logger,
      ...(options.retryDelaySeconds !== undefined
        ? { retryDelaySeconds: options.retryDelaySeconds }
        : {}),
    };
    const source = spec.source;
    switch (source.kind) {
      case "sqs": {
        const queue = options.provisioned.queues[source.queue];
        pollers.push(
          startSqsPoller({
            ...common,
            queueUrl: queue.url,
            queueArn: queue.arn,
            handler,
            batchSize: source.batchSize,
            maxBatchingWindowSeconds: source.maxBatchingWindowSeconds,
          }),
        );
        break;
      }
      case "sns": {
        const queue = options.provisioned.directSubscriptions[name];
        if (!queue) throw new Error(`no local subscription queue for ${name}`);
        pollers.push(
          startSnsPoller({
            ...common,
            queueUrl: queue.url,
            queueArn: queue.arn,
            subscriptionArn: `${options.provisioned.topicArn}:${name}`,
            handler,
          }),
        );
        break;
      }
      case "dynamodb-stream":
        pollers.push(
          startStreamPoller({
            name,
            tableName: options.provisioned.tableNames[source.table],
            dynamodb: options.clients.dynamodbClient,
            streams,
            sqs: options.clients.sqs,
            handler,
            batchSize: source.batchSize,
            timeoutSeconds: spec.timeoutSeconds,
            startingPosition: source.startingPosition,
            bisectBatchOnError: source.bisectBatchOnError,
            maxRetryAttempts: source.maxRetryAttempts,
            maxRecordAgeSeconds: source.maxRecordAgeSeconds,
            onFailureQueueUrl: options.provisioned.failureQueues[source.onFailure].url,
            ...(options.checkpoints ? { checkpoints: options.checkpoints } : {}),
            logger,
          }),
        );
        break;
    }
  }
  return {
    async stop() {
      await Promise.all(pollers.map((p) => p.stop()));
      streams.destroy();
    },
  };
}
