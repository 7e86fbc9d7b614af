/**
 * What an idle `npm start` costs: it starts `npm start` on a fresh data directory and free
 * ports, waits until it says it is running and then until it has settled, and samples the CPU
 * time (user + system, every thread) of every process of its tree from /proc: npm, the shell
 * npm runs the script in, the Node process (the api, every consumer's event source and the
 * SNS/SQS emulator), tsx's esbuild and DynamoDB Local's JVM. It prints each one's CPU as a
 * percentage of one core and its resident memory, then stops the stack as Ctrl-C does and
 * says how long that took.
 *
 *   npm run bench:idle                            # one 60 s sample, 75 s after it is running
 *   npm run bench:idle -- 20 3 10                 # seconds per sample, rounds, settle seconds
 *   BENCH_BEFORE=<git revision> npm run bench:idle -- 60 3
 *
 * By default it samples a whole minute, once the reconciler's first run (a minute after the
 * start) is over: the reconciler runs on a schedule of every minute, and a shorter sample
 * shows its share, or not, by chance.
 *
 * With BENCH_BEFORE, that revision's `npm start` (exported to a temporary folder that shares
 * these node_modules) is measured too, the two taking turns, one at a time, so the figures
 * before and now come from one run on the same machine. BENCH_IDLE_THREADS=1 also prints the
 * busiest threads of each process (the JVM names its own: GC, JIT compilers, timers).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "../local/process/tcp-ports";
import { positiveArgument } from "./lib/args";
import {
  commandLine,
  describeCommand,
  type ProcStat,
  percentOfCore,
  processTree,
  readProcesses,
  readThreads,
  residentMiB,
} from "./lib/proc-stat";
import { exportRevision } from "./lib/revision";
import { formatSpread, round, spread } from "./lib/stats";

const SECONDS = positiveArgument(2, 60);
const ROUNDS = positiveArgument(3, 1);
const SETTLE_SECONDS = positiveArgument(4, 75);
const BEFORE = process.env.BENCH_BEFORE;
const THREADS = process.env.BENCH_IDLE_THREADS === "1";
const READY_TIMEOUT_MS = 180_000;
const TICKS_PER_SECOND = Number(spawnSync("getconf", ["CLK_TCK"]).stdout?.toString()) || 100;

const progress = (line: string) => process.stderr.write(`  [idle] ${line}\n`);

interface ProcessSample {
  readonly process: string;
  readonly pid: number;
  readonly cpuPercent: number;
  readonly rssMiB: number;
  readonly threads?: readonly { name: string; cpuPercent: number }[];
}

interface IdleSample {
  readonly label: string;
  readonly processes: readonly ProcessSample[];
  readonly totalCpuPercent: number;
  readonly totalRssMiB: number;
  /** From Ctrl-C (SIGINT to its process group) to npm's exit. */
  readonly stopMs: number;
}

/** Per pid of the tree: its CPU ticks so far, and what it is. */
function snapshot(root: number): Map<number, ProcStat & { argv: string[] }> {
  const all = readProcesses();
  const byPid = new Map(all.map((p) => [p.pid, p]));
  const tree = new Map<number, ProcStat & { argv: string[] }>();
  for (const pid of processTree(root, all)) {
    const stat = byPid.get(pid);
    const argv = commandLine(pid);
    if (stat && argv) tree.set(pid, { ...stat, argv });
  }
  return tree;
}

/** Whether a process runs still (an exited one not yet reaped has an empty command line). */
const running = (pid: number) => (commandLine(pid)?.length ?? 0) > 0;

function threadTicks(pids: Iterable<number>): Map<number, Map<number, ProcStat>> {
  return new Map([...pids].map((pid) => [pid, new Map(readThreads(pid).map((t) => [t.pid, t]))]));
}

async function measure(label: string, cwd: string): Promise<IdleSample> {
  const dataDir = mkdtempSync(join(tmpdir(), "bench-idle-data-"));
  const ports = {
    PORT: String(await freePort()),
    DYNAMODB_PORT: String(await freePort()),
    SNS_SQS_PORT: String(await freePort()),
  };
  const child: ChildProcess = spawn("npm", ["start"], {
    cwd,
    env: { ...process.env, ...ports, DATA_DIR: dataDir },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, like a shell job: Ctrl-C reaches npm, the shell and Node.
    detached: true,
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = once(child, "exit");
  const root = child.pid;
  if (root === undefined) throw new Error("npm start did not start");
  let java: number | undefined;
  try {
    const started = Date.now();
    while (!output.includes("Press Ctrl-C to stop.")) {
      if (child.exitCode !== null) throw new Error(`${label}: npm start exited:\n${output}`);
      if (Date.now() - started > READY_TIMEOUT_MS)
        throw new Error(`${label}: npm start was not running after 180 s:\n${output}`);
      await sleep(100);
    }
    progress(
      `${label}: running after ${Date.now() - started} ms; settling ${SETTLE_SECONDS} s, then sampling ${SECONDS} s`,
    );
    await sleep(SETTLE_SECONDS * 1000);
    const first = snapshot(root);
    const firstThreads = THREADS ? threadTicks(first.keys()) : undefined;
    const begin = performance.now();
    await sleep(SECONDS * 1000);
    const last = snapshot(root);
    const lastThreads = THREADS ? threadTicks(last.keys()) : undefined;
    const seconds = (performance.now() - begin) / 1000;
    const processes: ProcessSample[] = [];
    for (const [pid, end] of last) {
      const start = first.get(pid);
      // A process started during the sample (tsx starts esbuild when it has to) used all of
      // its CPU time within it.
      const ticksBefore = start && start.startTime === end.startTime ? start.ticks : 0;
      const name = describeCommand(end.argv);
      if (name.startsWith("DynamoDB Local")) java = pid;
      const threads = lastThreads
        ? [...(lastThreads.get(pid) ?? new Map<number, ProcStat>()).values()]
            .map((t) => ({
              name: t.name,
              cpuPercent: round(
                percentOfCore(
                  t.ticks - (firstThreads?.get(pid)?.get(t.pid)?.ticks ?? 0),
                  TICKS_PER_SECOND,
                  seconds,
                ),
                2,
              ),
            }))
            .filter((t) => t.cpuPercent > 0)
            .sort((a, b) => b.cpuPercent - a.cpuPercent)
            .slice(0, 8)
        : undefined;
      processes.push({
        process: name,
        pid,
        cpuPercent: round(percentOfCore(end.ticks - ticksBefore, TICKS_PER_SECOND, seconds), 2),
        rssMiB: round(residentMiB(pid), 0),
        ...(threads ? { threads } : {}),
      });
    }
    const stopping = Date.now();
    process.kill(-root, "SIGINT");
    await exited;
    const stopMs = Date.now() - stopping;
    // DynamoDB Local runs in a group of its own and is stopped by the runtime, last.
    for (let waited = 0; java !== undefined && running(java) && waited < 10_000; waited += 100)
      await sleep(100);
    if (java !== undefined && running(java)) {
      process.kill(java, "SIGKILL");
      throw new Error(`${label}: DynamoDB Local (pid ${java}) was still running after the stop`);
    }
    return {
      label,
      processes,
      totalCpuPercent: round(
        processes.reduce((sum, p) => sum + p.cpuPercent, 0),
        2,
      ),
      totalRssMiB: round(
        processes.reduce((sum, p) => sum + p.rssMiB, 0),
        0,
      ),
      stopMs,
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(-root, "SIGKILL");
      await exited;
    }
    if (java !== undefined && running(java)) process.kill(java, "SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function printSample(sample: IdleSample) {
  console.log(
    `${sample.label}: ${sample.totalCpuPercent}% of one core, ${sample.totalRssMiB} MiB resident in all; Ctrl-C stopped it in ${sample.stopMs} ms`,
  );
  console.table(
    sample.processes.map(({ process: name, pid, cpuPercent, rssMiB }) => ({
      process: name,
      pid,
      "CPU % of a core": cpuPercent,
      "RSS MiB": rssMiB,
    })),
  );
  for (const p of sample.processes) {
    if (p.threads?.length)
      console.log(
        `  busiest threads of ${p.process}: ${p.threads.map((t) => `${t.name} ${t.cpuPercent}%`).join(", ")}`,
      );
  }
}

async function main() {
  const before = BEFORE ? exportRevision(BEFORE) : undefined;
  const variants = [
    ...(before ? [{ label: `before (${before.name})`, cwd: before.dir }] : []),
    { label: "now", cwd: process.cwd() },
  ];
  const samples: IdleSample[] = [];
  try {
    for (let r = 1; r <= ROUNDS; r++) {
      for (const variant of variants) {
        progress(`round ${r}/${ROUNDS}: ${variant.label}`);
        const sample = await measure(variant.label, variant.cwd);
        printSample(sample);
        samples.push(sample);
      }
    }
  } finally {
    before?.remove();
  }
  if (ROUNDS > 1 || variants.length > 1) {
    console.log(
      `Median (min-max) over ${ROUNDS} round${ROUNDS > 1 ? "s" : ""} of ${SECONDS} s each:`,
    );
    const rows: Record<string, string>[] = [];
    for (const { label } of variants) {
      const mine = samples.filter((s) => s.label === label);
      const names = [...new Set(mine.flatMap((s) => s.processes.map((p) => p.process)))];
      for (const name of names) {
        const of = mine.flatMap((s) => s.processes.filter((p) => p.process === name));
        rows.push({
          variant: label,
          process: name,
          "CPU % of a core": formatSpread(spread(of.map((p) => p.cpuPercent)), "", 2),
          "RSS MiB": formatSpread(spread(of.map((p) => p.rssMiB)), "", 0),
        });
      }
      rows.push({
        variant: label,
        process: "all",
        "CPU % of a core": formatSpread(spread(mine.map((s) => s.totalCpuPercent)), "", 2),
        "RSS MiB": formatSpread(spread(mine.map((s) => s.totalRssMiB)), "", 0),
        "stop ms": formatSpread(spread(mine.map((s) => s.stopMs)), "", 0),
      });
    }
    console.table(rows);
  }
  console.log(`IDLE_JSON ${JSON.stringify({ seconds: SECONDS, rounds: ROUNDS, samples })}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
