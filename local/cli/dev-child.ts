import { spawn } from "node:child_process";
import { HANDOFF_ENV, type ServeHandoff } from "../lambda/serve";
import { stopProcess } from "../process/stop-process";

/** The source folders whose changes restart the API and the consumers. */
const WATCHED = [
  "api",
  "adapters",
  "consumers",
  "core",
  "resolvers",
  "generated",
  "local",
  "infra/topology.ts",
];

/**
 * Runs `local/lambda/serve.ts` under `tsx watch`, which restarts it whenever a file it imports
 * changes; the emulators stay up in this process, so no data or queue state is lost.
 * Returns the function that stops the child.
 */
export function runWatchedChild(handoff: ServeHandoff): () => Promise<void> {
  const extra = (process.env.DEV_WATCH_INCLUDE ?? "").split(",").filter(Boolean);
  const child = spawn(
    process.execPath,
    [
      "--disable-warning=ExperimentalWarning",
      "node_modules/tsx/dist/cli.mjs",
      "watch",
      "--clear-screen=false",
      ...[...WATCHED, ...extra].flatMap((path) => ["--include", path]),
      "local/lambda/serve.ts",
    ],
    { env: { ...process.env, [HANDOFF_ENV]: JSON.stringify(handoff) }, stdio: "inherit" },
  );
  return () => stopProcess(child);
}
