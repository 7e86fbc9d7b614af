import { randomUUID } from "node:crypto";
import {
  type DocumentNode,
  type ExecutionResult,
  execute,
  GraphQLError,
  type GraphQLSchema,
  parse,
} from "graphql";
import { MessageType, stringifyMessage } from "graphql-ws";
import { topicsOf } from "../../core/live/live-rules";
import type { ConnectionGateway, LiveSubscription, SubscriptionStore } from "../../core/live/ports";
import type { Order } from "../../core/orders/order";
import type { OrderHistoryRepository } from "../../core/orders/ports";
import { maySeeOrderOf } from "../../core/shared/access";
import type { Logger } from "../../core/shared/ports";
import type { RequestContext, ShopServices } from "../../resolvers/context";

export interface LiveDeliveryDeps {
  readonly schema: GraphQLSchema;
  readonly store: SubscriptionStore;
  readonly gateway: ConnectionGateway;
  /** What the `Order` type's fields read beyond the order itself: its history. */
  readonly history: OrderHistoryRepository;
  readonly environment: "local" | "production";
  readonly logger: Logger;
}

/** Parsed subscription documents kept per container: subscribers mostly send the same few. */
const MAX_PARSED = 256;

/**
 * Pushes an order's new state to every subscription that watches it (the order itself, or
 * its customer's orders): each subscription's own selection is executed against the schema,
 * as its subscriber (so an admin-only field stays null for a customer), and sent as the
 * protocol's `next` message. A connection that is gone is forgotten with its subscriptions.
 */
export class LiveDelivery {
  private readonly parsed = new Map<string, DocumentNode>();
  private readonly services: ShopServices;

  constructor(private readonly deps: LiveDeliveryDeps) {
    const available: Partial<ShopServices> = { history: deps.history };
    // The Order type reads its history and nothing else; a subscription selects an Order.
    this.services = new Proxy(available as ShopServices, {
      get(target, key) {
        const service = target[key as keyof ShopServices];
        if (service === undefined) {
          throw new Error(`${String(key)} is not available to subscriptions`);
        }
        return service;
      },
    });
  }

  async orderChanged(order: Order): Promise<{ readonly sent: number; readonly gone: number }> {
    let sent = 0;
    let gone = 0;
    for (const topic of topicsOf(order)) {
      for await (const subscription of this.deps.store.subscriptionsTo(topic)) {
        // Checked when it subscribed; checked again, since who may see an order is the rule.
        if (!maySeeOrderOf(subscription.viewer, order.customerId)) continue;
        const result = await this.run(subscription, order);
        const payload = {
          ...(result.data !== undefined ? { data: result.data } : {}),
          ...(result.errors ? { errors: result.errors.map((error) => error.toJSON()) } : {}),
        };
        const outcome = await this.deps.gateway.send(
          subscription.connectionId,
          stringifyMessage({ id: subscription.operationId, type: MessageType.Next, payload }),
        );
        if (outcome === "gone") {
          gone++;
          await this.deps.store.deleteConnection(subscription.connectionId);
        } else sent++;
      }
    }
    return { sent, gone };
  }

  private async run(subscription: LiveSubscription, order: Order): Promise<ExecutionResult> {
    const requestId = randomUUID();
    const context: RequestContext = {
      requestId,
      // A push serves its order's flow: its lines carry the order's correlation id already.
      correlationId: order.correlationId ?? requestId,
      annotate: () => {},
      viewer: subscription.viewer,
      environment: this.deps.environment,
      services: this.services,
      logger: this.deps.logger,
    };
    const result = await execute({
      schema: this.deps.schema,
      document: this.documentOf(subscription.query),
      rootValue: { orderUpdated: order, myOrders: order },
      contextValue: context,
      variableValues: subscription.variables ?? {},
      operationName: subscription.operationName ?? null,
    });
    if (!result.errors) return result;
    return {
      ...result,
      errors: result.errors.map((error) => {
        // Unexpected errors are masked in production, as the HTTP endpoint masks them.
        if (this.deps.environment === "local" || error.extensions.code) return error;
        this.deps.logger.error("subscription field failed", { error: error.message });
        return new GraphQLError("Unexpected error.", {
          ...(error.path ? { path: error.path } : {}),
          extensions: { code: "INTERNAL_SERVER_ERROR" },
        });
      }),
    };
  }

  private documentOf(query: string): DocumentNode {
    let document = this.parsed.get(query);
    if (!document) {
      document = parse(query);
      if (this.parsed.size >= MAX_PARSED) this.parsed.clear();
      this.parsed.set(query, document);
    }
    return document;
  }
}
