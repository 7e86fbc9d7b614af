import type { FraudAssessment } from "../fraud/fraud-scoring";
import type { ShopEvent } from "../shared/events";
import type { Page, PageRequest } from "../shared/page";
import type { Order, OrderHistoryEntry, OrderLine } from "./order";
import type { OrderStatus } from "./order-status";

/** Remembers which order an idempotency key produced, and from which request. */
export interface IdempotencyRecord {
  readonly key: string;
  readonly requestHash: string;
  readonly orderId: string;
  readonly expiresAt: number;
}

/** What a request claims before its order exists: the record minus the order id. */
export type IdempotencyClaim = Omit<IdempotencyRecord, "orderId">;

export type ReservationResult =
  /** `items`: the lines as stored, when one took its units from a hot product's bucket. */
  | { readonly kind: "placed"; readonly items?: readonly OrderLine[] }
  | { readonly kind: "insufficientStock"; readonly productId: string; readonly available: number }
  | { readonly kind: "productNotFound"; readonly productId: string }
  /** Archived between the pricing and the reservation. */
  | { readonly kind: "productUnavailable"; readonly productId: string }
  | { readonly kind: "idempotencyKeyTaken" };

export interface OrderRepository {
  /**
   * Atomically stores the order and takes each line's quantity off its product's stock,
   * together with the idempotency record when one is given. Either all of it is written
   * or none of it is. `stockBuckets` names the hot products as read, with the number of
   * buckets each one's stock is spread over: a line of one takes its units from one bucket
   * that has them. (A product that turned hot or cold since it was read is found out.)
   */
  placeOrder(
    order: Order,
    idempotency?: IdempotencyClaim,
    stockBuckets?: ReadonlyMap<string, number>,
  ): Promise<ReservationResult>;
  getOrder(orderId: string): Promise<Order | undefined>;
  listCustomerOrders(customerId: string, page: PageRequest): Promise<Page<Order>>;
  getIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Moves the order from `change.from` to `change.to` if it is still in `from` at
   * `change.fromVersion`: the condition is what keeps a late or duplicated event from
   * moving an order backwards. The event the change owes goes into the order's outbox in
   * the same write.
   */
  changeStatus(change: StatusChange): Promise<"changed" | "conflict" | "notFound">;
  /** Removes a published event from the order's outbox (nothing if it is gone already). */
  clearOwed(orderId: string, eventId: string): Promise<void>;
  /** Orders whose outbox has held an event since before `instant`, and since when. */
  ordersOwingSince(instant: string): AsyncIterable<{ orderId: string; since: string }>;
  /** Orders PENDING since before `instant` (placed then, and not decided since). */
  ordersPendingSince(instant: string): AsyncIterable<{ orderId: string; since: string }>;
  /**
   * What the fraud check asks of a customer's past, in one round trip (two queries side by
   * side): how many of its orders were created in [from, before), and whether any was
   * created before `before` at all.
   */
  customerOrderCounts(
    customerId: string,
    from: string,
    before: string,
  ): Promise<{ readonly inWindow: number; readonly anyEarlier: boolean }>;
  /**
   * Puts the units of a rejected or cancelled order back in stock, at most once per order
   * (a flag on the order, set in the same transaction).
   */
  releaseStock(
    order: Order,
    actor: string,
    at: string,
  ): Promise<"released" | "alreadyReleased" | "notReleasable">;
}

export interface StatusChange {
  readonly orderId: string;
  readonly from: OrderStatus;
  /** The version the decision was made on; the write happens only at that version. */
  readonly fromVersion: number;
  readonly to: OrderStatus;
  /** The event this change owes (by its id), written to the order's outbox with it. */
  readonly event?: ShopEvent;
  readonly actor: string;
  readonly at: string;
  readonly reason?: string;
  readonly paymentAuthorizationId?: string;
  /** The fraud assessment the change was decided on, recorded in the same write. */
  readonly fraudAssessment?: FraudAssessment;
}

export interface OrderHistoryRepository {
  /** Idempotent: writing the same entry again changes nothing. */
  append(entry: OrderHistoryEntry): Promise<void>;
  list(orderId: string): Promise<readonly OrderHistoryEntry[]>;
}

/** What one consumer did with one event of an order. */
export interface EventHandling {
  readonly orderId: string;
  readonly at: string;
  readonly consumer: string;
  readonly eventId: string;
  readonly eventType: string;
  /** processed; duplicate (seen before); skipped (not for this consumer); failed (will be retried); published. */
  readonly outcome: "processed" | "duplicate" | "skipped" | "failed" | "published";
  readonly detail?: string | undefined;
}

/** Where consumers note what they did, and where the timeline reads it from. */
export interface EventLog {
  record(entry: EventHandling): Promise<void>;
  forOrder(orderId: string): Promise<readonly EventHandling[]>;
}
