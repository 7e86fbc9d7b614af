import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { type Environment, readConfig, serviceLocation } from "../adapters/config";
import { DynamoOrderRepository } from "../adapters/dynamo-order-repository";
import { type HandlerOverrides, lazyHandler } from "../adapters/handler-builder";
import { SimulatedPaymentProvider } from "../adapters/simulated-payment-provider";
import { FraudService } from "../core/fraud/fraud-service";
import { OrderLifecycle } from "../core/orders/order-lifecycle";
import { noteHandling, sqsConsumerHandler } from "./event-consumer";
import { createEventConsumerRuntime, eventConsumerSettings, orderOutbox } from "./runtime";
import { CONSUMER_EVENTS } from "./subscriptions";

/** Builds the fraud consumer: scores each new order, authorizes its payment, and confirms or rejects it. */
export function buildHandler(env: Environment, overrides: HandlerOverrides = {}) {
  const config = readConfig(env, (vars) => ({
    ...eventConsumerSettings(vars),
    ordersTable: vars.resource("ordersTable"),
    sns: serviceLocation(vars, "SNS"),
    orderEventsTopicArn: vars.resource("orderEventsTopic"),
    payment: {
      /** The simulated provider's latency per authorization. */
      latencyMs: vars.number("PAYMENT_LATENCY_MS", 200, { min: 0, integer: true }),
      /** Share of orders the simulated provider declines, fixed per order id. */
      declineRate: vars.number("PAYMENT_DECLINE_RATE", 0, { min: 0, max: 1 }),
      attemptTimeoutMs: vars.number("PAYMENT_TIMEOUT_MS", 10_000, { min: 1, integer: true }),
      maxAttempts: vars.number("PAYMENT_MAX_ATTEMPTS", 3, { min: 1, integer: true }),
    },
  }));
  const runtime = createEventConsumerRuntime("fraud", config, overrides);
  const orders = new DynamoOrderRepository(runtime.dynamodb.document, {
    orders: config.ordersTable,
  });
  // The decision's event is published at once, so its consumers (the email first) need not
  // wait for the orders stream, which stays the fallback (OrderOutbox.announce).
  const outbox = orderOutbox(runtime, orders, {
    sns: config.sns,
    sdk: config.sdk,
    topicArn: config.orderEventsTopicArn,
  });
  const fraud = new FraudService({
    orders,
    lifecycle: new OrderLifecycle(orders, runtime.clock),
    payments: new SimulatedPaymentProvider(config.payment),
    paymentPolicy: config.payment,
    clock: runtime.clock,
    logger: runtime.logger,
  });
  return sqsConsumerHandler(runtime, {
    accepts: CONSUMER_EVENTS.fraud,
    async handle(event, context) {
      const { outcome, owed } = await fraud.decide(event.data, context.deadline);
      runtime.logger.info(`fraud decision: ${outcome}`, {
        orderId: event.data.orderId,
        eventId: event.eventId,
      });
      if (!owed) return;
      const published = await outbox.announce(event.data.orderId, owed);
      if (published) {
        context.alongside(
          Promise.all([published.clearing, noteHandling(runtime, owed, "published")]),
        );
      }
    },
  });
}

export const handler = lazyHandler<SQSEvent, SQSBatchResponse>(buildHandler);
