import type { Context } from "aws-lambda";
import type { Logger } from "../core/shared/ports";
import type { Environment } from "./config";

/** What a caller may replace when it builds a handler: only what a test or benchmark must. */
export interface HandlerOverrides {
  readonly logger?: Logger;
}

export type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

/**
 * The builder every Lambda module exports: its handler, made from its environment. The
 * module's `handler` is this builder run once on `process.env`; the local runtime runs it
 * on the environment the topology gives the function.
 */
export type HandlerBuilder<E, R> = (
  env: Environment,
  overrides?: HandlerOverrides,
) => LambdaHandler<E, R>;

/**
 * A Lambda entry point built on its first invocation from `process.env`, then reused for
 * the life of the container.
 */
export function lazyHandler<E, R>(build: HandlerBuilder<E, R>): LambdaHandler<E, R> {
  let built: LambdaHandler<E, R> | undefined;
  return (event, context) => {
    built ??= build(process.env);
    return built(event, context);
  };
}
