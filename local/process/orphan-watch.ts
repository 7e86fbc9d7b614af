import { readFileSync } from "node:fs";
import { commandLineOf } from "./pid-files";
import { parseProcStat } from "./proc-stat";

/** The parent of a process and its name, from /proc; undefined where there is no /proc. */
function parentOf(pid: number): { ppid: number; name: string } | undefined {
  try {
    const { ppid, name } = parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
    return Number.isInteger(ppid) ? { ppid, name } : undefined;
  } catch {
    return undefined;
  }
}

const SHELLS = new Set(["sh", "dash", "bash", "zsh"]);

/**
 * Calls `onOrphaned` once whoever started this process is gone. `npm start` runs the script
 * in a shell (`sh -c`), and when npm is killed outright the shell may live on: so the
 * process watched is the nearest ancestor that is not that shell, and the watch fires when
 * either it dies or this process is handed to another parent.
 */
export function watchForOrphaning(onOrphaned: () => void, everyMs = 500): void {
  const parent = process.ppid;
  const above = parentOf(parent);
  const starter = above && SHELLS.has(above.name) && above.ppid > 1 ? above.ppid : undefined;
  const timer = setInterval(() => {
    const orphaned =
      process.ppid !== parent || (starter !== undefined && commandLineOf(starter) === undefined);
    if (orphaned) {
      clearInterval(timer);
      onOrphaned();
    }
  }, everyMs);
  timer.unref();
}
