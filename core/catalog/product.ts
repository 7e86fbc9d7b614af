import type { Currency } from "../shared/money";
import type { Page } from "../shared/page";

/** A product in the catalog. `stock` is the number of units that can still be sold. */
export interface Product {
  readonly productId: string;
  readonly name: string;
  readonly category: string;
  readonly brand: string;
  readonly description: string;
  readonly priceCents: number;
  readonly currency: Currency;
  readonly stock: number;
  /** Set by the inventory consumer when stock fell under the low-stock threshold. */
  readonly lowStock?: boolean | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** One page of a list, each item with the opaque cursor that continues after it. */

/** A page of the catalog. */
export type ProductPage = Page<Product>;
