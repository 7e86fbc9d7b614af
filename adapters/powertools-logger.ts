import { AsyncLocalStorage } from "node:async_hooks";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import type { Logger as LoggerPort } from "../core/shared/ports";

/** The keys of the flow being handled: its correlation id, its order. */
const flowKeys = new AsyncLocalStorage<Readonly<Record<string, unknown>>>();

/**
 * Runs `work` so that every line logged within it, by core as by the handler, also carries
 * `keys`. Powertools' own correlation id (`setCorrelationId`) is one per invocation; here a
 * batch's records are handled side by side, each for its own order, and locally one process
 * serves concurrent invocations, so the keys follow the asynchronous work instead. The key
 * `correlation_id` is the one Powertools writes. Nested flows add to the outer one's keys.
 */
export function withLogKeys<T>(keys: Record<string, unknown>, work: () => T): T {
  const defined = Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined));
  const outer = flowKeys.getStore();
  return flowKeys.run(outer ? { ...outer, ...defined } : defined, work);
}

/** The logger of a Lambda function: core's port, plus the invocation's Lambda context. */
export interface FunctionLogger extends LoggerPort {
  /**
   * Adds the invocation's Lambda context to its lines (request id, function, cold start), as
   * Powertools' `injectLambdaContext` does for a decorated or middy-wrapped handler.
   */
  addContext(context: Context): void;
}

/**
 * Core's logger port over Powertools: structured JSON lines with the service name, the log
 * level from POWERTOOLS_LOG_LEVEL, the invocation's Lambda context and the current flow's
 * keys.
 */
export function createLogger(serviceName: string): FunctionLogger {
  const logger = new Logger({ serviceName });
  const withFlow = (extra: Record<string, unknown> | undefined) => {
    const keys = flowKeys.getStore();
    return keys ? { ...keys, ...extra } : extra;
  };
  const write =
    (level: "info" | "warn" | "error") =>
    (message: string, extra?: Record<string, unknown>): void => {
      const attributes = withFlow(extra);
      if (attributes) logger[level](message, attributes);
      else logger[level](message);
    };
  return {
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    addContext: (context) => logger.addContext(context),
  };
}

/**
 * Starts an invocation's logging. A handler built with a logger of its own (a test's)
 * logs without the Lambda context.
 */
export function logInvocation(logger: LoggerPort, context: Context): void {
  const withContext = logger as Partial<FunctionLogger>;
  withContext.addContext?.(context);
}
