import { CUSTOMER_EMAIL_EVENTS } from "../core/notifications/order-email";
import type { EventType } from "../core/shared/events";

/**
 * The events each topic consumer handles, declared once: the topology builds each
 * subscription's filter policy from this, and each consumer's handler receives exactly
 * these types. Kept free of runtime code so the CDK app can read it.
 */
export const CONSUMER_EVENTS = {
  fraud: ["order_created"],
  inventory: ["order_created", "order_rejected", "order_cancelled"],
  email: CUSTOMER_EMAIL_EVENTS,
  analytics: ["order_created", "stock_adjusted"],
  /** Every change of an order's status, pushed to its live subscribers. */
  liveUpdates: [
    "order_created",
    "order_confirmed",
    "order_rejected",
    "order_shipped",
    "order_cancelled",
  ],
} as const satisfies Record<string, readonly EventType[]>;
