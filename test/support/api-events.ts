import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { ApiHandler } from "../../api/create-api";
import { createLambdaContext } from "../../local/lambda/lambda-context";

/** An API Gateway HTTP API (payload 2.0) event, as the cloud sends it to the Lambda. */
export function httpEvent(request: {
  method?: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  base64?: boolean;
}): APIGatewayProxyEventV2 {
  const method = request.method ?? "GET";
  const rawQueryString = new URLSearchParams(request.query ?? {}).toString();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: request.path,
    rawQueryString,
    headers: { host: "api.example.test", "user-agent": "vitest", ...request.headers },
    ...(request.query ? { queryStringParameters: request.query } : {}),
    requestContext: {
      accountId: "123456789012",
      apiId: "api",
      domainName: "api.example.test",
      domainPrefix: "api",
      http: {
        method,
        path: request.path,
        protocol: "HTTP/1.1",
        sourceIp: "127.0.0.1",
        userAgent: "vitest",
      },
      requestId: "request-id",
      routeKey: "$default",
      stage: "$default",
      time: "24/Nov/2026:10:00:00 +0000",
      timeEpoch: 1795514400000,
    },
    isBase64Encoded: request.base64 ?? false,
    ...(request.body === undefined ? {} : { body: request.body }),
  };
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  json: unknown;
}

/** Invokes the handler like Lambda does and parses the JSON body when there is one. */
export async function invoke(api: ApiHandler, event: APIGatewayProxyEventV2): Promise<ApiResponse> {
  const result = await api(event, createLambdaContext("shop-api"));
  const body = result.body ?? "";
  let json: unknown;
  try {
    json = body ? JSON.parse(body) : undefined;
  } catch {
    json = undefined;
  }
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  return { status: result.statusCode ?? 200, headers, body, json };
}

/** A GraphQL POST through the handler, with any extra headers (such as Authorization). */
export function graphqlEvent(
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  return httpEvent({
    method: "POST",
    path: "/graphql",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
}

/** A request the way a REST test describes it, whatever carries it. */
export interface ApiRequest {
  method?: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
}

export type Transport = (request: ApiRequest) => Promise<ApiResponse>;

/** Sends requests straight to the Lambda handler as API Gateway v2 events. */
export function lambdaTransport(api: ApiHandler): Transport {
  return (request) => invoke(api, httpEvent(request));
}

/** Sends requests over HTTP to a server, such as the local bridge. */
export function httpTransport(baseUrl: string): Transport {
  return async (request) => {
    const url = new URL(request.path, baseUrl);
    for (const [name, value] of Object.entries(request.query ?? {}))
      url.searchParams.set(name, value);
    const response = await fetch(url, {
      method: request.method ?? "GET",
      headers: request.headers ?? {},
      ...(request.body === undefined ? {} : { body: request.body }),
    });
    const body = await response.text();
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: Object.fromEntries(response.headers), body, json };
  };
}
