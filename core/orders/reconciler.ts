import type { ProductHistoryRepository } from "../catalog/ports";
import type { EventPublisher, Logger } from "../shared/ports";
import type { OrderLifecycle } from "./order-lifecycle";
import type { OrderOutbox } from "./outbox";
import type { OrderRepository } from "./ports";

export interface ReconcilerSettings {
  /** How long an owed event may wait for the stream before the reconciler publishes it. */
  readonly graceMs: number;
  /** How long an order may stay PENDING before it is rejected as never settled. */
  readonly pendingTimeoutMs: number;
  /** An owed event older than this is a problem a person must hear about. */
  readonly alarmAfterMs: number;
}

export interface ReconcileReport {
  readonly redelivered: number;
  readonly timedOut: number;
  /** The oldest owed event seen, in seconds (0 when none was owed past the grace period). */
  readonly oldestOwedSeconds: number;
  /** Work left for the next run because this one reached its deadline. */
  readonly unfinished: boolean;
}

const ACTOR = "reconciler";
/** Why an order that never settled was rejected; its stock returns like any rejection's. */
export const NOT_SETTLED_REASON = "not settled in time (fraud check or payment never completed)";

/**
 * What falls through anyway, found and finished: events an order or a catalog change still
 * owes after the grace period (the stream failed to deliver them: a process died, SNS was down for longer
 * than the stream retried) are published again from the order; orders PENDING for longer
 * than any payment can take are rejected through the same lifecycle rules as any rejection,
 * so their stock returns. Both are found through sparse indexes, never a scan.
 */
export class Reconciler {
  constructor(
    private readonly deps: {
      readonly orders: OrderRepository;
      readonly outbox: OrderOutbox;
      readonly lifecycle: OrderLifecycle;
      /** The catalog's changes, whose entries owe their events the same way orders do. */
      readonly catalog: {
        readonly history: ProductHistoryRepository;
        readonly publisher: EventPublisher;
      };
      readonly now: () => number;
      readonly logger: Logger;
      readonly settings: ReconcilerSettings;
    },
  ) {}

  /** One pass; stops starting work at `deadline` (epoch ms) and says so. */
  async run(deadline: number): Promise<ReconcileReport> {
    const { orders, outbox, lifecycle, logger, settings } = this.deps;
    const now = this.deps.now();
    let redelivered = 0;
    let timedOut = 0;
    let oldest = 0;
    let unfinished = false;

    const graceEnd = new Date(now - settings.graceMs).toISOString();
    for await (const { orderId, since } of orders.ordersOwingSince(graceEnd)) {
      oldest = Math.max(oldest, now - Date.parse(since));
      if (this.deps.now() >= deadline) {
        unfinished = true;
        break;
      }
      redelivered += (await outbox.deliverOwed(orderId)).length;
    }

    for await (const entry of this.deps.catalog.history.owingSince(graceEnd)) {
      oldest = Math.max(oldest, now - Date.parse(entry.at));
      if (unfinished || this.deps.now() >= deadline) {
        unfinished = true;
        break;
      }
      await this.deps.catalog.publisher.publish(entry.event);
      await this.deps.catalog.history.markPublished(entry.productId, entry.entryId);
      redelivered++;
    }

    const pendingEnd = new Date(now - settings.pendingTimeoutMs).toISOString();
    for await (const { orderId } of orders.ordersPendingSince(pendingEnd)) {
      if (unfinished || this.deps.now() >= deadline) {
        unfinished = true;
        break;
      }
      const result = await lifecycle.changeStatus(orderId, "REJECTED", ACTOR, {
        reason: NOT_SETTLED_REASON,
      });
      if (result.kind === "changed") {
        timedOut++;
        const { correlationId } = result.order;
        logger.warn("order never settled; rejected, its stock returns", {
          orderId,
          ...(correlationId ? { correlation_id: correlationId } : {}),
        });
      }
    }

    const report = {
      redelivered,
      timedOut,
      oldestOwedSeconds: Math.round(oldest / 1000),
      unfinished,
    };
    if (oldest > settings.alarmAfterMs) {
      logger.error("events owed for too long: the stream is not delivering", report);
    } else {
      logger.info("reconciled", report);
    }
    return report;
  }
}
