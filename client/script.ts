import { ShopUnreachableError } from "./shop-client";

/**
 * The shop's GraphQL endpoint the command-line scripts call: SHOP_GRAPHQL_URL, or else the
 * API `npm start` serves on PORT (4000).
 */
export function graphqlUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.SHOP_GRAPHQL_URL || `http://127.0.0.1:${env.PORT || 4000}/graphql`;
}

/**
 * The one line a script prints when it fails. When no shop answers, the line says where
 * the script looked and how to point it elsewhere, rather than the bare `fetch failed`.
 */
export function failureLine(
  script: string,
  error: unknown,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (error instanceof ShopUnreachableError) {
    const where = env.SHOP_GRAPHQL_URL
      ? "is the shop running there? (the url is SHOP_GRAPHQL_URL)"
      : `is \`npm start\` running? (PORT=${env.PORT || 4000}, or set SHOP_GRAPHQL_URL)`;
    return `no shop answers at ${error.url}: ${where}`;
  }
  return `${script}: ${error instanceof Error ? error.message : String(error)}`;
}

/** Runs a script; a failure is one line on stderr and exit code 1. */
export function runScript(script: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(failureLine(script, error));
    process.exitCode = 1;
  });
}
