import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { type AwsClients, createAwsClients } from "../adapters/aws-clients";
import { type Config, loadConfig } from "../adapters/config";
import { DynamoEventLog } from "../adapters/dynamo-event-log";
import { createLogger } from "../adapters/powertools-logger";
import { systemClock } from "../adapters/system-clock";
import type { EventLog } from "../core/orders/ports";
import type { Clock, Logger } from "../core/shared/ports";

/** What every consumer handler is built from: configuration, clients and telemetry. */
export interface ConsumerRuntime {
  readonly name: string;
  readonly config: Config;
  readonly clients: AwsClients;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** POWERTOOLS_METRICS_DISABLED: nothing to publish, and no warning that nothing was. */
  readonly metricsDisabled: boolean;
  readonly idempotencyStore: DynamoDBPersistenceLayer;
  readonly eventLog: EventLog;
  readonly clock: Clock;
}

export function createConsumerRuntime(
  name: string,
  config: Config,
  clients: AwsClients = createAwsClients(config),
  logger: Logger = createLogger(`shop-${name}`),
): ConsumerRuntime {
  return {
    name,
    config,
    clients,
    logger,
    metrics: new Metrics({ namespace: "Shop", serviceName: `shop-${name}` }),
    metricsDisabled: process.env.POWERTOOLS_METRICS_DISABLED === "true",
    idempotencyStore: new DynamoDBPersistenceLayer({
      tableName: config.tables.consumerIdempotency,
      awsSdkV3Client: clients.dynamodbClient,
    }),
    eventLog: new DynamoEventLog(clients.dynamodb, config.tables.eventLog),
    clock: systemClock,
  };
}

/**
 * A Lambda entry point built on its first invocation from the environment, then reused
 * for the life of the container.
 */
export function lazyHandler<E, R>(
  name: string,
  build: (
    runtime: ConsumerRuntime,
  ) => (event: E, context: import("aws-lambda").Context) => Promise<R>,
) {
  let built: ((event: E, context: import("aws-lambda").Context) => Promise<R>) | undefined;
  return (event: E, context: import("aws-lambda").Context): Promise<R> => {
    built ??= build(createConsumerRuntime(name, loadConfig()));
    return built(event, context);
  };
}
