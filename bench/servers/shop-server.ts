/**
 * The system under test: the api Lambda handler behind the local HTTP bridge, and every
 * consumer behind its event source, as `npm start` runs them. Configured by the bench
 * through the environment (the resources' variables, PORT, PAYMENT_LATENCY_MS).
 */
import { createServer } from "node:http";
import { createAwsClients } from "../../adapters/aws-clients";
import { loadConfig } from "../../adapters/config";
import { createApiHandler } from "../../api/create-api";
import type { Logger } from "../../core/shared/ports";
import type { Provisioned } from "../../local/emulators/provision";
import { startEventSources } from "../../local/lambda/event-sources";
import { createHttpBridge } from "../../local/lambda/http-bridge";
import { answerCpu } from "./cpu";

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const config = loadConfig();
const clients = createAwsClients(config);
const handoff = JSON.parse(process.env.BENCH_HANDOFF ?? "{}") as {
  provisioned: Provisioned;
  dynamodb: string;
  snsSqs: string;
};
const sources =
  process.env.BENCH_CONSUMERS === "off"
    ? undefined
    : startEventSources({
        config,
        clients,
        provisioned: handoff.provisioned,
        endpoints: { dynamodb: handoff.dynamodb, snsSqs: handoff.snsSqs },
        retryDelaySeconds: 2,
        logger: quiet,
      });
const bridge = createHttpBridge(createApiHandler({ config, clients, logger: quiet }), quiet);
const handle = bridge.listeners("request")[0] as (req: unknown, res: unknown) => void;
const server = createServer((request, response) => {
  if (!answerCpu(request, response)) handle(request, response);
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT), "127.0.0.1", () => process.send?.("ready"));
process.on("SIGTERM", () => {
  server.close();
  void sources?.stop().finally(() => process.exit(0));
});
