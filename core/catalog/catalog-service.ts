import { checkId } from "../shared/ids";
import { type Page, type PageArgs, pageRequest } from "../shared/page";
import type { Viewer } from "../shared/viewer";
import type { ProductRepository } from "./ports";
import type { Product } from "./product";

/** The catalog, as anyone may read it: the products on sale. */
export class CatalogService {
  constructor(private readonly products: ProductRepository) {}

  /** A product; an archived one only for admins (to everyone else it is gone). */
  async getProduct(viewer: Viewer, productId: string): Promise<Product | undefined> {
    const product = await this.products.getProduct(checkId("the product id", productId));
    return product?.archived && viewer.kind !== "admin" ? undefined : product;
  }

  listProducts(
    options: PageArgs & { readonly category?: string | null | undefined },
  ): Promise<Page<Product>> {
    const page = pageRequest(options.first, options.after, options.last, options.before);
    return this.products.listProducts(
      options.category ? { ...page, category: checkId("the category", options.category) } : page,
    );
  }
}
