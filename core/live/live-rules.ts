import { maySeeOrderOf, type SignedIn } from "../shared/access";
import type { Viewer } from "../shared/viewer";

/**
 * Who may watch which orders live, and what a subscription is filed under. A subscription
 * is stored under a topic; when an order changes, every subscription to one of the order's
 * topics hears of it.
 */

/** How many subscriptions one connection may hold at once. */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 10;

/**
 * How long a connection and its subscriptions are kept: API Gateway ends a connection after
 * two hours at most, and five minutes more covers a `$disconnect` that is late. One that
 * never comes (the function failed) is then removed by the table's TTL.
 */
export const CONNECTION_TTL_SECONDS = 2 * 60 * 60 + 5 * 60;

/** The topic of one order (the `orderUpdated` subscription). */
export function orderTopic(orderId: string): string {
  return `order#${orderId}`;
}

/** The topic of every order of one customer (the `myOrders` subscription). */
export function customerTopic(customerId: string): string {
  return `customer#${customerId}`;
}

/** The topics whose subscribers hear of a change to this order. */
export function topicsOf(order: {
  readonly orderId: string;
  readonly customerId: string;
}): readonly string[] {
  return [orderTopic(order.orderId), customerTopic(order.customerId)];
}

/**
 * Whether this viewer may open live updates at all (at connection_init): they are about
 * orders, which are a customer's or an admin's business, so anonymous callers (no token, or
 * one that is not valid) are refused.
 */
export function mayGoLive(viewer: Viewer): viewer is SignedIn {
  return viewer.kind !== "anonymous";
}

/** What a subscribe is filed under, or why it is refused (the protocol's `error` message). */
export type Watch = { readonly topic: string } | { readonly refused: string };

/**
 * `orderUpdated`: an admin may watch any order, a customer only its own. `owner` is the
 * order's customer, undefined when there is no such order; another customer's order is
 * answered as if it did not exist, so its id tells the caller nothing.
 */
export function watchOrder(viewer: Viewer, orderId: string, owner: string | undefined): Watch {
  if (owner === undefined || !maySeeOrderOf(viewer, owner)) {
    return { refused: `order ${orderId} does not exist` };
  }
  return { topic: orderTopic(orderId) };
}

/** `myOrders`: a customer's own orders. An admin names no customer, so it is refused. */
export function watchMyOrders(viewer: Viewer): Watch {
  if (viewer.kind !== "customer") {
    return {
      refused:
        "myOrders follows a customer's own orders: an admin watches an order with orderUpdated",
    };
  }
  return { topic: customerTopic(viewer.customerId) };
}
