import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ServiceLocation } from "./config";

/** The DynamoDB client a function uses, as a document client and the plain client under it. */
export interface DynamoClients {
  readonly document: DynamoDBDocumentClient;
  /** For libraries that take a plain client (Powertools idempotency). */
  readonly client: DynamoDBClient;
}

export function createDynamoClients(location: ServiceLocation): DynamoClients {
  const client = new DynamoDBClient(location);
  return {
    client,
    document: DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    }),
  };
}

export function createSnsClient(location: ServiceLocation): SNSClient {
  return new SNSClient(location);
}
