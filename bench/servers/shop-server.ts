/**
 * The system under test: the api Lambda handler behind the local HTTP bridge, and every
 * consumer behind its event source, as `npm start` runs them. The api handler is built from
 * this process's environment (the api function's variables, set by the bench), the
 * consumers from theirs; PORT and PAYMENT_LATENCY_MS come from the bench too.
 */
import { createServer } from "node:http";
import { buildHandler as buildApiHandler } from "../../api/handler";
import type { Logger } from "../../core/shared/ports";
import type { Provisioned } from "../../local/emulators/provision";
import { NO_WEBSOCKET_API } from "../../local/emulators/stack";
import { startEventSources } from "../../local/lambda/event-sources";
import { createHttpBridge } from "../../local/lambda/http-bridge";
import { answerCpu } from "./cpu";

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const handoff = JSON.parse(process.env.BENCH_HANDOFF ?? "{}") as {
  provisioned: Provisioned;
  dynamodb: string;
  snsSqs: string;
};
const sources =
  process.env.BENCH_CONSUMERS === "off"
    ? undefined
    : await startEventSources({
        provisioned: handoff.provisioned,
        endpoints: {
          dynamodb: handoff.dynamodb,
          snsSqs: handoff.snsSqs,
          websocketManagement: NO_WEBSOCKET_API,
        },
        retryDelaySeconds: 2,
        logger: quiet,
      });
const bridge = createHttpBridge(buildApiHandler(process.env, { logger: quiet }), quiet);
const handle = bridge.listeners("request")[0] as (req: unknown, res: unknown) => void;
const server = createServer((request, response) => {
  if (!answerCpu(request, response)) handle(request, response);
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT), "127.0.0.1", () => process.send?.("ready"));
process.on("SIGTERM", () => {
  server.close();
  void (sources?.stop() ?? Promise.resolve()).finally(() => process.exit(0));
});
