import type { Order } from "../orders/order";
import { releasesStock } from "../orders/order-status";
import type { OrderRepository } from "../orders/ports";
import type { OrderStatusChangedData } from "../shared/events";
import type { Clock, Logger } from "../shared/ports";
import type { LowStockFlagger, ProductRepository } from "./ports";

/** A product with fewer units than this is flagged as running low. */
export const LOW_STOCK_THRESHOLD = 5;

const ACTOR = "inventory";

/** Returns the stock of orders that will never ship, and watches for products running low. */
export class InventoryService {
  constructor(
    private readonly deps: {
      readonly orders: OrderRepository;
      readonly products: ProductRepository & LowStockFlagger;
      readonly clock: Clock;
      readonly logger: Logger;
    },
  ) {}

  /** Puts a rejected or cancelled order's units back, exactly once per order. */
  async releaseStock(
    event: OrderStatusChangedData,
  ): Promise<"released" | "alreadyReleased" | "notReleasable"> {
    const order: Order | undefined = await this.deps.orders.getOrder(event.orderId);
    if (!order || !releasesStock(order.status)) return "notReleasable";
    const outcome = await this.deps.orders.releaseStock(
      order,
      ACTOR,
      this.deps.clock.now().toISOString(),
    );
    this.deps.logger.info(`stock of order ${outcome}`, {
      orderId: order.orderId,
      status: order.status,
    });
    return outcome;
  }

  /** Flags each product of a new order whose stock is now under the threshold. */
  async flagLowStock(productIds: readonly string[]): Promise<string[]> {
    const products = await this.deps.products.getProducts(productIds);
    const low = [...products.values()].filter((p) => p.stock < LOW_STOCK_THRESHOLD);
    for (const product of low) {
      await this.deps.products.flagLowStock(product.productId);
      this.deps.logger.warn("product is running low", {
        productId: product.productId,
        stock: product.stock,
      });
    }
    return low.map((p) => p.productId);
  }
}
