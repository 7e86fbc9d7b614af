/**
 * The API's CORS policy: the verbs the routes use and the headers browser clients send
 * (Authorization for the token, Apollo's CSRF-prevention header, Idempotency-Key,
 * X-Correlation-Id). Which
 * origins may call is configuration (ALLOWED_ORIGINS; `*` by default, which is safe here
 * because identity travels in a bearer token a browser never attaches by itself, not in a
 * cookie). API Gateway's preflight and the function's own headers come from this one
 * declaration.
 */
export const CORS_POLICY = {
  allowMethods: ["GET", "POST", "OPTIONS"],
  allowHeaders: [
    "Content-Type",
    "Authorization",
    "Idempotency-Key",
    "X-Correlation-Id",
    "Apollo-Require-Preflight",
    "X-Amz-Date",
    "X-Api-Key",
    "X-Amz-Security-Token",
  ],
  /** Headers a cross-origin script may read: the catalog's next page, the request's correlation id. */
  exposeHeaders: ["Link", "X-Correlation-Id"],
  maxAgeSeconds: 600,
} as const;

/** The CORS headers of an answer to a request from `origin`, for the allowed origins. */
export function corsHeaders(
  allowedOrigins: readonly string[],
  origin: string | undefined,
): Record<string, string> {
  const common = {
    "access-control-allow-methods": CORS_POLICY.allowMethods.join(","),
    "access-control-allow-headers": CORS_POLICY.allowHeaders.join(","),
    "access-control-expose-headers": CORS_POLICY.exposeHeaders.join(","),
    "access-control-max-age": String(CORS_POLICY.maxAgeSeconds),
  };
  if (allowedOrigins.includes("*")) return { "access-control-allow-origin": "*", ...common };
  // A listed origin is echoed; any other gets no CORS grant, and the browser refuses it.
  return origin && allowedOrigins.includes(origin)
    ? { "access-control-allow-origin": origin, vary: "Origin", ...common }
    : { vary: "Origin", ...common };
}
