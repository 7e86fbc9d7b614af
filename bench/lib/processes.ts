import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";

export const HAS_TASKSET = spawnSync("taskset", ["-V"]).status === 0;

/** Pins this process (the load generator) to a core, when taskset exists. */
export function pinSelf(core: number): void {
  if (HAS_TASKSET)
    spawnSync("taskset", ["-p", "-c", String(core), String(process.pid)], { stdio: "ignore" });
}

/**
 * Starts a TypeScript module in a Node child with an IPC channel, pinned to `core` when
 * taskset exists, and waits for its first message.
 */
export async function startChild(
  module: string,
  env: Record<string, string>,
  core?: number,
  cwd?: string,
): Promise<{ child: ChildProcess; first: unknown }> {
  const node = [
    process.execPath,
    "--disable-warning=ExperimentalWarning",
    "--import",
    "tsx",
    module,
  ];
  const [command, ...args] =
    HAS_TASKSET && core !== undefined ? ["taskset", "-c", String(core), ...node] : node;
  const child = spawn(command as string, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    ...(cwd ? { cwd } : {}),
  });
  const [first] = (await Promise.race([
    once(child, "message"),
    once(child, "exit").then(([code]) => {
      throw new Error(`${module} exited with ${code} before it was ready`);
    }),
  ])) as [unknown];
  return { child, first };
}

export { stopProcess as stopChild } from "../../local/process/stop-process";
