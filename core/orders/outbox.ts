import { CorruptRecordError } from "../shared/errors";
import { type ShopEvent, shopEventSchema } from "../shared/events";
import type { EventPublisher, Logger } from "../shared/ports";
import type { OrderRepository } from "./ports";

/**
 * Delivers what orders owe the topic. Each event an order owes is written into the order
 * itself, in the same write as the change that owes it; delivering it is publishing it and
 * then removing it. Published first, removed second: a crash in between publishes it once
 * more later, and consumers drop the repeat by its event id; never the other way round, which
 * could lose it.
 */
export class OrderOutbox {
  constructor(
    private readonly deps: {
      readonly orders: OrderRepository;
      readonly publisher: EventPublisher;
      readonly logger: Logger;
    },
  ) {}

  /**
   * Publishes an event its writer has just made owed, at once, so its consumers need not
   * wait for the orders stream: a shortcut, since the event is already in the order's outbox.
   * If the publish fails, or the process dies first, the stream processor (or the reconciler)
   * delivers it from there. Answers, once published, the clearing of the event from the
   * outbox, under way (it never rejects: should it fail, the stream publishes the event once
   * more and consumers drop the repeat); undefined when the publish failed.
   */
  async announce(
    orderId: string,
    event: ShopEvent,
  ): Promise<{ readonly clearing: Promise<void> } | undefined> {
    const { publisher, orders, logger } = this.deps;
    try {
      await publisher.publish(event);
    } catch (error) {
      logger.warn(`${event.eventType} not published at once; the outbox will deliver it`, {
        orderId,
        eventId: event.eventId,
        error: String(error),
      });
      return undefined;
    }
    const clearing = orders.clearOwed(orderId, event.eventId).catch((error: unknown) => {
      logger.warn("could not clear a published event from the outbox", {
        orderId,
        eventId: event.eventId,
        error: String(error),
      });
    });
    return { clearing };
  }

  /** Publishes one owed event and clears it from the order. */
  async deliver(orderId: string, event: ShopEvent): Promise<void> {
    await this.deps.publisher.publish(event);
    await this.deps.orders.clearOwed(orderId, event.eventId);
  }

  /**
   * Delivers what the order owes now (only `eventIds` when given): read consistently, so an
   * event another publisher delivered in the meantime is not sent again. Returns what it
   * published.
   */
  async deliverOwed(orderId: string, eventIds?: readonly string[]): Promise<ShopEvent[]> {
    const order = await this.deps.orders.getOrder(orderId);
    const owed = Object.entries(order?.owed ?? {}).filter(
      ([id]) => !eventIds || eventIds.includes(id),
    );
    const delivered: ShopEvent[] = [];
    for (const [eventId, body] of owed) {
      const parsed = shopEventSchema.safeParse(body);
      if (!parsed.success) {
        throw new CorruptRecordError(
          `order ${orderId} owes an event that is not valid: ${eventId}`,
          {
            cause: parsed.error,
          },
        );
      }
      await this.deliver(orderId, parsed.data);
      delivered.push(parsed.data);
      this.deps.logger.info("owed event published", {
        orderId,
        eventId,
        eventType: parsed.data.eventType,
        ...(parsed.data.correlationId ? { correlation_id: parsed.data.correlationId } : {}),
      });
    }
    return delivered;
  }
}
