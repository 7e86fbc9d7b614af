import type { SNSClient } from "@aws-sdk/client-sns";
import { createDynamoClients, createSnsClient, type DynamoClients } from "../adapters/aws-clients";
import { type Environment, readConfig, serviceLocation, shopEnvironment } from "../adapters/config";

/** What the api function reads from its environment, and nothing else. */
export function loadApiConfig(env: Environment) {
  return readConfig(env, (vars) => {
    const environment = shopEnvironment(vars);
    return {
      environment,
      /** The GraphiQL playground at GET /graphql: on locally, off in production unless asked. */
      playground:
        vars.oneOf("PLAYGROUND", ["on", "off"], environment === "local" ? "on" : "off") === "on",
      dynamodb: serviceLocation(vars, "DYNAMODB"),
      sns: serviceLocation(vars, "SNS"),
      tables: {
        products: vars.resource("productsTable"),
        orders: vars.resource("ordersTable"),
        idempotency: vars.resource("idempotencyTable"),
        orderHistory: vars.resource("orderHistoryTable"),
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
  return { dynamodb: createDynamoClients(config.dynamodb), sns: createSnsClient(config.sns) };
}
