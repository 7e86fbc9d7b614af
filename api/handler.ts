import { createAwsClients } from "../adapters/aws-clients";
import { loadConfig } from "../adapters/config";
import { createLogger } from "../adapters/powertools-logger";
import { type ApiHandler, createApiHandler } from "./create-api";

let api: ApiHandler | undefined;

/**
 * The Lambda entry point. Built on the first invocation from the environment, then
 * reused for the life of the container.
 */
export const handler: ApiHandler = (event, context) => {
  if (!api) {
    const config = loadConfig();
    api = createApiHandler({
      config,
      clients: createAwsClients(config),
      logger: createLogger("shop-api"),
    });
  }
  return api(event, context);
};
