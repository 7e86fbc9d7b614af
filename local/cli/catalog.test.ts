import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, stackPorts, startLocalStack } from "../../test/support/local-stack";
import { tokenHeader } from "./token-command";

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), "shop-catalog-"));
const files = mkdtempSync(join(tmpdir(), "catalog-files-"));
let stack: LocalStack;
let ports: Awaited<ReturnType<typeof stackPorts>>;

beforeAll(async () => {
  ports = await stackPorts();
  stack = startLocalStack(dataDir, ports, ["--fresh"]);
  await stack.ready();
}, 90_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(files, { recursive: true, force: true });
});

/** `npm run -s catalog -- <args>`, as a person types it, against the stack on these ports. */
async function catalog(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("npm", ["run", "-s", "catalog", "--", ...args], {
      env: { ...process.env, ...ports },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function product(id: string): Promise<Record<string, unknown> | null> {
  const response = await fetch(`http://127.0.0.1:${ports.PORT}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...tokenHeader(dataDir, "--admin") },
    body: JSON.stringify({
      query: `query($id: ID!) { product(id: $id) { name stock price { amountCents }
        history { actor change } } }`,
      variables: { id },
    }),
  });
  const { data } = (await response.json()) as { data: { product: Record<string, unknown> | null } };
  return data.product;
}

const HEADER = "id,name,description,category,brand,priceCents,currency,stock";
const csvRow = (i: number, priceCents = 1999) =>
  `lamp-${i},"Lamp ${i}, brass","A lamp, numbered ${i}.",Lighting,Lumen,${priceCents},USD,${i}`;

describe("npm run catalog", () => {
  it("reports every bad row of a file by number and writes nothing", async () => {
    const path = join(files, "bad.csv");
    writeFileSync(
      path,
      [HEADER, csvRow(1), "lamp-2,Lamp,,Lighting,Lumen,12.50,USD,3", csvRow(1)].join("\n"),
    );
    const result = await catalog("import", path);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("row 2: price.amountCents must be a whole number of cents");
    expect(result.stderr).toContain("row 3: id repeats the id of row 1");
    expect(result.stderr).toContain("2 problem(s) in");
    expect(result.stderr).toContain("nothing was written");
    expect(await product("lamp-1")).toBeNull();
  }, 60_000);

  it("imports a CSV file, and the same file again changes nothing", async () => {
    const path = join(files, "lamps.csv");
    writeFileSync(
      path,
      [HEADER, ...Array.from({ length: 30 }, (_, i) => csvRow(i + 1))].join("\n"),
    );
    const first = await catalog("import", path);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      `Imported 30 row(s) from ${path}: 30 created, 0 updated, 0 unchanged.`,
    );
    expect(await product("lamp-7")).toMatchObject({
      name: "Lamp 7, brass",
      stock: 7,
      price: { amountCents: 1999 },
      history: [{ change: "CREATED", actor: expect.stringMatching(/^catalog-import:/) }],
    });
    const again = await catalog("import", path);
    expect(again.stdout).toContain("0 created, 0 updated, 30 unchanged.");

    writeFileSync(path, [HEADER, csvRow(7, 2499)].join("\n"));
    expect((await catalog("import", path)).stdout).toContain("0 created, 1 updated, 0 unchanged.");
    expect(await product("lamp-7")).toMatchObject({ price: { amountCents: 2499 }, stock: 7 });
  }, 60_000);

  it("exports the catalog as CSV or JSON, and an export imports back unchanged", async () => {
    const csv = join(files, "export.csv");
    const exported = await catalog("export", csv);
    expect(exported.stdout).toContain(`Exported 80 product(s) to ${csv}.`);
    expect(readFileSync(csv, "utf8").split("\n")[0]).toBe(HEADER);
    expect((await catalog("import", csv)).stdout).toContain("0 created, 0 updated, 80 unchanged.");

    const json = await catalog("export");
    const rows = JSON.parse(json.stdout) as { id: string }[];
    expect(rows).toHaveLength(80);
    expect(rows[0]).toMatchObject({ id: "lamp-1", category: "Lighting" });
  }, 60_000);

  it("loads the sample catalog file, which a fresh stack already holds", async () => {
    const result = await catalog("import", "catalog/sample-catalog.json");
    expect(result.stdout).toContain(
      "Imported 50 row(s) from catalog/sample-catalog.json: 0 created, 0 updated, 50 unchanged.",
    );
  }, 60_000);

  it("answers a mistyped command with what it takes", async () => {
    const unknown = await catalog("improt", "x.csv");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("npm run catalog: unknown command improt");
    expect(unknown.stderr).toContain("Usage:");
    const option = await catalog("import", "x.csv", "--stak", "Shop");
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("Unknown option '--stak'");
    const type = await catalog("import", join(files, "catalog.txt"));
    expect(type.code).toBe(2);
    expect(type.stderr).toContain("catalog.txt: name a .json or .csv file");
    const missing = await catalog("import", join(files, "missing.csv"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing.csv: ENOENT");
  }, 60_000);
});
