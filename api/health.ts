import { GetTopicAttributesCommand } from "@aws-sdk/client-sns";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { ApiClients, ApiConfig } from "./api-config";
import { type HttpResult, json } from "./http";

const CHECK_TIMEOUT_MS = 2000;

/**
 * `GET /health`: 200 when the API can reach its table and its topic, 503 otherwise. Each
 * check is one cheap read, so a load balancer or a script can call it often.
 */
export function createHealthCheck(config: ApiConfig, clients: ApiClients) {
  const checks: Record<string, () => Promise<unknown>> = {
    dynamodb: () =>
      clients.dynamodb.document.send(
        new GetCommand({ TableName: config.tables.products, Key: { productId: "__health__" } }),
        { abortSignal: AbortSignal.timeout(CHECK_TIMEOUT_MS) },
      ),
    sns: () =>
      clients.sns.send(new GetTopicAttributesCommand({ TopicArn: config.orderEventsTopicArn }), {
        abortSignal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
      }),
  };
  return async function checkHealth(): Promise<HttpResult> {
    const names = Object.keys(checks);
    const results = await Promise.allSettled(names.map((name) => checks[name]?.()));
    const status = Object.fromEntries(
      names.map((name, i) => [name, results[i]?.status === "fulfilled" ? "ok" : "unreachable"]),
    );
    const healthy = results.every((r) => r.status === "fulfilled");
    return json(healthy ? 200 : 503, { status: healthy ? "ok" : "degraded", checks: status });
  };
}
