import { CatalogReadCache } from "../adapters/catalog-read-cache";
import { DynamoAnalyticsRepository } from "../adapters/dynamo-analytics-repository";
import { DynamoEventLog } from "../adapters/dynamo-event-log";
import { DynamoHistoryRepository } from "../adapters/dynamo-history-repository";
import { DynamoOrderRepository } from "../adapters/dynamo-order-repository";
import {
  DynamoProductHistoryRepository,
  DynamoProductRepository,
} from "../adapters/dynamo-product-repository";
import { MailOutbox } from "../adapters/outbox-mailer";
import { SnsEventPublisher } from "../adapters/sns-event-publisher";
import { systemClock, uuidGenerator } from "../adapters/system-clock";
import { CatalogAdminService } from "../core/catalog/catalog-admin";
import { CatalogService } from "../core/catalog/catalog-service";
import { OrderLifecycle } from "../core/orders/order-lifecycle";
import { OrderService } from "../core/orders/order-service";
import { OrderOutbox } from "../core/orders/outbox";
import type { Clock, IdGenerator, Logger } from "../core/shared/ports";
import type { ShopServices } from "../resolvers/context";
import type { ApiClients, ApiConfig } from "./api-config";

/** Wires the adapters into the core services behind GraphQL and REST, once per container. */
export function createServices(
  config: ApiConfig,
  clients: ApiClients,
  logger: Logger,
  overrides: { clock?: Clock; ids?: IdGenerator } = {},
): ShopServices {
  // Catalog reads for display come from the container's short-lived cache; orders and
  // catalog changes read the table itself (CatalogReadCache says which is which).
  const products = new CatalogReadCache(
    new DynamoProductRepository(
      clients.dynamodb.document,
      config.tables.products,
      config.tables.productHistory,
    ),
  );
  const orders = new DynamoOrderRepository(clients.dynamodb.document, config.tables);
  const publisher = new SnsEventPublisher(clients.sns, config.orderEventsTopicArn);
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? uuidGenerator;
  return {
    catalog: new CatalogService(products),
    catalogAdmin: new CatalogAdminService({
      products,
      history: new DynamoProductHistoryRepository(
        clients.dynamodb.document,
        config.tables.productHistory,
      ),
      publisher,
      clock,
      ids,
      logger,
    }),
    // Status changes made through the api are published at once, as placed orders are.
    lifecycle: new OrderLifecycle(orders, clock, new OrderOutbox({ orders, publisher, logger })),
    history: new DynamoHistoryRepository(clients.dynamodb.document, config.tables.orderHistory),
    analytics: new DynamoAnalyticsRepository(clients.dynamodb.document, config.tables.analytics),
    outbox: new MailOutbox(clients.dynamodb.document, config.tables.mailOutbox),
    eventLog: new DynamoEventLog(clients.dynamodb.document, config.tables.eventLog),
    orders: new OrderService({
      products,
      orders,
      publisher,
      clock,
      ids,
      logger,
    }),
  };
}
