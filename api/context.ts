import type { AnalyticsRepository } from "../core/analytics";
import type { CatalogService } from "../core/catalog-service";
import type { SentEmailReader } from "../core/email";
import type { OrderLifecycle } from "../core/order-lifecycle";
import type { OrderService } from "../core/order-service";
import type { EventLog } from "../core/order-timeline";
import type { Logger, OrderHistoryRepository } from "../core/ports";

/** What every resolver gets: the core services, wired to their adapters once per container. */
export interface ApiContext {
  readonly environment: "local" | "production";
  readonly catalog: CatalogService;
  readonly orders: OrderService;
  readonly lifecycle: OrderLifecycle;
  readonly history: OrderHistoryRepository;
  readonly analytics: AnalyticsRepository;
  readonly outbox: SentEmailReader;
  readonly eventLog: EventLog;
  readonly logger: Logger;
}
