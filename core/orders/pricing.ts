import type { Product } from "../catalog/product";
import { EVENT_LIMITS } from "../shared/events";
import type { OrderLine } from "./order";
import type { OrderRequest } from "./order-input";

/**
 * The largest order total accepted: $1,000,000.00. It keeps every amount a GraphQL `Int`
 * (32-bit) and is far above any basket a shop customer places in one go.
 */
export const MAX_ORDER_TOTAL_CENTS = 100_000_000;

export type PricingResult =
  | { readonly kind: "priced"; readonly lines: readonly OrderLine[]; readonly totalCents: number }
  | { readonly kind: "productNotFound"; readonly productId: string }
  | { readonly kind: "productUnavailable"; readonly productId: string }
  | {
      readonly kind: "insufficientStock";
      readonly productId: string;
      readonly requested: number;
      readonly available: number;
    }
  | { readonly kind: "totalTooLarge"; readonly totalCents: number };

/**
 * Prices the request's lines from the catalog in integer cents. Also reports a line the
 * stock as read cannot cover; the reservation re-checks that atomically when it writes.
 */
export function priceOrder(
  items: OrderRequest["items"],
  products: ReadonlyMap<string, Product>,
): PricingResult {
  const lines: OrderLine[] = [];
  let totalCents = 0;
  for (const { productId, quantity } of items) {
    const product = products.get(productId);
    if (!product) return { kind: "productNotFound", productId };
    if (product.archived) return { kind: "productUnavailable", productId };
    if (product.stock < quantity) {
      return {
        kind: "insufficientStock",
        productId,
        requested: quantity,
        available: product.stock,
      };
    }
    const lineTotalCents = product.priceCents * quantity;
    lines.push({
      productId,
      // An order line names the product as it was; long names are cut to what events carry.
      productName: product.name.slice(0, EVENT_LIMITS.productNameLength),
      quantity,
      unitPriceCents: product.priceCents,
      lineTotalCents,
    });
    totalCents += lineTotalCents;
  }
  if (totalCents > MAX_ORDER_TOTAL_CENTS) return { kind: "totalTooLarge", totalCents };
  return { kind: "priced", lines, totalCents };
}
