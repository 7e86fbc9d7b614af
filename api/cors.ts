/**
 * The API's CORS policy, as the old API had it: any origin, the verbs the routes use, and
 * the headers a browser client sends. API Gateway's preflight and the function's own
 * headers are both built from this one declaration.
 */
export const CORS_POLICY = {
  allowOrigins: ["*"],
  allowMethods: ["GET", "POST", "OPTIONS"],
  allowHeaders: [
    "Content-Type",
    "Authorization",
    "Idempotency-Key",
    "X-Amz-Date",
    "X-Api-Key",
    "X-Amz-Security-Token",
  ],
  maxAgeSeconds: 600,
} as const;

/** The CORS headers of every answer, preflight included. */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  "access-control-allow-origin": CORS_POLICY.allowOrigins.join(","),
  "access-control-allow-methods": CORS_POLICY.allowMethods.join(","),
  "access-control-allow-headers": CORS_POLICY.allowHeaders.join(","),
  "access-control-max-age": String(CORS_POLICY.maxAgeSeconds),
};
