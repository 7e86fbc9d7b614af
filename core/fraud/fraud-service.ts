import { unitsIn } from "../orders/order";
import type { OrderLifecycle } from "../orders/order-lifecycle";
import type { OrderRepository } from "../orders/ports";
import type { OrderCreatedData } from "../shared/events";
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

export type FraudOutcome = "confirmed" | "rejected" | "skipped";

const ACTOR = "fraud";

/**
 * Decides a new order: scores it, records the assessment on the order, and for an
 * acceptable risk authorizes the payment. The order ends CONFIRMED or REJECTED with its
 * reason. Safe to run twice for one order: each step is conditional on the order still
 * being PENDING, and the provider treats the order id as its idempotency key.
 */
export class FraudService {
  constructor(private readonly deps: FraudServiceDeps) {}

  async decide(created: OrderCreatedData, deadline: number): Promise<FraudOutcome> {
    const { orders, lifecycle, logger } = this.deps;
    const order = await orders.getOrder(created.orderId);
    if (order?.status !== "PENDING") {
      logger.info("order already decided; nothing to do", {
        orderId: created.orderId,
        status: order?.status ?? "missing",
      });
      return "skipped";
    }

    let assessment = order.fraudAssessment;
    if (!assessment) {
      const hourBefore = new Date(Date.parse(order.createdAt) - 60 * 60 * 1000).toISOString();
      const [recent, earlier] = await Promise.all([
        orders.countCustomerOrdersBetween(order.customerId, hourBefore, order.createdAt),
        orders.countCustomerOrdersBetween(order.customerId, "0000", order.createdAt),
      ]);
      assessment = scoreOrder(
        {
          totalCents: order.totalCents,
          itemCount: unitsIn(order),
          ordersInLastHour: recent,
          isFirstOrder: earlier === 0,
        },
        this.deps.clock.now().toISOString(),
      );
      await orders.recordFraudAssessment(order.orderId, assessment, ACTOR);
    }

    if (assessment.decision === "REJECT") {
      const result = await lifecycle.changeStatus(order.orderId, "REJECTED", ACTOR, {
        reason: `fraud risk ${assessment.score}: ${assessment.reasons.join("; ")}`,
      });
      return result.kind === "changed" ? "rejected" : "skipped";
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
            paymentAuthorizationId: payment.authorizationId,
          })
        : await lifecycle.changeStatus(order.orderId, "REJECTED", ACTOR, {
            reason: `payment declined: ${payment.reason}`,
          });
    if (result.kind !== "changed") return "skipped";
    return payment.status === "authorized" ? "confirmed" : "rejected";
  }
}
