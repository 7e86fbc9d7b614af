import { checkId } from "../shared/ids";
import { type Page, pageRequest } from "../shared/page";
import type { ProductRepository } from "./ports";
import type { Product } from "./product";

/** The catalog, as anyone may read it. */
export class CatalogService {
  constructor(private readonly products: ProductRepository) {}

  getProduct(productId: string): Promise<Product | undefined> {
    return this.products.getProduct(checkId("the product id", productId));
  }

  listProducts(options: {
    readonly first?: number | null | undefined;
    readonly after?: string | null | undefined;
    readonly category?: string | null | undefined;
  }): Promise<Page<Product>> {
    const page = pageRequest(options.first, options.after);
    return this.products.listProducts(
      options.category ? { ...page, category: checkId("the category", options.category) } : page,
    );
  }
}
