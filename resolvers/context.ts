import type { DailySalesReader } from "../core/analytics/ports";
import type { CatalogAdminService } from "../core/catalog/catalog-admin";
import type { CatalogService } from "../core/catalog/catalog-service";
import type { SentEmailReader } from "../core/notifications/ports";
import type { OrderLifecycle } from "../core/orders/order-lifecycle";
import type { OrderService } from "../core/orders/order-service";
import type { EventLog, OrderHistoryRepository } from "../core/orders/ports";
import type { Logger } from "../core/shared/ports";
import type { Viewer } from "../core/shared/viewer";

/** The core services behind the API, wired to their adapters once per container. */
export interface ShopServices {
  readonly catalog: CatalogService;
  readonly catalogAdmin: CatalogAdminService;
  readonly orders: OrderService;
  readonly lifecycle: OrderLifecycle;
  readonly history: OrderHistoryRepository;
  readonly analytics: DailySalesReader;
  readonly outbox: SentEmailReader;
  readonly eventLog: EventLog;
}

/**
 * What one request runs with, built afresh for each: who calls, the request's id, and the
 * container's services. GraphQL resolvers and the REST routes get the same one.
 */
export interface RequestContext {
  readonly requestId: string;
  /**
   * The request's correlation id: the caller's `x-correlation-id`, or one made for it. An
   * order placed by the request keeps it, and every event and log line of the order carry it.
   */
  readonly correlationId: string;
  /** Adds a searchable annotation to the request's trace (the id of the order it placed). */
  readonly annotate: (key: string, value: string) => void;
  readonly viewer: Viewer;
  /** `local` shows internal error messages; `production` masks them. */
  readonly environment: "local" | "production";
  readonly services: ShopServices;
  readonly logger: Logger;
}
