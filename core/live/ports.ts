import type { Viewer } from "../shared/viewer";

/**
 * What live order updates keep between messages. A WebSocket gateway that invokes a
 * function per connection, message and disconnection keeps no state of its own, so the
 * connection, who it signed in as and what it watches live in the store, and replies go
 * out through the gateway.
 */

/** An open WebSocket connection, from its handshake until it closes. */
export interface LiveConnection {
  readonly connectionId: string;
  readonly connectedAt: string;
  /** Whether connection_init was accepted (the protocol's connection_ack was sent). */
  readonly acknowledged: boolean;
  /** Who signed in at connection_init; absent until then. */
  readonly viewer?: Viewer | undefined;
  /** When the store may forget the connection (epoch seconds), should it never say goodbye. */
  readonly expiresAt: number;
}

/** One subscribe message of a connection, kept until its complete or the connection's end. */
export interface LiveSubscription {
  readonly connectionId: string;
  /** The id the client gave the operation: unique within its connection. */
  readonly operationId: string;
  /** What it watches: `order#<orderId>` or `customer#<customerId>` (see live-rules). */
  readonly topic: string;
  readonly query: string;
  readonly variables?: Readonly<Record<string, unknown>> | undefined;
  readonly operationName?: string | undefined;
  /** Who subscribed, so each update is run (and checked) as that viewer. */
  readonly viewer: Viewer;
  readonly expiresAt: number;
}

export interface SubscriptionStore {
  /** Writes the connection, replacing what was stored under its id. */
  putConnection(connection: LiveConnection): Promise<void>;
  getConnection(connectionId: string): Promise<LiveConnection | undefined>;
  /** Removes the connection and every subscription it holds. */
  deleteConnection(connectionId: string): Promise<void>;
  /**
   * Refuses (returns false) when the connection already has a subscription with this id
   * (the protocol's 4409).
   */
  putSubscription(subscription: LiveSubscription): Promise<boolean>;
  /** Nothing happens when there is no such subscription. */
  deleteSubscription(connectionId: string, operationId: string): Promise<void>;
  /** How many subscriptions the connection holds, for the per-connection limit. */
  subscriptionsCount(connectionId: string): Promise<number>;
  /** Every subscription to the topic, across connections, read page by page. */
  subscriptionsTo(topic: string): AsyncIterable<LiveSubscription>;
}

/** Talks to the clients' connections (API Gateway's management API, or its local stand-in). */
/** A WebSocket close code (4400, 4401, 4403, ...) and its reason. */
export interface CloseReason {
  readonly code: number;
  readonly reason: string;
}

export interface ConnectionGateway {
  /** Sends one message; "gone" when the connection no longer exists (410). */
  send(connectionId: string, message: string): Promise<"sent" | "gone">;
  /**
   * Closes the connection; one that is gone already is not an error. `why` is the protocol's
   * close code and reason, for a gateway that can carry them (API Gateway cannot).
   */
  close(connectionId: string, why?: CloseReason): Promise<void>;
}
