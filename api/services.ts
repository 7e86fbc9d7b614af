import { randomUUID } from "node:crypto";
import type { AwsClients } from "../adapters/aws-clients";
import type { Config } from "../adapters/config";
import { DynamoAnalyticsRepository } from "../adapters/dynamo-analytics-repository";
import { DynamoEventLog } from "../adapters/dynamo-event-log";
import { DynamoHistoryRepository } from "../adapters/dynamo-history-repository";
import { DynamoOrderRepository } from "../adapters/dynamo-order-repository";
import { DynamoProductRepository } from "../adapters/dynamo-product-repository";
import { MailOutbox } from "../adapters/outbox-mailer";
import { SnsEventPublisher } from "../adapters/sns-event-publisher";
import { CatalogService } from "../core/catalog-service";
import { OrderLifecycle } from "../core/order-lifecycle";
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
  const clock = overrides.clock ?? systemClock;
  return {
    environment: config.environment,
    catalog: new CatalogService(products),
    lifecycle: new OrderLifecycle(orders, clock),
    history: new DynamoHistoryRepository(clients.dynamodb, config.tables.orderHistory),
    analytics: new DynamoAnalyticsRepository(clients.dynamodb, config.tables.analytics),
    outbox: new MailOutbox(clients.dynamodb, config.tables.mailOutbox),
    eventLog: new DynamoEventLog(clients.dynamodb, config.tables.eventLog),
    orders: new OrderService({
      products,
      orders,
      publisher,
      clock,
      ids: overrides.ids ?? uuidGenerator,
      logger,
    }),
    logger,
  };
}
