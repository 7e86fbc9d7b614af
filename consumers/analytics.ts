import { DynamoAnalyticsRepository } from "../adapters/dynamo-analytics-repository";
import { snsConsumerHandler } from "./event-consumer";
import { type ConsumerRuntime, lazyHandler } from "./runtime";

/** Counts each new order into per-day and per-product sales, once per event. */
export function createAnalyticsHandler(runtime: ConsumerRuntime) {
  const analytics = new DynamoAnalyticsRepository(
    runtime.clients.dynamodb,
    runtime.config.tables.analytics,
  );
  return snsConsumerHandler(runtime, {
    accepts: ["order_created"],
    async handle(event) {
      if (event.eventType !== "order_created") return;
      await analytics.countOrder(event.eventId, event.data);
    },
  });
}

export const handler = lazyHandler("analytics", createAnalyticsHandler);
