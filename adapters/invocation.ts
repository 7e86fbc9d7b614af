import type { Context } from "aws-lambda";
import type { Logger } from "../core/shared/ports";
import { logInvocation } from "./powertools-logger";
import { tracedInvocation } from "./tracing";

/**
 * A Lambda handler with its invocation's telemetry: the Lambda context on every line it
 * logs (Powertools' `injectLambdaContext`), and a trace subsegment with the cold start and
 * any error (Powertools' `captureLambdaHandler`).
 */
export function instrumented<E, R>(
  name: string,
  logger: Logger,
  handler: (event: E, context: Context) => Promise<R>,
): (event: E, context: Context) => Promise<R> {
  return (event, context) => {
    logInvocation(logger, context);
    return tracedInvocation(name, () => handler(event, context));
  };
}
