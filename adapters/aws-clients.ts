import { ApiGatewayManagementApiClient } from "@aws-sdk/client-apigatewaymanagementapi";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DependencyUnavailableError } from "../core/shared/errors";
import type { ConfigVariables, ServiceLocation } from "./config";
import { traced } from "./tracing";

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
      // Without it the SDK only logs a warning and goes on waiting, however long that is.
      throwOnRequestTimeout: true,
    },
  };
}

/** The DynamoDB client a function uses, as a document client and the plain client under it. */
export interface DynamoClients {
  readonly document: DynamoDBDocumentClient;
  /** For libraries that take a plain client (Powertools idempotency). */
  readonly client: DynamoDBClient;
}

/** Failures a later attempt can cure: the service was down, slow or busy, not the request wrong. */
const TRANSIENT_NAMES = new Set([
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "ThrottlingException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "ServiceUnavailable",
  "InternalServerError",
]);
const TRANSIENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
]);

function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { $metadata, code } = error as Error & {
    $metadata?: { httpStatusCode?: number };
    code?: string;
  };
  return (
    TRANSIENT_NAMES.has(error.name) ||
    (code !== undefined && TRANSIENT_CODES.has(code)) ||
    ($metadata?.httpStatusCode ?? 0) >= 500
  );
}

/**
 * Turns what is left of a transient failure, once the client's own attempts are spent, into
 * DependencyUnavailableError, so callers answer "try again" (503), not "server error" (500).
 */
function reportTransientFailures<
  C extends DynamoDBClient | SNSClient | ApiGatewayManagementApiClient,
>(client: C, service: string): C {
  // One middleware for any client: its types differ per client, its behaviour does not.
  const stack = client.middlewareStack as unknown as {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
      ) => (args: unknown) => Promise<unknown>,
      options: { step: "initialize"; name: string; priority: "high" },
    ): void;
  };
  stack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (isTransient(error)) {
          throw new DependencyUnavailableError(`${service} did not answer in time`, {
            cause: error,
          });
        }
        throw error;
      }
    },
    { step: "initialize", name: "reportTransientFailures", priority: "high" },
  );
  return client;
}

export function createDynamoClients(location: ServiceLocation, sdk: SdkSettings): DynamoClients {
  const client = traced(
    reportTransientFailures(
      new DynamoDBClient({ ...location, ...sdkClientSettings(sdk) }),
      "DynamoDB",
    ),
  );
  return {
    client,
    document: DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    }),
  };
}

export function createSnsClient(location: ServiceLocation, sdk: SdkSettings): SNSClient {
  return traced(
    reportTransientFailures(new SNSClient({ ...location, ...sdkClientSettings(sdk) }), "SNS"),
  );
}

/**
 * The client of a WebSocket API's management endpoint, which reaches the API's connections:
 * `https://{apiId}.execute-api.{region}.amazonaws.com/{stage}`, or the local stand-in.
 */
export function createManagementApiClient(
  location: Required<ServiceLocation>,
  sdk: SdkSettings,
): ApiGatewayManagementApiClient {
  return traced(
    reportTransientFailures(
      new ApiGatewayManagementApiClient({ ...location, ...sdkClientSettings(sdk) }),
      "the WebSocket API",
    ),
  );
}
