import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/**
 * CORS as the old API had it: any origin, the verbs the routes use, and the headers a
 * browser client sends (including Idempotency-Key).
 */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET,POST,OPTIONS",
  "access-control-allow-headers":
    "Content-Type,Authorization,Idempotency-Key,X-Amz-Date,X-Api-Key,X-Amz-Security-Token",
  "access-control-max-age": "600",
};

export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number };

export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResult {
  return {
    statusCode,
    headers: { "content-type": "application/json", ...CORS_HEADERS, ...headers },
    body: JSON.stringify(body),
  };
}

/** The old API's error shape: `{"error": "..."}`. */
export function jsonError(statusCode: number, message: string, headers?: Record<string, string>) {
  return json(statusCode, { error: message }, headers);
}

export function preflight(): HttpResult {
  return { statusCode: 204, headers: { ...CORS_HEADERS }, body: "" };
}
