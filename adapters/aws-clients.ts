import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Config } from "./config";

export interface AwsClients {
  readonly dynamodb: DynamoDBDocumentClient;
  /** The plain client under `dynamodb`, for libraries that take one (Powertools). */
  readonly dynamodbClient: DynamoDBClient;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
}

/** SDK clients for the configured region and endpoints (real AWS, or the local emulators). */
export function createAwsClients(config: Config): AwsClients {
  const base = { region: config.region };
  const raw = new DynamoDBClient({
    ...base,
    ...(config.endpoints.dynamodb ? { endpoint: config.endpoints.dynamodb } : {}),
  });
  return {
    dynamodbClient: raw,
    dynamodb: DynamoDBDocumentClient.from(raw, {
      marshallOptions: { removeUndefinedValues: true },
    }),
    sns: new SNSClient({
      ...base,
      ...(config.endpoints.sns ? { endpoint: config.endpoints.sns } : {}),
    }),
    sqs: new SQSClient({
      ...base,
      ...(config.endpoints.sqs ? { endpoint: config.endpoints.sqs } : {}),
    }),
  };
}
