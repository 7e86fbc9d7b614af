import { describe, expect, it } from "vitest";
import { parseProcStat } from "../../local/process/proc-stat";
import {
  describeCommand,
  parseRssMiB,
  percentOfCore,
  processTree,
  readProcesses,
  readThreads,
} from "./proc-stat";

describe("reading /proc for the idle benchmark", () => {
  it("reads pid, parent, CPU ticks and start time, whatever the command name holds", () => {
    // A command name may hold spaces and parentheses: fields count from its last ")".
    const line =
      "4242 (node (a) b) S 4200 4242 4200 0 -1 4194560 3100 0 12 0 731 129 0 0 20 0 11 0 6494120 1173348352 40000 18446744073709551615";
    expect(parseProcStat(line)).toEqual({
      pid: 4242,
      name: "node (a) b",
      ppid: 4200,
      ticks: 860,
      startTime: 6494120,
    });
  });

  it("reads this very process and its threads", () => {
    const self = readProcesses().find((p) => p.pid === process.pid);
    expect(self?.ppid).toBe(process.ppid);
    expect(self?.ticks).toBeGreaterThanOrEqual(0);
    // The main thread's id is the process's.
    expect(readThreads(process.pid).map((t) => t.pid)).toContain(process.pid);
  });

  it("reads the resident set from the status file", () => {
    expect(parseRssMiB("Name:\tjava\nVmHWM:\t  300000 kB\nVmRSS:\t  221184 kB\n")).toBe(216);
    expect(parseRssMiB("Name:\tzombie\n")).toBeNaN();
  });

  it("finds every process under the root, and none beside it", () => {
    const p = (pid: number, ppid: number) => ({ pid, name: "x", ppid, ticks: 0, startTime: 0 });
    const all = [p(1, 0), p(10, 1), p(11, 10), p(12, 11), p(13, 11), p(20, 1), p(21, 20)];
    expect(processTree(10, all)).toEqual([10, 11, 12, 13]);
    expect(processTree(12, all)).toEqual([12]);
    expect(processTree(99, all)).toEqual([]);
  });

  it("turns ticks into a percentage of one core", () => {
    // 40 ticks of 10 ms over 20 s: 0.4 s of CPU, 2% of a core.
    expect(percentOfCore(40, 100, 20)).toBe(2);
    expect(percentOfCore(5, 100, 0)).toBeNaN();
  });

  it("names the processes of the npm start tree", () => {
    expect(
      describeCommand([
        "java",
        "-Djava.library.path=../../lib/x/DynamoDBLocal_lib",
        "-jar",
        "../../lib/x/DynamoDBLocal.jar",
      ]),
    ).toBe("DynamoDB Local (java)");
    expect(
      describeCommand(["/w/node_modules/node/bin/node", "--import", "tsx", "local/cli/start.ts"]),
    ).toBe("node (api, consumers, SNS/SQS emulator)");
    expect(describeCommand(["npm", "start"])).toBe("npm");
    expect(describeCommand(["/usr/bin/node", "/usr/lib/node_modules/npm/bin/npm-cli.js"])).toBe(
      "npm",
    );
    expect(describeCommand(["sh", "-c", "node local/cli/start.ts"])).toBe("shell");
  });
});
