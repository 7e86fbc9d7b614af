import type { Environment } from "../adapters/config";
import { type HandlerOverrides, lazyHandler } from "../adapters/handler-builder";
import { createLogger } from "../adapters/powertools-logger";
import { createApiClients, loadApiConfig } from "./api-config";
import { type ApiHandler, createApiHandler } from "./create-api";

/** Builds the api function's handler from its environment. */
export function buildHandler(env: Environment, overrides: HandlerOverrides = {}): ApiHandler {
  const config = loadApiConfig(env);
  return createApiHandler({
    config,
    clients: createApiClients(config),
    logger: overrides.logger ?? createLogger("shop-api"),
  });
}

/** The Lambda entry point. */
export const handler = lazyHandler(buildHandler);
