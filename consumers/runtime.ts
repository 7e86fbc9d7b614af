import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { Metrics } from "@aws-lambda-powertools/metrics";
import {
  createDynamoClients,
  createSnsClient,
  type DynamoClients,
  type SdkSettings,
  sdkSettings,
} from "../adapters/aws-clients";
import { type ConfigVariables, type ServiceLocation, serviceLocation } from "../adapters/config";
import { DynamoEventLog } from "../adapters/dynamo-event-log";
import type { HandlerOverrides } from "../adapters/handler-builder";
import { createLogger } from "../adapters/powertools-logger";
import { SnsEventPublisher } from "../adapters/sns-event-publisher";
import { systemClock } from "../adapters/system-clock";
import { OrderOutbox } from "../core/orders/outbox";
import type { EventLog, OrderRepository } from "../core/orders/ports";
import type { Clock, Logger } from "../core/shared/ports";

/** What every consumer reads from its environment: DynamoDB, and the event log it notes into. */
export interface ConsumerSettings {
  readonly dynamodb: ServiceLocation;
  readonly sdk: SdkSettings;
  readonly eventLogTable: string;
}

export function consumerSettings(vars: ConfigVariables): ConsumerSettings {
  return {
    dynamodb: serviceLocation(vars, "DYNAMODB"),
    sdk: sdkSettings(vars),
    eventLogTable: vars.resource("eventLogTable"),
  };
}

/** A consumer of topic events also keeps idempotency records, one per event it handled. */
export interface EventConsumerSettings extends ConsumerSettings {
  readonly idempotencyTable: string;
}

export function eventConsumerSettings(vars: ConfigVariables): EventConsumerSettings {
  return { ...consumerSettings(vars), idempotencyTable: vars.resource("consumerIdempotencyTable") };
}

/** What every consumer handler is built from: its clients and its telemetry. */
export interface ConsumerRuntime {
  readonly name: string;
  readonly dynamodb: DynamoClients;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** POWERTOOLS_METRICS_DISABLED: nothing to publish, and no warning that nothing was. */
  readonly metricsDisabled: boolean;
  readonly eventLog: EventLog;
  readonly clock: Clock;
}

export interface EventConsumerRuntime extends ConsumerRuntime {
  readonly idempotencyStore: DynamoDBPersistenceLayer;
}

export function createConsumerRuntime(
  name: string,
  settings: ConsumerSettings,
  overrides: HandlerOverrides = {},
): ConsumerRuntime {
  const dynamodb = createDynamoClients(settings.dynamodb, settings.sdk);
  return {
    name,
    dynamodb,
    logger: overrides.logger ?? createLogger(`shop-${name}`),
    metrics: new Metrics({ namespace: "Shop", serviceName: `shop-${name}` }),
    metricsDisabled: process.env.POWERTOOLS_METRICS_DISABLED === "true",
    eventLog: new DynamoEventLog(dynamodb.document, settings.eventLogTable),
    clock: systemClock,
  };
}

export function createEventConsumerRuntime(
  name: string,
  settings: EventConsumerSettings,
  overrides: HandlerOverrides = {},
): EventConsumerRuntime {
  const runtime = createConsumerRuntime(name, settings, overrides);
  return {
    ...runtime,
    idempotencyStore: new DynamoDBPersistenceLayer({
      tableName: settings.idempotencyTable,
      awsSdkV3Client: runtime.dynamodb.client,
    }),
  };
}

/**
 * What a consumer that changes orders publishes their owed events through: the topic, over
 * the consumer's SDK settings. The orders stream stays the fallback (OrderOutbox.announce).
 */
export function orderOutbox(
  runtime: ConsumerRuntime,
  orders: OrderRepository,
  settings: { readonly sns: ServiceLocation; readonly sdk: SdkSettings; readonly topicArn: string },
): OrderOutbox {
  return new OrderOutbox({
    orders,
    publisher: new SnsEventPublisher(
      createSnsClient(settings.sns, settings.sdk),
      settings.topicArn,
    ),
    logger: runtime.logger,
  });
}
