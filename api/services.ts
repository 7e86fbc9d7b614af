import { randomUUID } from "node:crypto";
import type { AwsClients } from "../adapters/aws-clients";
import type { Config } from "../adapters/config";
import { DynamoOrderRepository } from "../adapters/dynamo-order-repository";
import { DynamoProductRepository } from "../adapters/dynamo-product-repository";
import { SnsEventPublisher } from "../adapters/sns-event-publisher";
import { CatalogService } from "../core/catalog-service";
import { OrderService } from "../core/order-service";
import type { Clock, IdGenerator, Logger as LoggerPort } from "../core/ports";
import type { ApiContext } from "./context";

export const systemClock: Clock = { now: () => new Date() };
export const uuidGenerator: IdGenerator = { newId: () => randomUUID() };

/** Wires the adapters into the core services the resolvers use. */
export function createServices(
  config: Config,
  clients: AwsClients,
  logger: LoggerPort,
  overrides: { clock?: Clock; ids?: IdGenerator } = {},
): ApiContext {
  const products = new DynamoProductRepository(clients.dynamodb, config.tables.products);
  const orders = new DynamoOrderRepository(clients.dynamodb, config.tables);
  const publisher = new SnsEventPublisher(clients.sns, config.orderEventsTopicArn);
  return {
    catalog: new CatalogService(products),
    orders: new OrderService({
      products,
      orders,
      publisher,
      clock: overrides.clock ?? systemClock,
      ids: overrides.ids ?? uuidGenerator,
      logger,
    }),
    logger,
  };
}
