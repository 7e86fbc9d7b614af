/**
 * Who is calling. Every request carries one, GraphQL and REST alike: `anonymous` until the
 * caller presents a valid token. A customer acts as itself; an admin runs the shop.
 */
export type Viewer =
  | { readonly kind: "anonymous" }
  | { readonly kind: "customer"; readonly customerId: string }
  | { readonly kind: "admin"; readonly subject: string };

export const ANONYMOUS: Viewer = { kind: "anonymous" };

/** How a change made by this viewer is named in an order's history. */
export function actorOf(viewer: Viewer): string {
  switch (viewer.kind) {
    case "customer":
      return `customer:${viewer.customerId}`;
    case "admin":
      return `admin:${viewer.subject}`;
    case "anonymous":
      return "anonymous";
  }
}
