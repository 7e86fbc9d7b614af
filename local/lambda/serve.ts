import type { Server } from "node:http";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { apiFunction, websocketFunction } from "../../infra/topology";
import { localIssuer } from "../emulators/local-issuer";
import type { Provisioned } from "../emulators/provision";
import { type EmulatorEndpoints, functionEnvironment } from "../emulators/stack";
import { consoleLogger } from "../process/console-logger";
import { fileCheckpoints } from "./checkpoint-file";
import { startEventSources } from "./event-sources";
import { buildFunction } from "./functions";
import { closeGracefully, createHttpBridge } from "./http-bridge";
import type { WebSocketHandler } from "./websocket-bridge";

/** The longest a clean stop waits for in-flight requests, and then for consumer batches. */
const DRAIN_BOUND_MS = 10_000;

export interface ServeOptions {
  readonly provisioned: Provisioned;
  readonly endpoints: EmulatorEndpoints;
  readonly port: number;
  readonly dataDir: string;
  /** A token the playground opens with. */
  readonly playgroundToken?: string;
}

/**
 * The shop's own processes against running emulators: the API behind the local HTTP
 * bridge, and every consumer behind its event source. `npm start` runs it in-process;
 * `npm run dev` runs it in a child that restarts on every source change.
 */
export async function serveShop(options: ServeOptions): Promise<{ stop(): Promise<void> }> {
  const sources = await startEventSources({
    provisioned: options.provisioned,
    endpoints: options.endpoints,
    checkpoints: fileCheckpoints(join(options.dataDir, "stream-checkpoints.json")),
  });
  const apiEnvironment: Record<string, string | undefined> = {
    ...process.env,
    ...functionEnvironment(apiFunction, options.endpoints, options.provisioned),
    ...(options.playgroundToken ? { PLAYGROUND_TOKEN: options.playgroundToken } : {}),
  };
  const api = await buildFunction<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(
    apiFunction,
    apiEnvironment,
  );
  // Live order updates: the API's port also takes `/graphql` upgrades for the WebSocket
  // API's function, and serves the Management API it replies through.
  const websocket: WebSocketHandler = await buildFunction(websocketFunction, {
    ...process.env,
    ...functionEnvironment(websocketFunction, options.endpoints, options.provisioned),
  });
  // The local issuer's keys, published where the api's AUTH_JWKS_URL says.
  const issuer = await localIssuer({ dataDir: options.dataDir });
  // The HTTP API the stack would build for the api's own settings: its routes and CORS.
  const http: Server = createHttpBridge(api, consoleLogger("shop-http"), {
    issuer,
    websocket: { handler: websocket },
    playground: apiEnvironment.PLAYGROUND !== "off",
    allowedOrigins: (apiEnvironment.ALLOWED_ORIGINS || "*")
      .split(",")
      .map((origin) => origin.trim())
      .filter(Boolean),
  });
  try {
    await new Promise<void>((ready, fail) => {
      http.once("error", fail);
      http.listen(options.port, "127.0.0.1", ready);
    });
  } catch (error) {
    await sources.stop();
    throw error;
  }
  return {
    /**
     * Stops cleanly: the API takes no new requests and finishes those in flight, then the
     * event sources finish their batches (checkpointing the stream as they go), each within a
     * bound. The emulators are stopped after this, by the caller.
     */
    async stop() {
      await closeGracefully(http, DRAIN_BOUND_MS);
      const stopped = await Promise.race([
        sources.stop().then(() => true),
        sleep(DRAIN_BOUND_MS).then(() => false),
      ]);
      if (!stopped) {
        consoleLogger("shop-local").warn(
          "consumers still busy after the drain bound; stopping anyway",
        );
      }
    },
  };
}

/** What `npm run dev` hands its child: enough to find the emulators and resources again. */
export type ServeHandoff = ServeOptions;

export const HANDOFF_ENV = "SHOP_DEV_HANDOFF";

// Run as the child of `npm run dev`: serve until told to stop, then let the watcher restart us.
if (process.env[HANDOFF_ENV] && process.argv[1]?.endsWith("serve.ts")) {
  const started = performance.now();
  const handoff = JSON.parse(process.env[HANDOFF_ENV]) as ServeHandoff;
  serveShop(handoff)
    .then((shop) => {
      console.log(`dev: API and consumers ready in ${Math.round(performance.now() - started)} ms`);
      const stop = () => void shop.stop().then(() => process.exit(0));
      process.once("SIGTERM", stop);
      process.once("SIGINT", stop);
    })
    .catch((error: unknown) => {
      console.error(`dev: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    });
}
