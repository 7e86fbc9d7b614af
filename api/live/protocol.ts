import {
  type DocumentNode,
  type FieldNode,
  GraphQLError,
  type GraphQLSchema,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  Kind,
  parse,
  specifiedRules,
  validate,
} from "graphql";
import {
  CloseCode,
  GRAPHQL_TRANSPORT_WS_PROTOCOL,
  type Message,
  MessageType,
  parseMessage,
  type SubscribePayload,
  stringifyMessage,
} from "graphql-ws";
import {
  CONNECTION_TTL_SECONDS,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  mayGoLive,
  watchMyOrders,
  watchOrder,
} from "../../core/live/live-rules";
import type { ConnectionGateway, SubscriptionStore } from "../../core/live/ports";
import type { Clock, Logger } from "../../core/shared/ports";
import type { Viewer } from "../../core/shared/viewer";
import { costProblem, limitRules, REQUEST_LIMITS } from "../request-limits";

export interface LiveProtocolDeps {
  readonly schema: GraphQLSchema;
  readonly store: SubscriptionStore;
  readonly gateway: ConnectionGateway;
  /** Who the `authorization` value of connection_init's payload names; throws for a bad token. */
  readonly viewerFor: (authorization: string | undefined) => Promise<Viewer>;
  /** The customer an order belongs to, or undefined when there is no such order. */
  readonly ownerOf: (orderId: string) => Promise<string | undefined>;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The largest message a client may send: a subscription document well within the token limit. */
const MAX_MESSAGE_BYTES = 32 * 1024;

/**
 * The GraphQL over WebSocket protocol (`graphql-transport-ws`), one message at a time, for a
 * gateway that invokes a function per connection, message and disconnection (API Gateway's
 * WebSocket API, or its local stand-in): what a connection and its subscriptions are lives
 * in the store between messages, and replies go through the gateway. Subscriptions are not
 * answered here: the live-updates notifier executes each one when its order changes.
 */
export class LiveProtocol {
  constructor(private readonly deps: LiveProtocolDeps) {}

  /**
   * A new connection: accepted only for the protocol's subprotocol (a client asking for
   * another, or none, is refused before it is open), and remembered as not yet initialised.
   */
  async connect(
    connectionId: string,
    requestedProtocols: string | undefined,
  ): Promise<{ accepted: true; protocol: string } | { accepted: false; reason: string }> {
    const requested = (requestedProtocols ?? "").split(",").map((p) => p.trim());
    if (!requested.includes(GRAPHQL_TRANSPORT_WS_PROTOCOL)) {
      return {
        accepted: false,
        reason: `the WebSocket subprotocol must be ${GRAPHQL_TRANSPORT_WS_PROTOCOL}`,
      };
    }
    await this.deps.store.putConnection({
      connectionId,
      connectedAt: this.deps.clock.now().toISOString(),
      acknowledged: false,
      expiresAt: this.expiresAt(),
    });
    return { accepted: true, protocol: GRAPHQL_TRANSPORT_WS_PROTOCOL };
  }

  /** The connection is gone: it and every subscription it held are forgotten. */
  async disconnect(connectionId: string): Promise<void> {
    await this.deps.store.deleteConnection(connectionId);
  }

  /** One message from the client. */
  async receive(connectionId: string, body: string | undefined): Promise<void> {
    if (body === undefined || Buffer.byteLength(body) > MAX_MESSAGE_BYTES) {
      return this.close(connectionId, CloseCode.BadRequest, "Invalid message received");
    }
    let message: Message;
    try {
      message = parseMessage(body);
    } catch (error) {
      return this.close(
        connectionId,
        CloseCode.BadRequest,
        error instanceof Error ? error.message : "Invalid message received",
      );
    }
    switch (message.type) {
      case MessageType.ConnectionInit:
        return this.initialise(connectionId, message.payload);
      case MessageType.Ping:
        await this.send(connectionId, { type: MessageType.Pong });
        return;
      case MessageType.Pong:
        return;
      case MessageType.Subscribe:
        return this.subscribe(connectionId, message.id, message.payload);
      case MessageType.Complete:
        await this.deps.store.deleteSubscription(connectionId, message.id);
        return;
      default:
        // Messages only a server sends (connection_ack, next, error) are not a client's.
        return this.close(
          connectionId,
          CloseCode.BadRequest,
          `Unexpected message of type ${message.type} received`,
        );
    }
  }

  private async initialise(
    connectionId: string,
    payload: Record<string, unknown> | null | undefined,
  ): Promise<void> {
    const connection = await this.deps.store.getConnection(connectionId);
    if (!connection) return this.close(connectionId, CloseCode.Forbidden, "Forbidden");
    if (connection.acknowledged) {
      return this.close(
        connectionId,
        CloseCode.TooManyInitialisationRequests,
        "Too many initialisation requests",
      );
    }
    const authorization = payload?.authorization ?? payload?.Authorization;
    let viewer: Viewer;
    try {
      viewer = await this.deps.viewerFor(
        typeof authorization === "string" ? authorization : undefined,
      );
    } catch (error) {
      this.deps.logger.info("live connection refused: its token is not valid", {
        connectionId,
        reason: error instanceof Error ? error.message : String(error),
      });
      return this.close(connectionId, CloseCode.Forbidden, "Forbidden");
    }
    // Live updates are about orders, which are their customer's or an admin's business.
    if (!mayGoLive(viewer)) {
      return this.close(connectionId, CloseCode.Forbidden, "Forbidden");
    }
    await this.deps.store.putConnection({ ...connection, acknowledged: true, viewer });
    await this.send(connectionId, { type: MessageType.ConnectionAck });
  }

  private async subscribe(
    connectionId: string,
    id: string,
    payload: SubscribePayload,
  ): Promise<void> {
    const connection = await this.deps.store.getConnection(connectionId);
    if (!connection?.acknowledged || !connection.viewer) {
      return this.close(connectionId, CloseCode.Unauthorized, "Unauthorized");
    }
    const refuse = (message: string) =>
      this.send(connectionId, { id, type: MessageType.Error, payload: [{ message }] });

    const checked = this.check(payload.query, payload.operationName, payload.variables ?? {});
    if ("errors" in checked) {
      await this.send(connectionId, {
        id,
        type: MessageType.Error,
        payload: checked.errors.map((e) => e.toJSON()),
      });
      return;
    }
    const { field, args } = checked;
    const viewer = connection.viewer;
    const watch =
      field === "orderUpdated"
        ? watchOrder(viewer, String(args.orderId), await this.deps.ownerOf(String(args.orderId)))
        : field === "myOrders"
          ? watchMyOrders(viewer)
          : { refused: `${field} is not a subscription this server offers` };
    if ("refused" in watch) return refuse(watch.refused);
    const { topic } = watch;
    if (
      (await this.deps.store.subscriptionsCount(connectionId)) >= MAX_SUBSCRIPTIONS_PER_CONNECTION
    ) {
      return refuse(
        `a connection holds at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions: complete one first`,
      );
    }
    const stored = await this.deps.store.putSubscription({
      connectionId,
      operationId: id,
      topic,
      query: payload.query,
      ...(payload.variables ? { variables: payload.variables } : {}),
      ...(payload.operationName ? { operationName: payload.operationName } : {}),
      viewer,
      expiresAt: connection.expiresAt,
    });
    if (!stored) {
      return this.close(
        connectionId,
        CloseCode.SubscriberAlreadyExists,
        `Subscriber for ${id} already exists`,
      );
    }
  }

  /**
   * The same checks a query gets over HTTP: parsed within the token limit, valid against the
   * schema (GraphQL's own rules allow a subscription one root field) with the depth and alias
   * limits, within the cost limit, and a subscription.
   */
  private check(
    query: string,
    operationName: string | null | undefined,
    variables: Record<string, unknown>,
  ): { field: string; args: Record<string, unknown> } | { errors: readonly GraphQLError[] } {
    const { schema } = this.deps;
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: REQUEST_LIMITS.maxTokens });
    } catch (error) {
      return { errors: [error instanceof GraphQLError ? error : new GraphQLError(String(error))] };
    }
    const errors = validate(schema, document, [...specifiedRules, ...limitRules]);
    if (errors.length > 0) return { errors };
    const operation = getOperationAST(document, operationName);
    if (!operation) {
      return { errors: [new GraphQLError("name the operation to run (operationName)")] };
    }
    if (operation.operation !== "subscription") {
      return {
        errors: [
          new GraphQLError(
            "only subscriptions are served over WebSocket; send queries and mutations to POST /graphql",
          ),
        ],
      };
    }
    const node = operation.selectionSet.selections[0] as FieldNode | undefined;
    const subscriptionType = schema.getSubscriptionType();
    const fieldDef = node && subscriptionType?.getFields()[node.name.value];
    if (!node || node.kind !== Kind.FIELD || !fieldDef) {
      return { errors: [new GraphQLError("a subscription names one field")] };
    }
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, {
      maxErrors: 5,
    });
    if (coerced.errors) return { errors: coerced.errors };
    // Priced with variables that fit the operation (pricing others would throw).
    const tooCostly = costProblem(schema, document, operationName, coerced.coerced);
    if (tooCostly) return { errors: [new GraphQLError(tooCostly)] };
    try {
      return { field: node.name.value, args: getArgumentValues(fieldDef, node, coerced.coerced) };
    } catch (error) {
      return { errors: [error instanceof GraphQLError ? error : new GraphQLError(String(error))] };
    }
  }

  private expiresAt(): number {
    return Math.floor(this.deps.clock.now().getTime() / 1000) + CONNECTION_TTL_SECONDS;
  }

  private async send(connectionId: string, message: Message): Promise<void> {
    const sent = await this.deps.gateway.send(connectionId, stringifyMessage(message));
    if (sent === "gone") await this.deps.store.deleteConnection(connectionId);
  }

  private async close(connectionId: string, code: number, reason: string): Promise<void> {
    // API Gateway closes a connection without the protocol's close code (its management API
    // has no way to carry one); the local stand-in closes it with the code.
    // A WebSocket close frame carries at most 123 bytes of reason.
    await this.deps.gateway.close(connectionId, { code, reason: truncate(reason, 120) });
    await this.deps.store.deleteConnection(connectionId);
  }
}

function truncate(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text);
  return bytes.length <= maxBytes ? text : `${bytes.subarray(0, maxBytes - 3).toString()}...`;
}
