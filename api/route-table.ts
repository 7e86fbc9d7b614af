/**
 * Every route the api function serves. API Gateway's routes are built from this list and
 * the function's router matches requests against it, so the two cannot disagree. Paths use
 * API Gateway's syntax (`{id}` is one path segment).
 */

export type HttpMethod = "GET" | "POST";

export interface ApiRoute {
  readonly name: string;
  readonly method: HttpMethod;
  readonly path: string;
}

export const API_ROUTES = [
  { name: "graphql", method: "POST", path: "/graphql" },
  { name: "graphql", method: "GET", path: "/graphql" },
  { name: "listProducts", method: "GET", path: "/products" },
  { name: "getProduct", method: "GET", path: "/products/{id}" },
  { name: "placeOrder", method: "POST", path: "/orders" },
  { name: "listOrders", method: "GET", path: "/orders" },
  { name: "health", method: "GET", path: "/health" },
] as const satisfies readonly ApiRoute[];

/** The playground's static files; routed only where the playground is on. */
export const PLAYGROUND_ROUTES = [
  { name: "playgroundAsset", method: "GET", path: "/graphql/assets/{file}" },
] as const satisfies readonly ApiRoute[];

export type ShopRoute = (typeof API_ROUTES)[number] | (typeof PLAYGROUND_ROUTES)[number];
export type RouteName = ShopRoute["name"];

/** The routes of a deployment, with or without the playground. */
export function routesFor(options: { readonly playground: boolean }): readonly ShopRoute[] {
  return options.playground ? [...API_ROUTES, ...PLAYGROUND_ROUTES] : API_ROUTES;
}
