import type { Resolvers } from "../generated/resolvers-types";
import { catalogResolvers } from "./catalog";
import { commonResolvers } from "./common";
import { operationsResolvers } from "./operations";
import { orderResolvers } from "./orders";

/** All resolvers, merged per type; each domain file owns the fields of its own types. */
export const resolvers: Resolvers = {
  ...catalogResolvers,
  ...orderResolvers,
  ...operationsResolvers,
  ...commonResolvers,
  Query: {
    ...commonResolvers.Query,
    ...catalogResolvers.Query,
    ...orderResolvers.Query,
    ...operationsResolvers.Query,
  },
};
