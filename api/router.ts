import type { ApiRoute } from "./route-table";

export type RouteMatch<R extends ApiRoute> =
  | { readonly kind: "found"; readonly route: R; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: "notFound" }
  | { readonly kind: "methodNotAllowed"; readonly allow: readonly string[] };

/**
 * Matches a request to one of `routes` the way API Gateway does: by path template (`{name}`
 * is one non-empty path segment, a trailing slash is ignored), then by method. A path that
 * exists with other methods is `methodNotAllowed`, with the methods it takes.
 */
export function createRouter<R extends ApiRoute>(routes: readonly R[]) {
  const compiled = [...new Set(routes.map((r) => r.path))].map((path) => {
    const names: string[] = [];
    // The literal parts match only themselves (`/openapi.json`'s dot is no wildcard).
    const pattern = path
      .replace(/[.*+?^$()|[\]\\]/g, "\\$&")
      .replace(/\{(\w+)\}/g, (_, name: string) => {
        names.push(name);
        return "([^/]+)";
      });
    return {
      regex: new RegExp(`^${pattern}/?$`),
      names,
      byMethod: new Map(routes.filter((r) => r.path === path).map((r) => [r.method, r])),
    };
  });
  return function match(method: string, path: string): RouteMatch<R> {
    for (const candidate of compiled) {
      const found = candidate.regex.exec(path);
      if (!found) continue;
      const route = candidate.byMethod.get(method as R["method"]);
      if (!route) return { kind: "methodNotAllowed", allow: [...candidate.byMethod.keys()].sort() };
      const params: Record<string, string> = {};
      candidate.names.forEach((name, i) => {
        params[name] = found[i + 1] ?? "";
      });
      return { kind: "found", route, params };
    }
    return { kind: "notFound" };
  };
}
