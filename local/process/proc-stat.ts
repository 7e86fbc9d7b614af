/** What `/proc/<pid>/stat` says of a process (or of a thread, under `/proc/<pid>/task/`). */
export interface ProcStat {
  readonly pid: number;
  /** The command name, or a thread's name when read from `/proc/<pid>/task/<tid>/stat`. */
  readonly name: string;
  readonly ppid: number;
  /** User plus system CPU time so far, in clock ticks (every thread of the process). */
  readonly ticks: number;
  /** When it started, in clock ticks after boot: a pid reused by another process differs here. */
  readonly startTime: number;
}

/**
 * Reads one line of `/proc/<pid>/stat`. The command name (the second field) is in parentheses
 * and may itself hold spaces and parentheses, so the fields are counted from its last `)`.
 */
export function parseProcStat(line: string): ProcStat {
  const open = line.indexOf("(");
  const close = line.lastIndexOf(")");
  if (open < 0 || close < open) throw new Error(`not a /proc stat line: ${line.slice(0, 80)}`);
  // From field 3 (state) on: ppid is field 4, utime 14, stime 15, starttime 22.
  const fields = line
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const field = (n: number) => Number(fields[n - 3]);
  return {
    pid: Number(line.slice(0, open).trim()),
    name: line.slice(open + 1, close),
    ppid: field(4),
    ticks: field(14) + field(15),
    startTime: field(22),
  };
}
