import type { Resolvers } from "../generated/resolvers-types";
import { catalogResolvers } from "./catalog";
import { commonResolvers } from "./common";
import { orderResolvers } from "./orders";

/** All resolvers, merged per type; each domain file owns the fields of its own types. */
export const resolvers: Resolvers = {
  ...catalogResolvers,
  ...orderResolvers,
  ...commonResolvers,
  Query: { ...commonResolvers.Query, ...catalogResolvers.Query, ...orderResolvers.Query },
};
