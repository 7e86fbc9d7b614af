import type { FraudAssessment } from "../fraud/fraud-scoring";
import type { Page, PageRequest } from "../shared/page";
import type { Order, OrderHistoryEntry } from "./order";
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
  | { readonly kind: "placed" }
  | { readonly kind: "insufficientStock"; readonly productId: string; readonly available: number }
  | { readonly kind: "productNotFound"; readonly productId: string }
  | { readonly kind: "idempotencyKeyTaken" };

export interface OrderRepository {
  /**
   * Atomically stores the order and takes each line's quantity off its product's stock,
   * together with the idempotency record when one is given. Either all of it is written
   * or none of it is.
   */
  placeOrder(order: Order, idempotency?: IdempotencyClaim): Promise<ReservationResult>;
  getOrder(orderId: string): Promise<Order | undefined>;
  listCustomerOrders(customerId: string, page: PageRequest): Promise<Page<Order>>;
  getIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Marks that the order's creation could not be announced, so the stream processor
   * announces it from the table instead.
   */
  markCreationUnannounced(orderId: string): Promise<void>;
  /** Removes the mark once the stream processor has announced the order. */
  clearCreationUnannounced(orderId: string): Promise<void>;
  /**
   * Moves the order from `change.from` to `change.to` if it is still in `from`: the
   * condition is what keeps a late or duplicated event from moving an order backwards.
   */
  changeStatus(change: StatusChange): Promise<"changed" | "conflict" | "notFound">;
  /** Records the fraud assessment once, while the order is PENDING. */
  recordFraudAssessment(
    orderId: string,
    assessment: FraudAssessment,
    actor: string,
  ): Promise<"recorded" | "conflict">;
  /** The customer's orders created in [from, to). */
  countCustomerOrdersBetween(customerId: string, from: string, to: string): Promise<number>;
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
  readonly to: OrderStatus;
  readonly actor: string;
  readonly at: string;
  readonly reason?: string;
  readonly paymentAuthorizationId?: string;
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
