import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2, Context } from "aws-lambda";
import { connectionGatewayAt } from "../adapters/apigateway-connection-gateway";
import { createDynamoClients, sdkSettings } from "../adapters/aws-clients";
import { type Environment, readConfig, serviceLocation } from "../adapters/config";
import { DynamoOrderRepository } from "../adapters/dynamo-order-repository";
import { DynamoSubscriptionStore } from "../adapters/dynamo-subscription-store";
import { type HandlerOverrides, lazyHandler } from "../adapters/handler-builder";
import { instrumented } from "../adapters/invocation";
import { JwtAuthenticator } from "../adapters/jwt-authenticator";
import { createLogger } from "../adapters/powertools-logger";
import { systemClock } from "../adapters/system-clock";
import { identitySettings } from "./api-config";
import { LiveProtocol } from "./live/protocol";
import { shopSchema } from "./schema";

/** What the WebSocket function reads from its environment, and nothing else. */
export function loadWebSocketConfig(env: Environment) {
  return readConfig(env, (vars) => ({
    identity: identitySettings(vars),
    dynamodb: serviceLocation(vars, "DYNAMODB"),
    sdk: sdkSettings(vars),
    ordersTable: vars.resource("ordersTable"),
    subscriptionsTable: vars.resource("liveSubscriptionsTable"),
    managementUrl: vars.resource("websocketManagementUrl"),
  }));
}

export type WebSocketHandler = (
  event: APIGatewayProxyWebsocketEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

/**
 * Builds the function behind the WebSocket API's `$connect`, `$default` and `$disconnect`
 * routes: the GraphQL over WebSocket protocol (LiveProtocol), with the connections and
 * subscriptions in DynamoDB and replies through the API's management endpoint.
 */
export function buildHandler(env: Environment, overrides: HandlerOverrides = {}): WebSocketHandler {
  const config = loadWebSocketConfig(env);
  const logger = overrides.logger ?? createLogger("shop-websocket");
  const { document } = createDynamoClients(config.dynamodb, config.sdk);
  const orders = new DynamoOrderRepository(document, { orders: config.ordersTable });
  const jwt = new JwtAuthenticator(config.identity);
  const protocol = new LiveProtocol({
    schema: shopSchema(),
    store: new DynamoSubscriptionStore(document, config.subscriptionsTable),
    gateway: connectionGatewayAt(config.managementUrl, config.dynamodb.region, config.sdk),
    viewerFor: (authorization) => jwt.viewerFor(authorization),
    ownerOf: async (orderId) => (await orders.getOrder(orderId))?.customerId,
    clock: systemClock,
    logger,
  });
  return instrumented("websocket", logger, async (event) => {
    const { connectionId, routeKey } = event.requestContext;
    switch (routeKey) {
      case "$connect": {
        const headers = (event as { headers?: Record<string, string | undefined> }).headers ?? {};
        const requested =
          headers["Sec-WebSocket-Protocol"] ?? headers["sec-websocket-protocol"] ?? undefined;
        const outcome = await protocol.connect(connectionId, requested);
        if (!outcome.accepted) return { statusCode: 400, body: outcome.reason };
        // API Gateway completes the handshake with the subprotocol the function names.
        return { statusCode: 200, headers: { "Sec-WebSocket-Protocol": outcome.protocol } };
      }
      case "$disconnect":
        await protocol.disconnect(connectionId);
        return { statusCode: 200 };
      default:
        await protocol.receive(connectionId, event.body ?? undefined);
        return { statusCode: 200 };
    }
  });
}

/** The Lambda entry point. */
export const handler = lazyHandler(buildHandler);
