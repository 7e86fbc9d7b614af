import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
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
  ...args: (string | Record<string, string>)[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const words = args.filter((a): a is string => typeof a === "string");
  const env: Record<string, string> = Object.assign(
    {},
    ...args.filter((a) => typeof a !== "string"),
  );
  try {
    const { stdout, stderr } = await run("npm", ["run", "-s", "catalog", "--", ...words], {
      env: { ...process.env, ...ports, ...env },
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

  it("with --stack, finds the tables and topic in the stack's outputs and loads there", async () => {
    // CloudFormation's DescribeStacks, answered on 127.0.0.1 with the outputs a deployed stack
    // has, naming the local stack's resources; the SDK reaches it (and DynamoDB and SNS) through
    // the standard AWS_ENDPOINT_URL_* variables, with the caller's credentials.
    const asked: string[] = [];
    const cloudFormation = createServer((request, reply) => {
      let body = "";
      request.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on("end", () => {
        asked.push(body);
        const outputs = Object.entries({
          ProductsTableName: "shop-products",
          ProductHistoryTableName: "shop-product-history",
          OrderEventsTopicArn: "arn:aws:sns:us-east-1:000000000000:shop-order-events",
        })
          .map(
            ([k, v]) =>
              `<member><OutputKey>${k}</OutputKey><OutputValue>${v}</OutputValue></member>`,
          )
          .join("");
        reply.writeHead(200, { "content-type": "text/xml" }).end(
          `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
            <DescribeStacksResult><Stacks><member><StackName>ShopProd</StackName>
            <StackStatus>UPDATE_COMPLETE</StackStatus><CreationTime>2026-11-01T00:00:00Z</CreationTime>
            <Outputs>${outputs}</Outputs></member></Stacks></DescribeStacksResult>
            <ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeStacksResponse>`,
        );
      });
    });
    await new Promise<void>((ready) => cloudFormation.listen(0, "127.0.0.1", ready));
    const { port } = cloudFormation.address() as AddressInfo;
    const path = join(files, "deployed.json");
    writeFileSync(
      path,
      JSON.stringify([
        {
          id: "cloud-1",
          name: "Cloud Lamp",
          category: "Lighting",
          brand: "Lumen",
          priceCents: 4200,
          stock: 3,
        },
      ]),
    );
    try {
      const result = await catalog("import", path, "--stack", "ShopProd", "--region", "us-east-1", {
        AWS_ENDPOINT_URL_CLOUDFORMATION: `http://127.0.0.1:${port}`,
        AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${ports.DYNAMODB_PORT}`,
        AWS_ENDPOINT_URL_SNS: `http://127.0.0.1:${ports.SNS_SQS_PORT}`,
        AWS_ACCESS_KEY_ID: "deployer",
        AWS_SECRET_ACCESS_KEY: "deployer-secret",
        // No local stack is named: a wrong port here would show if the local one were used.
        DYNAMODB_PORT: "1",
      });
      expect(result.stderr).toBe("");
      expect(result.stdout).toContain("1 created, 0 updated, 0 unchanged.");
    } finally {
      cloudFormation.close();
    }
    expect(asked[0]).toContain("Action=DescribeStacks");
    expect(asked[0]).toContain("StackName=ShopProd");
    expect(await product("cloud-1")).toMatchObject({ name: "Cloud Lamp", stock: 3 });
  }, 60_000);

  it("answers a mistyped command with what it takes", async () => {
    const unknown = await catalog("improt", "x.csv");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("npm run catalog: unknown command improt");
    expect(unknown.stderr).toContain("Usage:");
    const option = await catalog("import", "x.csv", "--stak", "Shop");
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("npm run catalog: unknown option --stak");
    const type = await catalog("import", join(files, "catalog.txt"));
    expect(type.code).toBe(2);
    expect(type.stderr).toContain("catalog.txt: name a .json or .csv file");
    const missing = await catalog("import", join(files, "missing.csv"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing.csv: ENOENT");
  }, 60_000);
});
