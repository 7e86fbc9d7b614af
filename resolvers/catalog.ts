import type { Resolvers } from "../generated/resolvers-types";
import { pageInfoOf } from "./common";

export const catalogResolvers: Resolvers = {
  Query: {
    product: (_, { id }, { services }) => services.catalog.getProduct(id).then((p) => p ?? null),
    products: (_, { first, after, category }, { services }) =>
      services.catalog.listProducts({ first, after, category }),
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
  },
};
