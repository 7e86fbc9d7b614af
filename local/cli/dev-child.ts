import { type ChildProcess, spawn } from "node:child_process";
import { watch } from "node:fs";
import { join, matchesGlob } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import codegenConfig, { CLIENT_OPERATIONS, SCHEMA_FILES } from "../../codegen";
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

export interface WatchedChild {
  /** Settles once the API answers HTTP; fails if the watcher exits before it does. */
  readonly ready: Promise<void>;
  readonly stop: () => Promise<void>;
}

/**
 * Runs `local/lambda/serve.ts` under `tsx watch`, which restarts it whenever a file it imports
 * changes; the emulators stay up in this process, so no data or queue state is lost. A change
 * to the schema or to a client operation regenerates generated/, which restarts it in turn.
 */
export function runWatchedChild(handoff: ServeHandoff): WatchedChild {
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
  const codegen = watchCodegenInputs();
  return {
    ready: untilServing(`http://127.0.0.1:${handoff.port}/health`, child),
    async stop() {
      await codegen.stop();
      await stopProcess(child);
    },
  };
}

// The child's own output cannot be read here (tsx watch owns it), and any answer on the port,
// even a 503 from a degraded health check, means the API and the consumers have started.
async function untilServing(url: string, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the API's watcher exited (${child.exitCode ?? child.signalCode})`);
    }
    const response = await fetch(url).catch(() => undefined);
    if (response) {
      await response.body?.cancel();
      return;
    }
    await sleep(100);
  }
}

/**
 * Runs the codegen, as `npm run codegen` does, whenever a schema file or a client operation
 * changes. A failed generation writes nothing, so the API keeps serving the last good schema.
 */
function watchCodegenInputs(): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let runs = Promise.resolve();
  const regenerate = async () => {
    const started = performance.now();
    try {
      // Loaded on the first change only: `npm start` and an untouched dev session never need it.
      const { generate } = await import("@graphql-codegen/cli");
      await generate({ ...codegenConfig, silent: true }, true);
      console.log(`dev: codegen ran in ${Math.round(performance.now() - started)} ms`);
    } catch (error) {
      console.error(
        `dev: codegen failed; the API keeps its last schema.\n${codegenProblem(error)}`,
      );
    }
  };
  const watchers = [SCHEMA_FILES, CLIENT_OPERATIONS].map((glob) => {
    const folder = glob.slice(0, glob.indexOf("/"));
    return watch(folder, { recursive: true }, (_event, file) => {
      if (!file || !matchesGlob(join(folder, file), glob)) return;
      // One save is often several events; one run covers them, and runs never overlap.
      clearTimeout(timer);
      timer = setTimeout(() => {
        runs = runs.then(regenerate);
      }, 100);
    }).on("error", (error) => console.error(`dev: stopped watching ${folder}/: ${error.message}`));
  });
  return {
    async stop() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      await runs;
    },
  };
}

// Codegen repeats a schema error once per output, each time with the loader's stack and a list
// of the schema sources it supports; the cause alone is what helps.
function codegenProblem(error: unknown): string {
  const errors: unknown[] = error instanceof AggregateError ? error.errors : [error];
  const messages = errors.map((each) =>
    (each instanceof Error ? each.message : String(each))
      .replace(/\nGraphQL Code Generator supports:[\s\S]*/, "")
      .split("\n")
      .filter((line) => !/^\s+at .*node_modules/.test(line))
      .join("\n")
      .trim(),
  );
  return [...new Set(messages)].join("\n");
}
