import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ConfigVariables, ServiceLocation } from "./config";

/**
 * How long any one AWS call may take. Every call has a connection and a request timeout and
 * a bounded number of attempts, so the worst case (attempts × timeout, plus the SDK's short
 * backoff) stays well inside the function's own deadline: a frozen service costs a failed
 * call, never a function killed mid-work by its timeout.
 */
export interface SdkSettings {
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
}

/** `AWS_SDK_CONNECTION_TIMEOUT_MS` (1000), `AWS_SDK_REQUEST_TIMEOUT_MS` (2500), `AWS_SDK_MAX_ATTEMPTS` (3). */
export function sdkSettings(vars: ConfigVariables): SdkSettings {
  return {
    connectionTimeoutMs: vars.number("AWS_SDK_CONNECTION_TIMEOUT_MS", 1000, {
      min: 1,
      integer: true,
    }),
    requestTimeoutMs: vars.number("AWS_SDK_REQUEST_TIMEOUT_MS", 2500, { min: 1, integer: true }),
    maxAttempts: vars.number("AWS_SDK_MAX_ATTEMPTS", 3, { min: 1, max: 10, integer: true }),
  };
}

/** The SDK client options that apply the settings. */
export function sdkClientSettings(sdk: SdkSettings) {
  return {
    maxAttempts: sdk.maxAttempts,
    requestHandler: {
      connectionTimeout: sdk.connectionTimeoutMs,
      requestTimeout: sdk.requestTimeoutMs,
    },
  };
}

/** The DynamoDB client a function uses, as a document client and the plain client under it. */
export interface DynamoClients {
  readonly document: DynamoDBDocumentClient;
  /** For libraries that take a plain client (Powertools idempotency). */
  readonly client: DynamoDBClient;
}

export function createDynamoClients(location: ServiceLocation, sdk: SdkSettings): DynamoClients {
  const client = new DynamoDBClient({ ...location, ...sdkClientSettings(sdk) });
  return {
    client,
    document: DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    }),
  };
}

export function createSnsClient(location: ServiceLocation, sdk: SdkSettings): SNSClient {
  return new SNSClient({ ...location, ...sdkClientSettings(sdk) });
}
