import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { tables } from "../../infra/topology";
import { createLocalClients, RESOURCE_PREFIX } from "../../local/emulators/stack";
import { freePort } from "../../local/process/tcp-ports";
import type { ShopData } from "./invariants";

/** `npm start` (the command itself, without npm around it) as a child process. */
export interface LocalStack {
  readonly child: ChildProcess;
  /** Everything it printed so far, stdout and stderr together. */
  output(): string;
  /** Resolves once it says it is running. */
  ready(timeoutMs?: number): Promise<void>;
  /**
   * Sends the signal to its process group, as Ctrl-C or a process manager does, and resolves
   * with its exit code (null when the signal killed it).
   */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startLocalStack(
  dataDir: string,
  env: Record<string, string>,
  args: string[] = [],
): LocalStack {
  const child = spawn(
    process.execPath,
    ["--disable-warning=ExperimentalWarning", "--import", "tsx", "local/cli/start.ts", ...args],
    {
      env: { ...process.env, DATA_DIR: dataDir, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, like a shell job.
      detached: true,
    },
  );
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = once(child, "exit").then(([code]) => code as number | null);
  return {
    child,
    output: () => output,
    ready: (timeoutMs = 60_000) =>
      waitFor(() => output.includes("Press Ctrl-C to stop."), "npm start to be running", {
        timeoutMs,
        unless: () => (child.exitCode !== null ? `it exited:\n${output}` : undefined),
      }),
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        process.kill(-child.pid, signal);
      }
      return exited;
    },
  };
}

/** Ports for the API and the emulators of one local stack. */
export async function stackPorts(): Promise<{
  PORT: string;
  DYNAMODB_PORT: string;
  SNS_SQS_PORT: string;
}> {
  const [api, dynamodb, snsSqs] = [
    await listenablePort(),
    await listenablePort(),
    await listenablePort(),
  ];
  return { PORT: String(api), DYNAMODB_PORT: String(dynamodb), SNS_SQS_PORT: String(snsSqs) };
}

/**
 * A free port below Linux's ephemeral range (32768-60999). A port the OS hands out for
 * `listen(0)` is in that range, where every outgoing connection of the test run (hundreds of
 * WebSocket clients, the SDK's sockets) takes its own local port too: between picking it and
 * `npm start` binding it, one of them may take it. Below the range only another listener can.
 */
async function listenablePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.has(port) && (await portIsFree(port))) {
      taken.add(port);
      return port;
    }
  }
  return freePort();
}
/** Ports this process has handed out already, so two stacks of one file never share one. */
const taken = new Set<number>();

/** The data of the stack `npm start` runs with DynamoDB Local on this port, to check invariants. */
export function stackData(dynamodbPort: string): ShopData & { destroy(): void } {
  const clients = createLocalClients({
    dynamodb: `http://127.0.0.1:${dynamodbPort}`,
    snsSqs: "http://127.0.0.1:1",
  });
  const name = (table: keyof typeof tables) => `${RESOURCE_PREFIX}${tables[table].logicalName}`;
  return {
    document: clients.document,
    tables: {
      orders: name("orders"),
      products: name("products"),
      orderHistory: name("orderHistory"),
      mailOutbox: name("mailOutbox"),
    },
    destroy: () => clients.destroy(),
  };
}

export async function waitFor(
  check: () => boolean,
  what: string,
  options: { timeoutMs?: number; unless?: () => string | undefined } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (!check()) {
    const reason = options.unless?.();
    if (reason) throw new Error(`gave up waiting for ${what}: ${reason}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}
