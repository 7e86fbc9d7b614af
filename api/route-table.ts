import { createRouter } from "./router";

/**
 * Every route the api function serves. API Gateway's routes are built from this list, the
 * local HTTP bridge matches requests as they do (`routeMatcher`), and the function's router
 * matches requests against it, so none of them can disagree. Paths use API Gateway's syntax
 * (`{id}` is one path segment).
 */

export type HttpMethod = "GET" | "POST";

/**
 * Who a route serves. `anyone`: anonymous callers by design (the catalog, health, the REST
 * routes' description, and `/graphql`, whose anonymous catalog reads and signed-in order
 * operations share one route), so the function verifies tokens itself. `callers`: only
 * signed-in callers, so in the cloud API Gateway's JWT authorizer also turns away a request
 * without a valid token before it reaches the function (unless the legacy switch reopens the
 * old REST contract).
 */
export type RouteAudience = "anyone" | "callers";

export interface ApiRoute {
  readonly name: string;
  readonly method: HttpMethod;
  readonly path: string;
  readonly audience: RouteAudience;
}

export const API_ROUTES = [
  { name: "graphql", method: "POST", path: "/graphql", audience: "anyone" },
  { name: "graphql", method: "GET", path: "/graphql", audience: "anyone" },
  { name: "listProducts", method: "GET", path: "/products", audience: "anyone" },
  { name: "getProduct", method: "GET", path: "/products/{id}", audience: "anyone" },
  { name: "placeOrder", method: "POST", path: "/orders", audience: "callers" },
  { name: "listOrders", method: "GET", path: "/orders", audience: "callers" },
  { name: "health", method: "GET", path: "/health", audience: "anyone" },
  // The REST routes' OpenAPI description (api/openapi.ts), public like the routes it describes.
  { name: "openapi", method: "GET", path: "/openapi.json", audience: "anyone" },
] as const satisfies readonly ApiRoute[];

/** The playground's static files; routed only where the playground is on. */
export const PLAYGROUND_ROUTES = [
  { name: "playgroundAsset", method: "GET", path: "/graphql/assets/{file}", audience: "anyone" },
] as const satisfies readonly ApiRoute[];

export type ShopRoute = (typeof API_ROUTES)[number] | (typeof PLAYGROUND_ROUTES)[number];
export type RouteName = ShopRoute["name"];

/** The routes of a deployment, with or without the playground. */
export function routesFor(options: { readonly playground: boolean }): readonly ShopRoute[] {
  return options.playground ? [...API_ROUTES, ...PLAYGROUND_ROUTES] : API_ROUTES;
}

/** The route a request takes, with the values of its path parameters as sent. */
export interface MatchedRoute {
  readonly route: ShopRoute;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Matches requests as the HTTP API the stack builds from `routesFor(options)` does. There a
 * route is one method on one path, so a request takes the route of its own method whose
 * path fits it (by ./router.ts's rules: `{name}` is one segment, a trailing slash is
 * ignored), or none at all: a known path with another method is no match either.
 */
export function routeMatcher(options: {
  readonly playground: boolean;
}): (method: string, path: string) => MatchedRoute | undefined {
  const routes = routesFor(options);
  const byMethod = new Map(
    [...new Set(routes.map((route) => route.method))].map((method) => [
      method as string,
      createRouter(routes.filter((route) => route.method === method)),
    ]),
  );
  return (method, path) => {
    const found = byMethod.get(method)?.(method, path);
    return found?.kind === "found" ? { route: found.route, params: found.params } : undefined;
  };
}
