import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import { type ConsumerName, consumers } from "../../infra/topology";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../emulators/local-aws";
import type { Provisioned } from "../emulators/provision";
import { type EmulatorEndpoints, functionEnvironment } from "../emulators/stack";
import { consoleLogger, type LocalLogger } from "../process/console-logger";
import { buildFunction } from "./functions";
import { startSchedule } from "./schedule";
import { startSnsPoller } from "./sns-poller";
import { type Poller, startSqsPoller } from "./sqs-poller";
import { type CheckpointStore, startStreamPoller } from "./stream-poller";

// biome-ignore lint/suspicious/noExplicitAny: each consumer's handler takes its own event type.
type AnyHandler = (event: any, context: Context) => Promise<any>;

/**
 * Concurrent invocations of a consumer whose topology sets no limit (SQS sources run as many
 * workers as their `localConcurrency`).
 */
const DEFAULT_LOCAL_CONCURRENCY = 2;

/**
 * A schedule's pace while nobody uses the stack: after 5 minutes without a consumer invoked,
 * a schedule of every minute runs every 10 minutes. Each reconciler run queries every shard
 * of its sparse indexes (about 160 queries, some 0.7 s of CPU across Node and DynamoDB
 * Local), which once a minute would cost an idle stack more than everything else in it. An
 * idle stack has little to reconcile, and that waits at most 10 minutes; the minute pace is
 * back with the next consumer invocation.
 */
const IDLE_SCHEDULE = { afterMs: 5 * 60_000, everyMs: 10 * 60_000 } as const;

export interface EventSourcesOptions {
  readonly provisioned: Provisioned;
  readonly endpoints: EmulatorEndpoints;
  /** Which consumers to run; all of them by default. */
  readonly only?: readonly ConsumerName[];
  /** Settings added to every consumer's environment (such as PAYMENT_LATENCY_MS). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * How long a failed message waits before it is retried. By default the consumer's
   * timeout: by then any claim the failed attempt left on its events has expired, as it
   * has in the cloud, where the message waits the queue's visibility timeout (six
   * timeouts). Tests that inject failures before any claim is made retry at once (0).
   */
  readonly retryDelaySeconds?: number;
  readonly checkpoints?: CheckpointStore;
  /** Where the pollers and the handlers log; each consumer's own logger by default. */
  readonly logger?: LocalLogger;
  /** Wraps each consumer's handler, for instance to count or to inject a failure. */
  readonly wrap?: (name: ConsumerName, handler: AnyHandler) => AnyHandler;
  /**
   * Runs scheduled functions this often instead of their schedule (tests, benchmarks), idle
   * or not.
   */
  readonly scheduleEveryMs?: number;
}

/**
 * Runs every consumer of the topology against the local emulators, each behind the event
 * source Lambda would give it: an SQS poller, a direct SNS subscription, or the orders
 * table's stream. The handlers are the same ones the Lambdas export.
 */
export async function startEventSources(options: EventSourcesOptions): Promise<Poller> {
  // The event source mappings' own clients, as Lambda's pollers have theirs. Not the
  // functions' settings (adapters/aws-clients.ts): their 2.5 s request timeout would cut
  // every 20 s long poll short, and a long poll cut short is worse than none (see
  // sqs-poller.ts). The SDK's defaults set no request timeout.
  const base = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const sqs = new SQSClient({ ...base, endpoint: options.endpoints.snsSqs });
  const dynamodb = new DynamoDBClient({ ...base, endpoint: options.endpoints.dynamodb });
  const streams = new DynamoDBStreamsClient({ ...base, endpoint: options.endpoints.dynamodb });
  const pollers: Poller[] = [];
  const names = options.only ?? (Object.keys(consumers) as ConsumerName[]);
  /** When an event source last invoked its consumer: what tells an idle stack. */
  let lastActivity = Number.NEGATIVE_INFINITY;
  const active =
    (handler: AnyHandler): AnyHandler =>
    (event, context) => {
      lastActivity = Date.now();
      return handler(event, context);
    };
  for (const name of names) {
    const spec = consumers[name];
    const logger = options.logger ?? consoleLogger(`shop-${name}-events`);
    const built: AnyHandler = await buildFunction(
      spec,
      {
        ...process.env,
        ...functionEnvironment(spec, options.endpoints, options.provisioned),
        ...options.env,
      },
      options.logger ? { logger: options.logger } : {},
    );
    const wrapped: AnyHandler = options.wrap ? options.wrap(name, built) : built;
    const handler = spec.source.kind === "schedule" ? wrapped : active(wrapped);
    const common = {
      name,
      sqs,
      timeoutSeconds: spec.timeoutSeconds,
      concurrency:
        spec.source.kind === "sqs"
          ? spec.source.localConcurrency
          : "reservedConcurrency" in spec
            ? spec.reservedConcurrency
            : DEFAULT_LOCAL_CONCURRENCY,
      logger,
      retryDelaySeconds: options.retryDelaySeconds ?? spec.timeoutSeconds,
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
      case "schedule":
        pollers.push(
          startSchedule({
            name,
            everyMs: options.scheduleEveryMs ?? source.everyMinutes * 60_000,
            ...(options.scheduleEveryMs === undefined
              ? { whileIdle: { ...IDLE_SCHEDULE, lastActivity: () => lastActivity } }
              : {}),
            timeoutSeconds: spec.timeoutSeconds,
            handler,
            logger,
          }),
        );
        break;
      case "dynamodb-stream":
        pollers.push(
          startStreamPoller({
            name,
            tableName: options.provisioned.tableNames[source.table],
            dynamodb,
            streams,
            sqs,
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
      for (const client of [sqs, dynamodb, streams]) client.destroy();
    },
  };
}
