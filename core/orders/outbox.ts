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
      });
    }
    return delivered;
  }
}
