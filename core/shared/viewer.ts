/**
 * Who is calling. Every request carries one, GraphQL and REST alike: `anonymous` until the
 * caller proves who it is.
 */
export type Viewer =
  | { readonly kind: "anonymous" }
  | { readonly kind: "customer"; readonly customerId: string }
  | { readonly kind: "admin"; readonly subject: string };

export const ANONYMOUS: Viewer = { kind: "anonymous" };
