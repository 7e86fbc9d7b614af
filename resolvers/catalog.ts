import type { CatalogResult } from "../core/catalog/catalog-admin";
import type { ProductState } from "../core/shared/events";
import { cents } from "../core/shared/money";
import type { Resolvers, ResolversTypes } from "../generated/resolvers-types";
import { pageInfoOf } from "./common";
import { catalogOutcome } from "./outcomes";

/** The product, or why the catalog change was refused, as a member of its result union. */
function toCatalogResult<U extends keyof ResolversTypes>(result: CatalogResult): ResolversTypes[U] {
  return (
    result.kind === "changed"
      ? { __typename: "Product", ...result.product }
      : catalogOutcome(result).member
  ) as ResolversTypes[U];
}

/** GraphQL gives an absent optional input field as null; core wants it left out. */
function withoutNulls(input: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null));
}

export const catalogResolvers: Resolvers = {
  Query: {
    product: (_, { id }, { services, viewer }) =>
      services.catalog.getProduct(viewer, id).then((p) => p ?? null),
    products: (_, { first, after, last, before, category }, { services }) =>
      services.catalog.listProducts({ first, after, last, before, category }),
  },
  Mutation: {
    createProduct: async (_, { input }, { services, viewer }) =>
      toCatalogResult<"CreateProductResult">(
        await services.catalogAdmin.createProduct(viewer, withoutNulls(input)),
      ),
    updateProduct: async (_, { id, input }, { services, viewer }) =>
      toCatalogResult<"UpdateProductResult">(
        await services.catalogAdmin.updateProduct(viewer, id, withoutNulls(input)),
      ),
    adjustStock: async (_, { productId, delta, reason }, { services, viewer }) =>
      toCatalogResult<"AdjustStockResult">(
        await services.catalogAdmin.adjustStock(viewer, { productId, delta, reason }),
      ),
    archiveProduct: async (_, { id }, { services, viewer }) =>
      toCatalogResult<"ArchiveProductResult">(
        await services.catalogAdmin.archiveProduct(viewer, id),
      ),
    setProductStockBuckets: async (_, { productId, buckets }, { services, viewer }) =>
      toCatalogResult<"SetProductStockBucketsResult">(
        await services.catalogAdmin.setStockBuckets(viewer, { productId, buckets }),
      ),
  },
  ProductConnection: {
    edges: (page) => [...page.edges],
    pageInfo: pageInfoOf,
  },
  Product: {
    id: (product) => product.productId,
    price: (product) => ({ amountCents: product.priceCents, currency: product.currency }),
    inStock: (product) => product.stock > 0,
    lowStock: (product) => product.lowStock === true,
    archived: (product) => product.archived === true,
    history: async (product, _, { services, viewer }) => [
      ...(await services.catalogAdmin.history(viewer, product.productId)),
    ],
    stockBuckets: (product, _, { services, viewer }) =>
      services.catalogAdmin.stockBucketsOf(viewer, product) ?? null,
  },
  ProductHistoryEntry: {
    before: (entry) => entry.before ?? null,
    stockBefore: (entry) => entry.stockBefore ?? null,
    stockAfter: (entry) => entry.stockAfter ?? null,
    reason: (entry) => entry.reason ?? null,
  },
  ProductSnapshot: {
    price: (state: ProductState) => cents(state.priceCents),
  },
};
