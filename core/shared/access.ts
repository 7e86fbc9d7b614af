import { ShopError } from "./errors";
import type { Viewer } from "./viewer";

/**
 * Who may do what, in one place: the services and resolvers ask these before they act, so
 * GraphQL and REST apply the same rules. Reading the catalog needs nothing; orders belong
 * to a customer; running the shop (shipping, cancelling any order, sales, timelines, dead
 * letters, the catalog) needs the admin role.
 */

/** The caller is anonymous (or its token was not valid) and must sign in. */
export class NotAuthenticatedError extends ShopError {
  constructor(message = "sign in to do this: send a bearer token") {
    super(message);
    this.name = "NotAuthenticatedError";
  }
}

/** The caller is known, and may not do this. */
export class ForbiddenError extends ShopError {
  constructor(message = "you may not do this") {
    super(message);
    this.name = "ForbiddenError";
  }
}

export type SignedIn = Exclude<Viewer, { kind: "anonymous" }>;
export type Admin = Extract<Viewer, { kind: "admin" }>;

/** The viewer, if signed in; otherwise NotAuthenticatedError. */
export function requireSignedIn(viewer: Viewer): SignedIn {
  if (viewer.kind === "anonymous") throw new NotAuthenticatedError();
  return viewer;
}

/** The viewer, if an admin; NotAuthenticatedError for anonymous, ForbiddenError for customers. */
export function requireAdmin(viewer: Viewer): Admin {
  const signedIn = requireSignedIn(viewer);
  if (signedIn.kind !== "admin") throw new ForbiddenError("this needs the admin role");
  return signedIn;
}

/** Whether the viewer may see an order: its customer, or an admin. */
export function maySeeOrderOf(viewer: Viewer, customerId: string): boolean {
  return (
    viewer.kind === "admin" || (viewer.kind === "customer" && viewer.customerId === customerId)
  );
}

/**
 * The customer a request acts for. A customer acts as itself: naming another customer is
 * refused. An admin acts for the customer it names. Undefined when an admin names nobody.
 */
export function actingCustomer(viewer: Viewer, named: string | undefined): string | undefined {
  const signedIn = requireSignedIn(viewer);
  if (signedIn.kind === "admin") return named;
  if (named !== undefined && named !== signedIn.customerId) {
    throw new ForbiddenError("a customer acts only as itself");
  }
  return signedIn.customerId;
}
