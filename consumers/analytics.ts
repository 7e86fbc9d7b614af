import type { SNSEvent } from "aws-lambda";
import { type Environment, readConfig } from "../adapters/config";
import { DynamoAnalyticsRepository } from "../adapters/dynamo-analytics-repository";
import { type HandlerOverrides, lazyHandler } from "../adapters/handler-builder";
import { snsConsumerHandler } from "./event-consumer";
import { createEventConsumerRuntime, eventConsumerSettings } from "./runtime";
import { CONSUMER_EVENTS } from "./subscriptions";

/**
 * Builds the analytics consumer: counts each new order into per-day and per-product sales,
 * and each stock write-off into the day's write-offs, once per event.
 */
export function buildHandler(env: Environment, overrides: HandlerOverrides = {}) {
  const config = readConfig(env, (vars) => ({
    ...eventConsumerSettings(vars),
    analyticsTable: vars.resource("analyticsTable"),
  }));
  const runtime = createEventConsumerRuntime("analytics", config, overrides);
  const analytics = new DynamoAnalyticsRepository(runtime.dynamodb.document, config.analyticsTable);
  return snsConsumerHandler(runtime, {
    accepts: CONSUMER_EVENTS.analytics,
    handle: (event) =>
      event.eventType === "order_created"
        ? analytics.countOrder(event.eventId, event.data)
        : analytics.countStockAdjustment(event.eventId, event.data),
  });
}

export const handler = lazyHandler<SNSEvent, void>(buildHandler);
