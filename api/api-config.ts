import type { SNSClient } from "@aws-sdk/client-sns";
import {
  createDynamoClients,
  createSnsClient,
  type DynamoClients,
  sdkSettings,
} from "../adapters/aws-clients";
import {
  type ConfigVariables,
  type Environment,
  readConfig,
  serviceLocation,
  shopEnvironment,
} from "../adapters/config";

/** Whose tokens a function accepts: the issuer, the client they are for, the issuer's keys. */
export function identitySettings(vars: ConfigVariables) {
  return {
    issuer: vars.resource("authIssuer"),
    audience: vars.resource("authAudience"),
    jwksUrl: vars.resource("authJwksUrl"),
    adminGroup: vars.text("AUTH_ADMIN_GROUP", "admin"),
  };
}

/** What the api function reads from its environment, and nothing else. */
export function loadApiConfig(env: Environment) {
  return readConfig(env, (vars) => {
    const environment = shopEnvironment(vars);
    return {
      environment,
      /** The GraphiQL playground at GET /graphql: on locally, off in production unless asked. */
      playground:
        vars.oneOf("PLAYGROUND", ["on", "off"], environment === "local" ? "on" : "off") === "on",
      /** A token the playground's headers tab starts with (the local runtime mints one). */
      playgroundToken: vars.text("PLAYGROUND_TOKEN", ""),
      /**
       * The WebSocket API the playground runs subscriptions against (the stack sets its
       * stage's wss:// URL); empty, /graphql on the playground's own host (the local stack).
       */
      playgroundLiveUrl: vars.url("PLAYGROUND_LIVE_URL") ?? "",
      /**
       * The old REST clients sent no token. With this switch on (a migration window), the REST
       * order routes still take their unauthenticated requests, as the customer they name.
       */
      legacyOpenRest: vars.oneOf("LEGACY_OPEN_REST", ["true", "false"], "false") === "true",
      /** Origins browsers may call from: `*` (tokens, not cookies, carry identity) or a list. */
      allowedOrigins: vars
        .text("ALLOWED_ORIGINS", "*")
        .split(",")
        .map((origin) => origin.trim())
        .filter(Boolean),
      identity: identitySettings(vars),
      dynamodb: serviceLocation(vars, "DYNAMODB"),
      sns: serviceLocation(vars, "SNS"),
      sdk: sdkSettings(vars),
      tables: {
        products: vars.resource("productsTable"),
        orders: vars.resource("ordersTable"),
        idempotency: vars.resource("idempotencyTable"),
        orderHistory: vars.resource("orderHistoryTable"),
        productHistory: vars.resource("productHistoryTable"),
        analytics: vars.resource("analyticsTable"),
        mailOutbox: vars.resource("mailOutboxTable"),
        eventLog: vars.resource("eventLogTable"),
      },
      orderEventsTopicArn: vars.resource("orderEventsTopic"),
    };
  });
}

export type ApiConfig = ReturnType<typeof loadApiConfig>;

/** The SDK clients the api function uses: DynamoDB and SNS. */
export interface ApiClients {
  readonly dynamodb: DynamoClients;
  readonly sns: SNSClient;
}

export function createApiClients(config: ApiConfig): ApiClients {
  return {
    dynamodb: createDynamoClients(config.dynamodb, config.sdk),
    sns: createSnsClient(config.sns, config.sdk),
  };
}
