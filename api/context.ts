import type { CatalogService } from "../core/catalog-service";
import type { OrderService } from "../core/order-service";
import type { Logger } from "../core/ports";

/** What every resolver gets: the core services, wired to their adapters once per container. */
export interface ApiContext {
  readonly catalog: CatalogService;
  readonly orders: OrderService;
  readonly logger: Logger;
}
