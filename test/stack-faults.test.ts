import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenHeader } from "../local/cli/token-command";
import { readPidFile } from "../local/process/pid-files";
import { describeSettled, expectEverythingSettled } from "./support/invariants";
import { type LocalStack, stackData, stackPorts, startLocalStack } from "./support/local-stack";

/**
 * Fault drills against the whole local stack, as `npm start` runs it: clients place orders
 * in a burst, retrying with their idempotency key on 503 or a connection that fails, while
 * the stack is frozen, stopped or killed under them. Afterwards every order settles, stock
 * is conserved, history and emails are complete, and each key made exactly one order.
 */

const dataDir = mkdtempSync(join(tmpdir(), "shop-drills-"));
const PRODUCTS = ["prod-0003", "prod-0005", "prod-0006"];
/** How long a request may take before the client calls it hung. */
const HUNG_MS = 20_000;

let ports: Awaited<ReturnType<typeof stackPorts>>;
let stack: LocalStack;
let data: ReturnType<typeof stackData>;
let admin: { authorization: string };
const initialStock = new Map<string, number>();
const placed: string[] = [];

beforeAll(async () => {
  ports = await stackPorts();
  stack = startLocalStack(dataDir, { ...ports, PAYMENT_LATENCY_MS: "0" }, ["--fresh"]);
  await stack.ready();
  data = stackData(ports.DYNAMODB_PORT);
  admin = tokenHeader(dataDir, "--admin");
  for (const productId of PRODUCTS) {
    const { Item } = await data.document.send(
      new GetCommand({ TableName: data.tables.products, Key: { productId } }),
    );
    initialStock.set(productId, Number(Item?.stock));
  }
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  data?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

type Answer = number | "refused" | "hung";

const CREATE_ORDER = `mutation Place($input: CreateOrderInput!) {
  createOrder(input: $input) { __typename ... on Order { id } ... on ErrorResult { message } }
}`;

/**
 * `count` orders from `concurrency` clients, each placing one order after another, pausing
 * `paceMs` between them, so the burst lasts long enough for a fault to land in its middle.
 */
class Burst {
  /** Every answer any attempt got: an HTTP status, a refused connection, or none in time. */
  readonly answers: Answer[] = [];
  /** The order ids so far, one per order placed. */
  readonly ids: string[] = [];
  slowestMs = 0;
  readonly done: Promise<string[]>;

  constructor(name: string, count: number, { concurrency = 6, paceMs = 300 } = {}) {
    let next = 0;
    const client = async () => {
      while (next < count) {
        const i = next++;
        this.ids.push(
          await this.placeReliably(`${name}-${i}`, PRODUCTS[i % PRODUCTS.length] as string),
        );
        await sleep(paceMs);
      }
    };
    this.done = Promise.all(Array.from({ length: concurrency }, client)).then(() => this.ids);
  }

  /** One order, retried with the same key until the shop takes it. */
  private async placeReliably(key: string, productId: string): Promise<string> {
    const deadline = Date.now() + 180_000;
    const input = { customerId: key, items: [{ productId, quantity: 1 }], idempotencyKey: key };
    while (Date.now() < deadline) {
      const started = Date.now();
      let answer: Answer;
      let body = "";
      try {
        const response = await fetch(`http://127.0.0.1:${ports.PORT}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", ...admin },
          body: JSON.stringify({ query: CREATE_ORDER, variables: { input } }),
          signal: AbortSignal.timeout(HUNG_MS),
        });
        body = await response.text();
        answer = response.status;
        if (answer === 503) expect(response.headers.get("retry-after")).toBe("1");
      } catch (error) {
        answer = (error as Error).name === "TimeoutError" ? "hung" : "refused";
      }
      this.slowestMs = Math.max(this.slowestMs, Date.now() - started);
      this.answers.push(answer);
      if (answer === 200) {
        const result = JSON.parse(body).data?.createOrder;
        if (result?.__typename !== "Order") throw new Error(`${key}: ${body}`);
        return result.id as string;
      }
      if (typeof answer === "number" && answer !== 503)
        throw new Error(`${key}: ${answer} ${body}`);
      await sleep(250);
    }
    throw new Error(`${key}: not placed within 3 minutes`);
  }

  async whenPlaced(count: number): Promise<void> {
    while (this.ids.length < count) await sleep(50);
  }

  count(answer: Answer): number {
    return this.answers.filter((a) => a === answer).length;
  }
}

function expectOneOrderPerKey(ids: string[], count: number) {
  expect(ids).toHaveLength(count);
  expect(new Set(ids).size).toBe(count);
}

/** Answers that are the server's fault: any 5xx but 503, which says "try again". */
function serverErrors(burst: Burst): Answer[] {
  return burst.answers.filter((a) => typeof a === "number" && a >= 500 && a !== 503);
}

describe("the whole stack, under clients that retry", () => {
  it("when DynamoDB Local freezes mid-burst: 503s with Retry-After, nothing hangs, nothing lost", async () => {
    const java = readPidFile(join(dataDir, "dynamodb", "dynamodb-local.pid"));
    if (java === undefined) throw new Error("no DynamoDB Local pid file");
    const burst = new Burst("frozen", 60);
    await burst.whenPlaced(6);
    process.kill(java, "SIGSTOP");
    // Longer than every attempt of a call together (3 × 2.5 s): some requests run out.
    await sleep(12_000);
    process.kill(java, "SIGCONT");
    const thawed = Date.now();
    const ids = await burst.done;
    expectOneOrderPerKey(ids, 60);
    expect(serverErrors(burst)).toEqual([]);
    expect(burst.answers).not.toContain("hung");
    expect(burst.answers).toContain(503);
    placed.push(...ids);
    const settled = await expectEverythingSettled(data, placed, initialStock, { from: thawed });
    console.log(
      describeSettled(
        `DynamoDB frozen 12 s mid-burst (${ids.length} orders; ${burst.count(503)} answers 503, the slowest answer ${burst.slowestMs} ms)`,
        settled,
        "the thaw",
      ),
    );
  }, 240_000);

  it("when npm start is stopped mid-burst and started again: no 5xx, nothing lost", async () => {
    const burst = new Burst("stopped", 30);
    await burst.whenPlaced(8);
    const stopping = Date.now();
    expect(await stack.stop("SIGTERM")).toBe(0);
    const stopMs = Date.now() - stopping;
    stack = startLocalStack(dataDir, { ...ports, PAYMENT_LATENCY_MS: "0" });
    await stack.ready();
    const restarted = Date.now();
    const ids = await burst.done;
    expectOneOrderPerKey(ids, 30);
    expect(burst.answers.filter((a) => typeof a === "number" && a >= 500)).toEqual([]);
    expect(burst.answers).not.toContain("hung");
    placed.push(...ids);
    const settled = await expectEverythingSettled(data, placed, initialStock, { from: restarted });
    console.log(
      describeSettled(
        `npm start stopped (SIGTERM to its process group) mid-burst and restarted (${ids.length} orders; the stop took ${stopMs} ms)`,
        settled,
        "the restart",
      ),
    );
  }, 240_000);

  it("when npm start is killed outright mid-burst and started again: nothing lost", async () => {
    const burst = new Burst("killed", 30);
    await burst.whenPlaced(8);
    expect(await stack.stop("SIGKILL")).toBeNull();
    stack = startLocalStack(dataDir, { ...ports, PAYMENT_LATENCY_MS: "0" });
    await stack.ready();
    // The DynamoDB Local the killed run left behind was stopped before the new one started.
    expect(stack.output()).toMatch(/Stopped DynamoDB Local \(pid \d+\), left running/);
    const restarted = Date.now();
    const ids = await burst.done;
    expectOneOrderPerKey(ids, 30);
    expect(serverErrors(burst)).toEqual([]);
    expect(burst.answers).not.toContain("hung");
    placed.push(...ids);
    const settled = await expectEverythingSettled(data, placed, initialStock, { from: restarted });
    console.log(
      describeSettled(
        `npm start killed (SIGKILL to its process group) mid-burst and restarted (${ids.length} orders)`,
        settled,
        "the restart",
      ),
    );
  }, 240_000);

  it("and after all of it, npm run dlq finds nothing in any dead-letter queue", () => {
    const listing = execFileSync("npm", ["run", "-s", "dlq"], {
      env: { ...process.env, ...ports },
      encoding: "utf8",
    });
    const counts = [...listing.matchAll(/^(\S+) \((\d+)\)/gm)].map(([, name, n]) => [name, n]);
    expect(counts.length).toBeGreaterThanOrEqual(5);
    expect(counts.filter(([, n]) => n !== "0")).toEqual([]);
  });
});
