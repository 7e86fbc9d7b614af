import { readdirSync, readFileSync } from "node:fs";
import { type ProcStat, parseProcStat } from "../../local/process/proc-stat";

export type { ProcStat };

/** The resident set in MiB, from the `VmRSS` line of `/proc/<pid>/status`. */
export function parseRssMiB(status: string): number {
  const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return kib === undefined ? Number.NaN : Number(kib) / 1024;
}

/** `root` and every process below it, parents before their children. */
export function processTree(root: number, processes: readonly ProcStat[]): number[] {
  const children = new Map<number, number[]>();
  for (const p of processes) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const tree: number[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    if (tree.includes(pid)) continue;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []).sort((a, b) => a - b));
  }
  return processes.some((p) => p.pid === root) ? tree : [];
}

/** CPU time over a wall-clock interval, as a percentage of one core. */
export function percentOfCore(ticks: number, ticksPerSecond: number, seconds: number): number {
  return seconds > 0 ? (100 * ticks) / ticksPerSecond / seconds : Number.NaN;
}

/** A short name for a process of the `npm start` tree, from its command line. */
export function describeCommand(argv: readonly string[]): string {
  const line = argv.join(" ");
  const program = argv[0]?.split("/").at(-1) ?? "?";
  // The shell npm runs the script in names the script too: it goes by its program.
  if (program === "sh" || program === "bash") return "shell";
  if (line.includes("DynamoDBLocal.jar")) return "DynamoDB Local (java)";
  if (line.includes("local/cli/start.ts")) return "node (api, consumers, SNS/SQS emulator)";
  if (/(^|\/)npm(-cli\.js)?\b/.test(line)) return "npm";
  return program;
}

/** Every process on the machine now (those that vanish while being read are left out). */
export function readProcesses(): ProcStat[] {
  return readStats("/proc");
}

/** Every thread of a process now (the JVM names its own: GC, compilers, timers). */
export function readThreads(pid: number): ProcStat[] {
  return readStats(`/proc/${pid}/task`);
}

function readStats(folder: string): ProcStat[] {
  const stats: ProcStat[] = [];
  let entries: string[];
  try {
    entries = readdirSync(folder);
  } catch {
    return stats;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      stats.push(parseProcStat(readFileSync(`${folder}/${entry}/stat`, "utf8")));
    } catch {
      // It exited between the listing and the read.
    }
  }
  return stats;
}

/** A process's command line, or undefined once it has exited. */
export function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return undefined;
  }
}

/** A process's resident set in MiB, or NaN once it has exited. */
export function residentMiB(pid: number): number {
  try {
    return parseRssMiB(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return Number.NaN;
  }
}
