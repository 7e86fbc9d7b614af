import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The layering the README draws, as the linter enforces it: each import below is linted
 * with the project's own Biome configuration, from a file in the folder it names.
 */
const FORBIDDEN: [file: string, specifier: string][] = [
  ["local/lambda/x.ts", "../../api/create-api"],
  ["core/orders/x.ts", "../../adapters/dynamo-order-repository"],
  ["core/orders/x.ts", "@aws-sdk/client-dynamodb"],
  ["core/orders/x.ts", "../../resolvers/context"],
  ["resolvers/x.ts", "../adapters/aws-clients"],
  ["resolvers/x.ts", "../api/create-api"],
  ["adapters/x.ts", "../api/services"],
  ["adapters/x.ts", "../infra/topology"],
  ["api/x.ts", "../infra/topology"],
  ["api/x.ts", "../consumers/fraud"],
  ["consumers/x.ts", "../api/create-api"],
  ["consumers/x.ts", "../local/lambda/sqs-poller"],
  ["local/lambda/x.ts", "../../consumers/fraud"],
  ["local/cli/x.ts", "../../consumers/catalog-loader"],
  ["local/lambda/x.ts", "../../adapters/config"],
  ["local/lambda/x.ts", "../../core/orders/order"],
  ["infra/x.ts", "../api/create-api"],
  ["infra/x.ts", "../api/playground"],
  ["infra/x.ts", "../consumers/fraud"],
  ["infra/x.ts", "../adapters/dynamo-order-repository"],
];

const ALLOWED: [file: string, specifier: string][] = [
  ["core/orders/x.ts", "../shared/money"],
  ["resolvers/x.ts", "../core/orders/order"],
  ["adapters/x.ts", "../core/orders/ports"],
  ["api/x.ts", "../adapters/config"],
  ["api/x.ts", "../resolvers/context"],
  ["consumers/x.ts", "../adapters/config"],
  ["local/lambda/x.ts", "../../infra/topology"],
  ["local/lambda/x.ts", "../../adapters/handler-builder"],
  ["local/cli/x.ts", "../../consumers/catalog-loader-contract"],
  ["local/lambda/x.ts", "../../api/route-table"],
  ["local/lambda/x.ts", "../../api/cors"],
  ["infra/x.ts", "../api/route-table"],
  ["infra/x.ts", "../consumers/subscriptions"],
  ["infra/x.ts", "../adapters/table-definitions"],
];

/** Lints one import from a file at `file`, and returns the lint errors' messages. */
function lintImport(root: string, file: string, specifier: string): string[] {
  const path = join(root, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `export * from "${specifier}";\n`);
  // Biome exits 1 when it finds errors; the JSON report is on stdout either way.
  const { stdout } = spawnSync(
    join(process.cwd(), "node_modules", ".bin", "biome"),
    ["lint", "--reporter=json", `--config-path=${root}`, file],
    { cwd: root, encoding: "utf8" },
  );
  const report = JSON.parse(stdout) as {
    diagnostics: { category: string; message: string }[];
  };
  return report.diagnostics
    .filter((d) => d.category === "lint/style/noRestrictedImports")
    .map((d) => d.message);
}

describe("the layering", () => {
  const root = mkdtempSync(join(tmpdir(), "layering-"));
  const config = JSON.parse(readFileSync("biome.json", "utf8")) as Record<string, unknown>;
  delete config.$schema;
  writeFileSync(
    join(root, "biome.json"),
    JSON.stringify({ ...config, vcs: { enabled: false }, files: { includes: ["**"] } }),
  );

  it.each(FORBIDDEN)("refuses, in %s, an import of %s", (file, specifier) => {
    expect(lintImport(root, file, specifier)).toHaveLength(1);
  });

  it.each(ALLOWED)("allows, in %s, an import of %s", (file, specifier) => {
    expect(lintImport(root, file, specifier)).toEqual([]);
  });
});
