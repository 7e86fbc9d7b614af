import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";

export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number };

export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResult {
  return {
    statusCode,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}

/** The old API's error shape: `{"error": "..."}`. */
export function jsonError(statusCode: number, message: string, headers?: Record<string, string>) {
  return json(statusCode, { error: message }, headers);
}

/** A GraphQL error answer: `{"errors": [{message, extensions: {code}}]}`. */
export function graphqlError(statusCode: number, message: string, code: string): HttpResult {
  return json(statusCode, { errors: [{ message, extensions: { code } }] });
}

export function preflight(): HttpResult {
  return { statusCode: 204, headers: {}, body: "" };
}
