import { UnreachableCaseError } from "../shared/errors";
import type { Clock } from "../shared/ports";
import type { Order } from "./order";
import { canTransition, type OrderStatus } from "./order-status";
import type { OrderRepository } from "./ports";

export type ChangeStatusResult =
  | { readonly kind: "changed"; readonly order: Order }
  | { readonly kind: "orderNotFound"; readonly orderId: string }
  | {
      readonly kind: "invalidTransition";
      readonly orderId: string;
      readonly from: OrderStatus;
      readonly to: OrderStatus;
    };

/** Attempts before a status change gives up to concurrent writers (they are rare and short). */
const MAX_ATTEMPTS = 5;

/**
 * Moves orders through their lifecycle. Every change reads the order, checks the state
 * machine, and writes conditionally on the status it read; if another writer got there
 * first it re-reads and decides again, so the outcome is always a legal transition.
 */
export class OrderLifecycle {
  constructor(
    private readonly orders: OrderRepository,
    private readonly clock: Clock,
  ) {}

  async changeStatus(
    orderId: string,
    to: OrderStatus,
    actor: string,
    details: { reason?: string; paymentAuthorizationId?: string } = {},
  ): Promise<ChangeStatusResult> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const order = await this.orders.getOrder(orderId);
      if (!order) return { kind: "orderNotFound", orderId };
      if (!canTransition(order.status, to)) {
        return { kind: "invalidTransition", orderId, from: order.status, to };
      }
      const outcome = await this.orders.changeStatus({
        orderId,
        from: order.status,
        to,
        actor,
        at: this.clock.now().toISOString(),
        ...details,
      });
      switch (outcome) {
        case "changed": {
          const changed = await this.orders.getOrder(orderId);
          if (!changed) return { kind: "orderNotFound", orderId };
          return { kind: "changed", order: changed };
        }
        case "notFound":
          return { kind: "orderNotFound", orderId };
        case "conflict":
          continue;
        default:
          throw new UnreachableCaseError(outcome);
      }
    }
    throw new Error(`order ${orderId} kept changing under a status change to ${to}`);
  }

  shipOrder(orderId: string, actor: string) {
    return this.changeStatus(orderId, "SHIPPED", actor);
  }

  cancelOrder(orderId: string, actor: string, reason = "cancelled on request") {
    return this.changeStatus(orderId, "CANCELLED", actor, { reason });
  }
}
