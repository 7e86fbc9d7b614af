import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** The command line of a live process, or undefined when there is none with this pid. */
export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    try {
      process.kill(pid, 0);
      return ""; // alive, but its command line cannot be read here
    } catch {
      return undefined;
    }
  }
}

/** The pid a pid file names, if the file exists. */
export function readPidFile(path: string): number | undefined {
  try {
    const pid = Number(JSON.parse(readFileSync(path, "utf8")).pid);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function writePidFile(path: string, pid: number): void {
  writeFileSync(path, JSON.stringify({ pid, since: new Date().toISOString() }));
}

export function removePidFile(path: string): void {
  rmSync(path, { force: true });
}

/** Stops a process by pid: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export async function stopPid(pid: number, graceMs = 5000): Promise<void> {
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (commandLineOf(pid) === undefined) return;
    await sleep(100);
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Gone in the meantime.
  }
}
