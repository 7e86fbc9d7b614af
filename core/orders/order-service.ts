import { createHash } from "node:crypto";
import type { ProductRepository } from "../catalog/ports";
import { actingCustomer, maySeeOrderOf, requireSignedIn } from "../shared/access";
import { InvalidInputError } from "../shared/errors";
import { checkId } from "../shared/ids";
import { CURRENCY, cents, formatMoney } from "../shared/money";
import { type Page, type PageArgs, pageRequest } from "../shared/page";
import type { Clock, EventPublisher, IdGenerator, Logger } from "../shared/ports";
import { actorOf, type Viewer } from "../shared/viewer";
import type { Order } from "./order";
import { orderCreatedEvent } from "./order-events";
import { type OrderRequest, parseOrderRequest } from "./order-input";
import { OrderOutbox } from "./outbox";
import type { IdempotencyClaim, OrderRepository } from "./ports";
import { MAX_ORDER_TOTAL_CENTS, priceOrder } from "./pricing";

/** How long an idempotency key keeps answering with its order. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

export interface OrderServiceDeps {
  readonly products: ProductRepository;
  readonly orders: OrderRepository;
  readonly publisher: EventPublisher;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
}

/** The outcome of placing an order: the order, or the business reason it was not placed. */
export type PlaceOrderResult =
  | { readonly kind: "placed"; readonly order: Order; readonly replayed: boolean }
  | { readonly kind: "invalidOrder"; readonly field: string; readonly reason: string }
  | { readonly kind: "productNotFound"; readonly productId: string }
  /** The product was withdrawn from sale (archived). */
  | { readonly kind: "productUnavailable"; readonly productId: string }
  | {
      readonly kind: "insufficientStock";
      readonly productId: string;
      readonly requested: number;
      readonly available: number;
    }
  | { readonly kind: "idempotencyKeyReused"; readonly idempotencyKey: string };

export class OrderService {
  private readonly outbox: OrderOutbox;

  constructor(private readonly deps: OrderServiceDeps) {
    this.outbox = new OrderOutbox(deps);
  }

  /**
   * Validates, prices and reserves an order in one transaction, then announces it. It
   * never waits on payment: fraud scoring and payment happen after, from the event. A
   * customer orders as itself (the input may name only that customer); an admin orders for
   * the customer the input names. The order keeps the request's correlation id, and every
   * event of the order carries it.
   */
  async placeOrder(
    viewer: Viewer,
    input: unknown,
    flow: { readonly correlationId?: string } = {},
  ): Promise<PlaceOrderResult> {
    const named = isRecord(input) ? input.customerId : undefined;
    const acting = actingCustomer(viewer, typeof named === "string" ? named.trim() : undefined);
    const parsed = parseOrderRequest(
      isRecord(input) ? { ...input, customerId: acting ?? named } : input,
    );
    if (!parsed.ok) return { kind: "invalidOrder", field: parsed.field, reason: parsed.reason };
    const { request } = parsed;

    const idempotency = request.idempotencyKey
      ? this.idempotencyClaimFor(request, request.idempotencyKey)
      : undefined;
    if (idempotency && request.idempotencyKey) {
      const replay = await this.replay(idempotency, request.idempotencyKey);
      if (replay) return replay;
    }

    const products = await this.deps.products.getProducts(request.items.map((i) => i.productId));
    const priced = priceOrder(request.items, products);
    if (priced.kind === "totalTooLarge") {
      return {
        kind: "invalidOrder",
        field: "items",
        reason: `the order total must be at most ${formatMoney(cents(MAX_ORDER_TOTAL_CENTS))}`,
      };
    }
    if (priced.kind !== "priced") return priced;

    const now = this.deps.clock.now().toISOString();
    const draft: Order = {
      orderId: this.deps.ids.newId(),
      customerId: request.customerId,
      status: "PENDING",
      items: priced.lines,
      totalCents: priced.totalCents,
      currency: CURRENCY,
      createdAt: now,
      updatedAt: now,
      version: 1,
      updatedBy: actorOf(viewer),
      ...(flow.correlationId ? { correlationId: flow.correlationId } : {}),
    };
    // The order owes its `order_created` from the moment it exists: the event is written
    // into the order, in the same transaction.
    const created = orderCreatedEvent(draft);
    const order: Order = { ...draft, owed: { [created.eventId]: created } };

    const hot = new Map(
      [...products.values()].flatMap((product) =>
        product.stockBuckets ? [[product.productId, product.stockBuckets] as const] : [],
      ),
    );
    const reserved = await this.deps.orders.placeOrder(order, idempotency, hot);
    switch (reserved.kind) {
      case "placed":
        // Published at once, so the order is decided without waiting for the orders stream;
        // cleared from the outbox after the answer (OrderOutbox.announce).
        await this.outbox.announce(order.orderId, created);
        this.deps.logger.info("order placed", {
          orderId: order.orderId,
          customerId: order.customerId,
          totalCents: order.totalCents,
          lines: order.items.length,
        });
        return {
          kind: "placed",
          order: reserved.items ? { ...order, items: reserved.items } : order,
          replayed: false,
        };
      case "insufficientStock": {
        const requested =
          request.items.find((i) => i.productId === reserved.productId)?.quantity ?? 0;
        return { ...reserved, requested };
      }
      case "productNotFound":
      case "productUnavailable":
        return reserved;
      case "idempotencyKeyTaken": {
        // A concurrent request with the same key won the race; answer as its replay.
        const replay =
          idempotency && request.idempotencyKey
            ? await this.replay(idempotency, request.idempotencyKey)
            : undefined;
        if (replay) return replay;
        throw new Error(`idempotency record vanished for order request of ${order.customerId}`);
      }
    }
  }

  /**
   * An order, for its customer or an admin. Anyone else gets nothing, exactly as for an
   * order that does not exist, so an order id reveals nothing about whose it is.
   */
  async getOrder(viewer: Viewer, orderId: string): Promise<Order | undefined> {
    requireSignedIn(viewer);
    const order = await this.deps.orders.getOrder(checkId("the order id", orderId));
    return order && maySeeOrderOf(viewer, order.customerId) ? order : undefined;
  }

  /** A customer's orders, newest first: a customer lists its own; an admin names whose. */
  listCustomerOrders(
    viewer: Viewer,
    customerId: string | undefined,
    options: PageArgs,
  ): Promise<Page<Order>> {
    const acting = actingCustomer(viewer, customerId);
    if (acting === undefined) throw new InvalidInputError("name the customer whose orders to list");
    return this.deps.orders.listCustomerOrders(
      checkId("the customer id", acting),
      pageRequest(options.first, options.after, options.last, options.before),
    );
  }

  private idempotencyClaimFor(request: OrderRequest, idempotencyKey: string): IdempotencyClaim {
    const nowSeconds = Math.floor(this.deps.clock.now().getTime() / 1000);
    return {
      // Keys are scoped to the customer: two customers may pick the same key.
      key: `createOrder#${request.customerId}#${idempotencyKey}`,
      requestHash: hashRequest(request),
      expiresAt: nowSeconds + IDEMPOTENCY_TTL_SECONDS,
    };
  }

  private async replay(
    wanted: IdempotencyClaim,
    idempotencyKey: string,
  ): Promise<PlaceOrderResult | undefined> {
    const existing = await this.deps.orders.getIdempotencyRecord(wanted.key);
    const nowSeconds = Math.floor(this.deps.clock.now().getTime() / 1000);
    if (!existing || existing.expiresAt <= nowSeconds) return undefined;
    if (existing.requestHash !== wanted.requestHash) {
      return { kind: "idempotencyKeyReused", idempotencyKey };
    }
    const order = await this.deps.orders.getOrder(existing.orderId);
    if (!order) throw new Error(`idempotency record points at missing order ${existing.orderId}`);
    return { kind: "placed", order, replayed: true };
  }
}

/** A digest of what the request asks for, to tell a retry from a different request. */
function hashRequest(request: OrderRequest): string {
  return createHash("sha256")
    .update(JSON.stringify({ customerId: request.customerId, items: request.items }))
    .digest("base64url");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
