import { minuteOf } from "../analytics/daily-sales";
import type { OrderRateReader } from "../analytics/ports";
import type { Logger } from "../shared/ports";
import type { Viewer } from "../shared/viewer";
import type { CatalogAdminService } from "./catalog-admin";
import type { ProductRepository } from "./ports";

export interface HotProductSettings {
  /** Orders of one product in a minute that make it hot. */
  readonly ordersPerMinute: number;
  /** The buckets a product made hot this way spreads its stock over. */
  readonly buckets: number;
}

/** Who a product made hot by its order rate is recorded as changed by. */
export const HOT_PRODUCT_WATCH: Viewer = { kind: "admin", subject: "hot-product-watch" };

/**
 * Makes a product hot by its order rate: each run reads the last whole minute's orders per
 * product (the analytics consumer counts them) and spreads the stock of each product sold at
 * least `ordersPerMinute` times over buckets, as an admin would with setProductStockBuckets.
 * The threshold sits well below the rate one product's item can take (about 500 orders a
 * second), so the move is made while it can still win its race with the orders.
 */
export class HotProductWatch {
  constructor(
    private readonly deps: {
      readonly rates: OrderRateReader;
      readonly products: Pick<ProductRepository, "getProducts">;
      readonly admin: Pick<CatalogAdminService, "setStockBuckets">;
      readonly logger: Logger;
      readonly settings: HotProductSettings;
    },
  ) {}

  /** The products this run made hot. */
  async run(now: Date): Promise<readonly string[]> {
    const minute = minuteOf(new Date(now.getTime() - 60_000).toISOString());
    const counts = await this.deps.rates.productOrdersInMinute(minute);
    const fast = [...counts]
      .filter(([, orders]) => orders >= this.deps.settings.ordersPerMinute)
      .map(([productId]) => productId);
    if (fast.length === 0) return [];
    const products = await this.deps.products.getProducts(fast);
    const madeHot: string[] = [];
    for (const productId of fast) {
      const product = products.get(productId);
      // Already hot (by hand or by an earlier run), or gone: left as it is.
      if (!product || product.stockBuckets || product.archived) continue;
      let result: Awaited<ReturnType<CatalogAdminService["setStockBuckets"]>>;
      try {
        result = await this.deps.admin.setStockBuckets(HOT_PRODUCT_WATCH, {
          productId,
          buckets: this.deps.settings.buckets,
        });
      } catch (error) {
        // Orders kept moving its stock: the next run, a minute on, tries again.
        this.deps.logger.warn("could not make a fast-selling product hot yet", {
          productId,
          error: String(error),
        });
        continue;
      }
      if (result.kind === "changed") {
        madeHot.push(productId);
        this.deps.logger.info("product made hot by its order rate", {
          productId,
          ordersPerMinute: counts.get(productId),
          buckets: this.deps.settings.buckets,
        });
      }
    }
    return madeHot;
  }
}
