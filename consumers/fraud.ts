import { DynamoOrderRepository } from "../adapters/dynamo-order-repository";
import { SimulatedPaymentProvider } from "../adapters/simulated-payment-provider";
import { FraudService } from "../core/fraud/fraud-service";
import { OrderLifecycle } from "../core/orders/order-lifecycle";
import { sqsConsumerHandler } from "./event-consumer";
import { type ConsumerRuntime, lazyHandler } from "./runtime";

/** Scores each new order, authorizes its payment, and confirms or rejects it. */
export function createFraudHandler(runtime: ConsumerRuntime) {
  const { config, clients, clock, logger } = runtime;
  const orders = new DynamoOrderRepository(clients.dynamodb, config.tables);
  const fraud = new FraudService({
    orders,
    lifecycle: new OrderLifecycle(orders, clock),
    payments: new SimulatedPaymentProvider(config.payment),
    paymentPolicy: config.payment,
    clock,
    logger,
  });
  return sqsConsumerHandler(runtime, {
    accepts: ["order_created"],
    async handle(event, context) {
      if (event.eventType !== "order_created") return;
      const outcome = await fraud.decide(event.data, context.deadline);
      logger.info(`fraud decision: ${outcome}`, {
        orderId: event.data.orderId,
        eventId: event.eventId,
      });
    },
  });
}

export const handler = lazyHandler("fraud", createFraudHandler);
