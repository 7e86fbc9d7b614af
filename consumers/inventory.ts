import { DynamoOrderRepository } from "../adapters/dynamo-order-repository";
import { DynamoProductRepository } from "../adapters/dynamo-product-repository";
import { InventoryService } from "../core/catalog/inventory-service";
import { sqsConsumerHandler } from "./event-consumer";
import { type ConsumerRuntime, lazyHandler } from "./runtime";

/** Returns the stock of rejected and cancelled orders, and flags products running low. */
export function createInventoryHandler(runtime: ConsumerRuntime) {
  const { config, clients, clock, logger } = runtime;
  const inventory = new InventoryService({
    orders: new DynamoOrderRepository(clients.dynamodb, config.tables),
    products: new DynamoProductRepository(clients.dynamodb, config.tables.products),
    clock,
    logger,
  });
  return sqsConsumerHandler(runtime, {
    accepts: ["order_created", "order_rejected", "order_cancelled"],
    async handle(event) {
      if (event.eventType === "order_created") {
        await inventory.flagLowStock(event.data.items.map((line) => line.productId));
      } else {
        await inventory.releaseStock(event.data);
      }
    },
  });
}

export const handler = lazyHandler("inventory", createInventoryHandler);
