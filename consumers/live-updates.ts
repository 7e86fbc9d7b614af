import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { connectionGatewayAt } from "../adapters/apigateway-connection-gateway";
import { type Environment, readConfig, shopEnvironment } from "../adapters/config";
import { DynamoHistoryRepository } from "../adapters/dynamo-history-repository";
import { DynamoOrderRepository } from "../adapters/dynamo-order-repository";
import { DynamoSubscriptionStore } from "../adapters/dynamo-subscription-store";
import { type HandlerOverrides, lazyHandler } from "../adapters/handler-builder";
import { LiveDelivery } from "../api/live/delivery";
import { shopSchema } from "../api/schema";
import { sqsConsumerHandler } from "./event-consumer";
import { createEventConsumerRuntime, eventConsumerSettings } from "./runtime";
import { CONSUMER_EVENTS } from "./subscriptions";

/**
 * Builds the live-updates notifier: for each change of an order's status it reads the order
 * as it now is and pushes it to every subscription watching it, through the WebSocket API's
 * management endpoint (LiveDelivery). Events are handled once each, so each change is pushed
 * once.
 */
export function buildHandler(env: Environment, overrides: HandlerOverrides = {}) {
  const config = readConfig(env, (vars) => ({
    ...eventConsumerSettings(vars),
    ordersTable: vars.resource("ordersTable"),
    historyTable: vars.resource("orderHistoryTable"),
    subscriptionsTable: vars.resource("liveSubscriptionsTable"),
    managementUrl: vars.resource("websocketManagementUrl"),
    environment: shopEnvironment(vars),
  }));
  const runtime = createEventConsumerRuntime("liveUpdates", config, overrides);
  const { document } = runtime.dynamodb;
  const orders = new DynamoOrderRepository(document, { orders: config.ordersTable });
  const delivery = new LiveDelivery({
    schema: shopSchema(),
    store: new DynamoSubscriptionStore(document, config.subscriptionsTable),
    gateway: connectionGatewayAt(config.managementUrl, config.dynamodb.region, config.sdk),
    history: new DynamoHistoryRepository(document, config.historyTable),
    environment: config.environment,
    logger: runtime.logger,
  });
  return sqsConsumerHandler(runtime, {
    accepts: CONSUMER_EVENTS.liveUpdates,
    async handle(event) {
      const order = await orders.getOrder(event.data.orderId);
      if (!order) return;
      const { sent, gone } = await delivery.orderChanged(order);
      runtime.logger.info("order pushed to its live subscribers", {
        orderId: order.orderId,
        eventType: event.eventType,
        sent,
        gone,
      });
    },
  });
}

export const handler = lazyHandler<SQSEvent, SQSBatchResponse>(buildHandler);
