import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type {
  HandlerBuilder,
  HandlerOverrides,
  LambdaHandler,
} from "../../adapters/handler-builder";
import type { FunctionSpec } from "../../infra/topology";

const REPOSITORY_ROOT = join(import.meta.dirname, "..", "..");

/**
 * A function's handler, made by the builder its module exports (the module the topology
 * names as its `entry`) from the environment it would get in the cloud. The same builder
 * makes the deployed function's `handler`, so nothing is wired twice.
 */
export async function buildFunction<E, R>(
  spec: FunctionSpec,
  env: Readonly<Record<string, string | undefined>>,
  overrides: HandlerOverrides = {},
): Promise<LambdaHandler<E, R>> {
  const module = (await import(pathToFileURL(join(REPOSITORY_ROOT, spec.entry)).href)) as {
    buildHandler?: HandlerBuilder<E, R>;
  };
  if (typeof module.buildHandler !== "function") {
    throw new Error(`${spec.entry} does not export buildHandler`);
  }
  return module.buildHandler(env, overrides);
}
