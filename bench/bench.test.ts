import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const results = mkdtempSync(join(tmpdir(), "bench-results-"));
afterAll(() => rmSync(results, { recursive: true, force: true }));

/** The README's benchmark commands, run small: they must keep working, whatever they measure. */
describe("the benchmark commands", () => {
  it("npm run bench:pipeline -- one-at-a-time places orders, follows each to its email and counts the calls", async () => {
    const { stdout } = await run(
      "npm",
      ["run", "-s", "bench:pipeline", "--", "one-at-a-time", "3"],
      {
        timeout: 120_000,
      },
    );
    const figures = JSON.parse(stdout.split("PIPELINE_JSON ")[1] ?? "{}");
    expect(figures.orders).toBe(3);
    expect(figures.samples.shop).toHaveLength(3);
    expect(figures.samples.raw).toHaveLength(3);
    expect(figures.samples.email).toHaveLength(3);
    // Placing an order writes to DynamoDB inside a transaction and publishes it.
    const calls = Object.fromEntries(
      figures.callsPerOrder.map((c: { call: string; perOrder: number }) => [c.call, c.perOrder]),
    );
    expect(calls["DynamoDB TransactWrite"]).toBeGreaterThanOrEqual(1);
    expect(calls["SNS Publish"]).toBeGreaterThanOrEqual(1);
  }, 150_000);

  it("npm run bench:pipeline -- burst, sustained and capacity run small", async () => {
    const figures = async (...args: string[]) => {
      const { stdout } = await run("npm", ["run", "-s", "bench:pipeline", "--", ...args], {
        timeout: 120_000,
      });
      return JSON.parse(stdout.split("PIPELINE_JSON ")[1] ?? "{}");
    };
    const burst = await figures("burst", "4", "2");
    expect(burst.samples.shop).toHaveLength(4);
    expect(burst.samples.raw).toHaveLength(4);
    const sustained = await figures("sustained", "4", "2");
    expect(sustained.paymentMs).toBe(200);
    expect(sustained.samples.shop).toHaveLength(8);
    // Every confirmed order waited for the payment provider.
    expect(Math.min(...sustained.samples.shop)).toBeGreaterThanOrEqual(200);
    expect(sustained.perSecond.shop.length).toBeGreaterThanOrEqual(2);
    const capacity = await figures("capacity");
    expect(capacity.writesPerSecond).toBeGreaterThan(0);
  }, 300_000);

  it("npm run bench:idle samples an idle npm start, each process of its tree, and stops it", async () => {
    // 2 s sample, 1 round, 1 s settle: small, but the whole path (start, /proc, Ctrl-C, the JVM gone).
    const { stdout } = await run("npm", ["run", "-s", "bench:idle", "--", "2", "1", "1"], {
      timeout: 180_000,
    });
    const figures = JSON.parse(stdout.split("IDLE_JSON ")[1] ?? "{}");
    expect(figures.samples).toHaveLength(1);
    const [sample] = figures.samples;
    const names = sample.processes.map((p: { process: string }) => p.process);
    expect(names).toContain("node (api, consumers, SNS/SQS emulator)");
    expect(names).toContain("DynamoDB Local (java)");
    expect(sample.totalCpuPercent).toBeGreaterThanOrEqual(0);
    expect(sample.totalRssMiB).toBeGreaterThan(0);
    expect(sample.stopMs).toBeGreaterThan(0);
  }, 240_000);

  it("npm run bench:live follows orders by subscription and by polling, side by side", async () => {
    const { stdout } = await run("npm", ["run", "-s", "bench:live", "--", "3"], {
      timeout: 120_000,
    });
    const figures = JSON.parse(stdout.split("LIVE_JSON ")[1] ?? "{}");
    expect(figures.live).toHaveLength(3);
    expect(figures.polled).toHaveLength(3);
    // Each order was seen after its CONFIRMED write, both ways.
    expect(Math.min(...figures.live, ...figures.polled)).toBeGreaterThanOrEqual(0);
  }, 150_000);

  it("npm run scale measures both scenarios and books every order's writes away from any single product or category", async () => {
    // Run small it proves nothing about the ceiling (the machine is shared): it may exit 1.
    const { stdout } = await run("npm", ["run", "-s", "scale", "--", "10", "2"], {
      timeout: 240_000,
    }).catch((error: { stdout?: string; code?: number }) => {
      expect(error.code).toBe(1);
      return { stdout: error.stdout ?? "" };
    });
    const reports = stdout
      .split("\n")
      .filter((line) => line.startsWith("SCALE_JSON "))
      .map((line) => JSON.parse(line.slice("SCALE_JSON ".length)));
    expect(reports.map((r) => r.scenario)).toEqual(["catalog", "one-product"]);
    for (const report of reports) {
      const rows = report.rows as { what: string; units?: { write: number } }[];
      // What the shop's code writes, counted: the analytics shards, the outbox index, lambdas.
      expect(rows.map((row) => row.what)).toEqual(
        expect.arrayContaining(["analytics DAY#<day>#<shard>", "lambda api", "sns publish"]),
      );
      // An order's stock write never reaches the category index.
      expect(rows.filter((row) => row.what.includes("byCategory"))).toEqual([]);
    }
    // The hot product's orders draw from its buckets: its own item takes no write.
    const hot = reports[1].rows as { what: string; units?: { write: number } }[];
    expect(hot.find((row) => row.what === "products <product>")?.units?.write).toBe(0);
    expect(hot.find((row) => row.what === "products <product>#stock#<bucket>")).toBeDefined();
  }, 300_000);

  it("npm run bench:pipeline refuses an unknown mode", async () => {
    await expect(
      run("npm", ["run", "-s", "bench:pipeline", "--", "fastest"]),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("choose from one-at-a-time, burst, sustained, capacity"),
    });
  });

  it("npm run bench -- graphql-layer writes its report where BENCH_RESULTS_DIR says", async () => {
    const { stdout } = await run("npm", ["run", "-s", "bench", "--", "graphql-layer"], {
      timeout: 120_000,
      env: { ...process.env, BENCH_ROUNDS: "1", BENCH_RESULTS_DIR: results },
    });
    expect(stdout).toContain("The GraphQL layer alone");
    const report = readFileSync(join(results, "report-graphql-layer.md"), "utf8");
    expect(report).toMatch(/\| api handler, lean \(as shipped\) \| \d+/);
    expect(existsSync(join(results, "report-graphql-layer.json"))).toBe(true);
  }, 150_000);
});
