import type { Context } from "aws-lambda";
import type { LocalLogger } from "../process/console-logger";
import { createLambdaContext } from "./lambda-context";
import type { Poller } from "./sqs-poller";

/**
 * The local stand-in for an EventBridge schedule: invokes the handler every `everyMs`, one
 * run at a time (a run that takes longer delays the next rather than overlapping it), with a
 * scheduled event as EventBridge Scheduler sends it.
 */
export function startSchedule(options: {
  readonly name: string;
  readonly everyMs: number;
  readonly timeoutSeconds: number;
  readonly handler: (event: unknown, context: Context) => Promise<unknown>;
  readonly logger: LocalLogger;
}): Poller {
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const tick = () => {
    current = (async () => {
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
