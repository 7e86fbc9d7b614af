import type { Context } from "aws-lambda";
import type { LocalLogger } from "../process/console-logger";
import { createLambdaContext } from "./lambda-context";
import type { Poller } from "./sqs-poller";

/** How the local schedule slows down while the stack is idle (see `startSchedule`). */
export interface WhileIdle {
  /** When a consumer was last invoked (ms since the epoch; -Infinity for never). */
  readonly lastActivity: () => number;
  /** How long without a consumer invocation makes the stack idle. */
  readonly afterMs: number;
  /** How often the handler runs while the stack is idle. */
  readonly everyMs: number;
}

/**
 * The local stand-in for an EventBridge schedule: invokes the handler every `everyMs`, one
 * run at a time (a run that takes longer delays the next rather than overlapping it), with a
 * scheduled event as EventBridge Scheduler sends it.
 *
 * With `whileIdle`, a tick that finds the stack idle runs the handler only if the idle
 * interval has passed since its last run: the first tick always runs, and so does every tick
 * once a consumer has been invoked again.
 */
export function startSchedule(options: {
  readonly name: string;
  readonly everyMs: number;
  readonly whileIdle?: WhileIdle;
  readonly timeoutSeconds: number;
  readonly handler: (event: unknown, context: Context) => Promise<unknown>;
  readonly logger: LocalLogger;
}): Poller {
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  let lastRun = Number.NEGATIVE_INFINITY;
  const due = () => {
    const idle = options.whileIdle;
    const now = Date.now();
    if (!idle || now - idle.lastActivity() < idle.afterMs) return true;
    return now - lastRun >= idle.everyMs;
  };
  const tick = () => {
    current = (async () => {
      if (!due()) {
        if (running) timer = setTimeout(tick, options.everyMs);
        return;
      }
      lastRun = Date.now();
      try {
        await options.handler(
          {
            version: "0",
            "detail-type": "Scheduled Event",
            source: "aws.scheduler",
            time: new Date().toISOString(),
            detail: {},
          },
          createLambdaContext(options.name, options.timeoutSeconds * 1000),
        );
      } catch (error) {
        options.logger.error("scheduled invocation failed", {
          consumer: options.name,
          error: String(error),
        });
      }
      if (running) timer = setTimeout(tick, options.everyMs);
    })();
  };
  timer = setTimeout(tick, options.everyMs);
  return {
    async stop() {
      running = false;
      clearTimeout(timer);
      await current;
    },
  };
}
