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
  /**
   * Grows with every change of what the product is (its description, its price, archiving);
   * `updateProduct` must name the version it read. Stock moves do not change it.
   */
  readonly version: number;
  /** Withdrawn from sale: hidden from the listings and refused by new orders. */
  readonly archived?: boolean | undefined;
  /** Who made the last catalog change, as its history names them. */
  readonly updatedBy?: string | undefined;
}

/** A page of the catalog. */
export type ProductPage = Page<Product>;
