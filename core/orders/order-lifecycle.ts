import type { FraudAssessment } from "../fraud/fraud-scoring";
import { ForbiddenError, maySeeOrderOf, requireAdmin, requireSignedIn } from "../shared/access";
import { UnreachableCaseError } from "../shared/errors";
import { EVENT_LIMITS, type ShopEvent } from "../shared/events";
import { checkId, checkText } from "../shared/ids";
import type { Clock } from "../shared/ports";
import { actorOf, type Viewer } from "../shared/viewer";
import type { Order } from "./order";
import { eventOfStatusChange } from "./order-events";
import { canTransition, type OrderStatus } from "./order-status";
import type { OrderOutbox } from "./outbox";
import type { OrderRepository } from "./ports";

export type ChangeStatusResult =
  | {
      readonly kind: "changed";
      readonly order: Order;
      /** The event the change owes, in the order's outbox until it is published. */
      readonly owed?: ShopEvent;
    }
  | { readonly kind: "orderNotFound"; readonly orderId: string }
  | {
      readonly kind: "invalidTransition";
      readonly orderId: string;
      readonly from: OrderStatus;
      readonly to: OrderStatus;
    };

/**
 * The longest cancellation reason: it is shown to the customer in the email the shop sends,
 * so it is a short note, not a document.
 */
export const MAX_REASON_LENGTH = EVENT_LIMITS.reasonLength;

/** Attempts before a status change gives up to concurrent writers (they are rare and short). */
const MAX_ATTEMPTS = 5;

export interface ChangeDetails {
  readonly reason?: string;
  readonly paymentAuthorizationId?: string;
  /** The fraud assessment the change was decided on, recorded in the same write. */
  readonly fraudAssessment?: FraudAssessment;
  /**
   * The order as the caller has just read it (consistently): the first attempt decides on
   * it instead of reading it again. A later attempt, after a concurrent change, reads.
   */
  readonly known?: Order;
  /**
   * Decides, on each read of the order, whether this change may go ahead: an outcome to
   * answer instead, or undefined to proceed. May throw (ForbiddenError).
   */
  readonly check?: (order: Order) => ChangeStatusResult | undefined;
}

/**
 * Moves orders through their lifecycle. Every change reads the order, checks the state
 * machine, and writes conditionally on the status it read; if another writer got there
 * first it re-reads and decides again, so the outcome is always a legal transition.
 */
export class OrderLifecycle {
  /**
   * With an outbox, each change's event is published as soon as the change is written, and
   * cleared from the order after (OrderOutbox.announce); the orders stream is the fallback.
   * Without one, the stream publishes it, or the caller does (`owed` in the result).
   */
  constructor(
    private readonly orders: OrderRepository,
    private readonly clock: Clock,
    private readonly outbox?: OrderOutbox,
  ) {}

  async changeStatus(
    orderId: string,
    to: OrderStatus,
    actor: string,
    { check, known, ...details }: ChangeDetails = {},
  ): Promise<ChangeStatusResult> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const order = attempt === 1 && known ? known : await this.orders.getOrder(orderId);
      if (!order) return { kind: "orderNotFound", orderId };
      const refused = check?.(order);
      if (refused) return refused;
      if (!canTransition(order.status, to)) {
        return { kind: "invalidTransition", orderId, from: order.status, to };
      }
      const at = this.clock.now().toISOString();
      const after: Order = {
        ...order,
        status: to,
        version: order.version + 1,
        updatedAt: at,
        updatedBy: actor,
        ...(details.reason !== undefined ? { statusReason: details.reason } : {}),
        ...(details.paymentAuthorizationId !== undefined
          ? { paymentAuthorizationId: details.paymentAuthorizationId }
          : {}),
        ...(details.fraudAssessment !== undefined
          ? { fraudAssessment: details.fraudAssessment }
          : {}),
      };
      const event = eventOfStatusChange(order, after);
      const outcome = await this.orders.changeStatus({
        orderId,
        from: order.status,
        fromVersion: order.version,
        to,
        actor,
        at,
        ...details,
        ...(event ? { event } : {}),
      });
      switch (outcome) {
        case "changed": {
          // The write was conditional on the version read, so the order is now exactly
          // `after` (its outbox aside, which is the stream's business).
          const { owed: _owed, ...changed } = after;
          if (event && this.outbox) await this.outbox.announce(orderId, event);
          return { kind: "changed", order: changed, ...(event ? { owed: event } : {}) };
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

  /** Ships a CONFIRMED order: the shop's job, so admins only. */
  async shipOrder(viewer: Viewer, orderId: string): Promise<ChangeStatusResult> {
    const admin = requireAdmin(viewer);
    return this.changeStatus(checkId("the order id", orderId), "SHIPPED", actorOf(admin));
  }

  /**
   * Cancels an order. An admin cancels any PENDING or CONFIRMED order; a customer only its
   * own, and only while it is PENDING (once paid, cancelling is the shop's decision). An
   * order that is not the customer's answers as if it did not exist.
   */
  async cancelOrder(
    viewer: Viewer,
    orderId: string,
    reason = "cancelled on request",
  ): Promise<ChangeStatusResult> {
    const signedIn = requireSignedIn(viewer);
    checkText("the reason", reason, MAX_REASON_LENGTH);
    return this.changeStatus(checkId("the order id", orderId), "CANCELLED", actorOf(signedIn), {
      reason,
      check: (order) => {
        if (!maySeeOrderOf(signedIn, order.customerId)) return { kind: "orderNotFound", orderId };
        if (signedIn.kind === "customer" && order.status !== "PENDING") {
          throw new ForbiddenError(
            `order ${orderId} is ${order.status}; a customer may cancel only a PENDING order`,
          );
        }
        return undefined;
      },
    });
  }
}
