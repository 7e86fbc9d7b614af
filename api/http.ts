import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { CORS_HEADERS } from "./cors";

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

/** The answer with the CORS headers on it, whoever built it. */
export function withCors(result: HttpResult): HttpResult {
  return { ...result, headers: { ...result.headers, ...CORS_HEADERS } };
}
