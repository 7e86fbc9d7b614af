import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { type Environment, readConfig } from "../adapters/config";
import { DynamoOrderRepository } from "../adapters/dynamo-order-repository";
import { DynamoProductRepository } from "../adapters/dynamo-product-repository";
import { type HandlerOverrides, lazyHandler } from "../adapters/handler-builder";
import { InventoryService } from "../core/catalog/inventory-service";
import { sqsConsumerHandler } from "./event-consumer";
import { createEventConsumerRuntime, eventConsumerSettings } from "./runtime";
import { CONSUMER_EVENTS } from "./subscriptions";

/** Builds the inventory consumer: returns the stock of rejected and cancelled orders, and flags products running low. */
export function buildHandler(env: Environment, overrides: HandlerOverrides = {}) {
  const config = readConfig(env, (vars) => ({
    ...eventConsumerSettings(vars),
    ordersTable: vars.resource("ordersTable"),
    productsTable: vars.resource("productsTable"),
  }));
  const runtime = createEventConsumerRuntime("inventory", config, overrides);
  const { document } = runtime.dynamodb;
  const inventory = new InventoryService({
    orders: new DynamoOrderRepository(document, {
      orders: config.ordersTable,
      products: config.productsTable,
    }),
    products: new DynamoProductRepository(document, config.productsTable),
    clock: runtime.clock,
    logger: runtime.logger,
  });
  return sqsConsumerHandler(runtime, {
    accepts: CONSUMER_EVENTS.inventory,
    async handle(event) {
      switch (event.eventType) {
        case "order_created":
          return inventory.flagLowStock(event.data.items.map((line) => line.productId));
        case "order_rejected":
        case "order_cancelled":
          return inventory.releaseStock(event.data);
      }
    },
  });
}

export const handler = lazyHandler<SQSEvent, SQSBatchResponse>(buildHandler);
