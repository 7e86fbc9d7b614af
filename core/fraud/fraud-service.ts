import { unitsIn } from "../orders/order";
import type { ChangeStatusResult, OrderLifecycle } from "../orders/order-lifecycle";
import type { OrderRepository } from "../orders/ports";
import type { OrderCreatedData, ShopEvent } from "../shared/events";
import type { Clock, Logger } from "../shared/ports";
import { scoreOrder } from "./fraud-scoring";
import { authorizePayment, type PaymentRetryPolicy } from "./payment";
import type { PaymentProvider } from "./ports";

export interface FraudServiceDeps {
  readonly orders: OrderRepository;
  readonly lifecycle: OrderLifecycle;
  readonly payments: PaymentProvider;
  readonly paymentPolicy: PaymentRetryPolicy;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface FraudDecision {
  readonly outcome: "confirmed" | "rejected" | "skipped";
  /** The event the decision owes (order_confirmed or order_rejected), in the order's outbox. */
  readonly owed?: ShopEvent;
}

const SKIPPED: FraudDecision = { outcome: "skipped" };

const ACTOR = "fraud";

/**
 * Decides a new order: scores it, and for an acceptable risk authorizes the payment. The
 * order ends CONFIRMED or REJECTED with its reason and the assessment, in one write. Safe to
 * run twice for one order: the write is conditional on the order still being PENDING at the
 * version read, and the provider treats the order id as its idempotency key.
 */
export class FraudService {
  constructor(private readonly deps: FraudServiceDeps) {}

  /**
   * One consistent read of the order and one look at the customer's past, side by side;
   * then, after the payment, one conditional write that records the assessment and the
   * decision together (and owes the decision's event).
   */
  async decide(created: OrderCreatedData, deadline: number): Promise<FraudDecision> {
    const { orders, lifecycle, logger } = this.deps;
    const hourBefore = new Date(Date.parse(created.createdAt) - 60 * 60 * 1000).toISOString();
    const [order, past] = await Promise.all([
      orders.getOrder(created.orderId),
      orders.customerOrderCounts(created.customerId, hourBefore, created.createdAt),
    ]);
    if (order?.status !== "PENDING") {
      logger.info("order already decided; nothing to do", {
        orderId: created.orderId,
        status: order?.status ?? "missing",
      });
      return SKIPPED;
    }

    const fraudAssessment =
      order.fraudAssessment ??
      scoreOrder(
        {
          totalCents: order.totalCents,
          itemCount: unitsIn(order),
          ordersInLastHour: past.inWindow,
          isFirstOrder: !past.anyEarlier,
        },
        this.deps.clock.now().toISOString(),
      );

    if (fraudAssessment.decision === "REJECT") {
      const result = await lifecycle.changeStatus(order.orderId, "REJECTED", ACTOR, {
        known: order,
        fraudAssessment,
        reason: `fraud risk ${fraudAssessment.score}: ${fraudAssessment.reasons.join("; ")}`,
      });
      return decisionOf(result, "rejected");
    }

    const payment = await authorizePayment(
      this.deps.payments,
      { orderId: order.orderId, amountCents: order.totalCents, currency: order.currency },
      this.deps.paymentPolicy,
      deadline,
    );
    const result =
      payment.status === "authorized"
        ? await lifecycle.changeStatus(order.orderId, "CONFIRMED", ACTOR, {
            known: order,
            fraudAssessment,
            paymentAuthorizationId: payment.authorizationId,
          })
        : await lifecycle.changeStatus(order.orderId, "REJECTED", ACTOR, {
            known: order,
            fraudAssessment,
            reason: `payment declined: ${payment.reason}`,
          });
    return decisionOf(result, payment.status === "authorized" ? "confirmed" : "rejected");
  }
}

function decisionOf(result: ChangeStatusResult, outcome: "confirmed" | "rejected"): FraudDecision {
  if (result.kind !== "changed") return SKIPPED;
  return { outcome, ...(result.owed ? { owed: result.owed } : {}) };
}
