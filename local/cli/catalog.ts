/**
 * Loads a catalog into the shop, or writes it out:
 *
 *   npm run catalog -- import <file.json|file.csv>      into the running local stack
 *   npm run catalog -- export [file.json|file.csv]      the products on sale (stdout: JSON)
 *   ... --stack <name> [--region <region>]              into or out of a deployed stack
 *
 * Every row is checked before anything is written; then rows are loaded a batch at a time,
 * each through the catalog's rules, with its history entry and its event. Loading the same
 * file again changes nothing.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { extname } from "node:path";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { SingleBar } from "cli-progress";
import { parse as parseCsv } from "csv-parse/sync";
import { stringify as toCsv } from "csv-stringify/sync";
import type {
  CatalogFileRow,
  ImportSummary,
  LoaderRequest,
  LoaderResponse,
} from "../../consumers/catalog-loader-contract";
import { CATALOG_LOADER_OUTPUTS, catalogLoaderFunction } from "../../infra/topology";
import { buildFunction } from "../lambda/functions";
import { createLambdaContext } from "../lambda/lambda-context";
import { defineCommand, readCommandLine, refuse, UsageError } from "./arguments";
import { runningStackEndpoints, runningStackEnvironment } from "./running-stack";

const CATALOG = defineCommand({
  name: "npm run catalog",
  usage: `Usage:
  npm run catalog -- import <file.json|file.csv> [--stack <name>] [--region <region>]
  npm run catalog -- export [file.json|file.csv] [--stack <name>] [--region <region>]

Without --stack, the local stack that npm start runs. A file is a JSON array of products, or
a CSV file with a header row, each with: id, name, description, category, brand, priceCents,
currency (USD), stock. Importing creates new ids with their stock and brings known ones to
the file's description and price; it never changes the stock of a product that exists.`,
  options: {
    stack: { type: "string" },
    region: { type: "string" },
    as: { type: "string" },
  },
  words: true,
});

/** Rows loaded per batch, between two steps of the progress bar. */
const BATCH_ROWS = 25;

type Loader = (request: LoaderRequest) => Promise<LoaderResponse>;

/** The catalog loader, built as the stack builds it, against the local stack. */
async function localLoader(): Promise<Loader> {
  const endpoints = runningStackEndpoints();
  let env: Record<string, string | undefined>;
  try {
    env = await runningStackEnvironment(catalogLoaderFunction, endpoints);
  } catch (error) {
    throw new Error(
      `the local stack does not answer at ${endpoints.dynamodb} (${error instanceof Error ? error.message : String(error)}): start it with npm start, or name a deployed stack with --stack`,
    );
  }
  return loaderFrom(env);
}

/** The catalog loader against a deployed stack: its outputs name the resources. */
async function stackLoader(stackName: string, region: string | undefined): Promise<Loader> {
  const cloudFormation = new CloudFormationClient(region ? { region } : {});
  try {
    const { Stacks = [] } = await cloudFormation.send(
      new DescribeStacksCommand({ StackName: stackName }),
    );
    const outputs = Object.fromEntries(
      (Stacks[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? "", o.OutputValue ?? ""]),
    );
    const env: Record<string, string | undefined> = {
      ...process.env,
      ...(region ? { AWS_REGION: region } : {}),
    };
    for (const [output, variable] of Object.entries(CATALOG_LOADER_OUTPUTS)) {
      const value = outputs[output];
      if (!value) {
        throw new Error(`stack ${stackName} has no output ${output}: deploy it from this version`);
      }
      env[variable] = value;
    }
    return loaderFrom(env);
  } finally {
    cloudFormation.destroy();
  }
}

async function loaderFrom(env: Record<string, string | undefined>): Promise<Loader> {
  env.POWERTOOLS_METRICS_DISABLED ??= "true";
  env.POWERTOOLS_LOG_LEVEL ??= "WARN";
  const handler = await buildFunction<LoaderRequest, LoaderResponse>(catalogLoaderFunction, env);
  return (request) => handler(request, createLambdaContext("catalog-loader", 300_000));
}

/** The rows of a catalog file, as they are: checking them is the loader's work. */
export function readCatalogFile(path: string): unknown[] {
  const type = extname(path).toLowerCase();
  if (type !== ".json" && type !== ".csv")
    throw new UsageError(`${path}: name a .json or .csv file`);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  switch (type) {
    case ".json": {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new UsageError(`${path} is not valid JSON: ${(error as Error).message}`);
      }
      if (!Array.isArray(parsed))
        throw new UsageError(`${path} must hold a JSON array of products`);
      return parsed;
    }
    case ".csv": {
      let records: Record<string, string>[];
      try {
        records = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, bom: true });
      } catch (error) {
        throw new UsageError(`${path} is not valid CSV: ${(error as Error).message}`);
      }
      // CSV has only text: whole numbers are read as numbers, anything else is left for the
      // checks to refuse by name.
      const numeric = (value: string | undefined) =>
        value !== undefined && /^-?\d+$/.test(value) ? Number(value) : value;
      return records.map((record) => ({
        ...record,
        priceCents: numeric(record.priceCents),
        stock: numeric(record.stock),
      }));
    }
  }
}

async function importCatalog(loader: Loader, path: string, actor: string): Promise<void> {
  const rows = readCatalogFile(path);
  const checked = (await loader({ action: "validate", rows })) as {
    problems: { row: number; field: string; reason: string }[];
  };
  if (checked.problems.length > 0) {
    for (const problem of checked.problems) {
      console.error(`row ${problem.row}: ${problem.field} ${problem.reason}`);
    }
    throw new Error(
      `${checked.problems.length} problem(s) in ${path}; nothing was written. Rows count from 1, the CSV header not counted.`,
    );
  }
  const total = {
    created: 0,
    updated: 0,
    unchanged: 0,
    conflicts: [] as ImportSummary["conflicts"][number][],
  };
  const bar = new SingleBar({
    format: "Importing [{bar}] {value}/{total} rows",
    stream: process.stderr,
    hideCursor: true,
  });
  bar.start(rows.length, 0);
  try {
    for (let start = 0; start < rows.length; start += BATCH_ROWS) {
      const batch = rows.slice(start, start + BATCH_ROWS);
      const done = (await loader({
        action: "import",
        rows: batch,
        actor,
        firstRow: start + 1,
      })) as ImportSummary;
      total.created += done.created;
      total.updated += done.updated;
      total.unchanged += done.unchanged;
      total.conflicts.push(...done.conflicts);
      bar.update(start + batch.length);
    }
  } finally {
    bar.stop();
  }
  console.log(
    `Imported ${rows.length} row(s) from ${path}: ${total.created} created, ${total.updated} updated, ${total.unchanged} unchanged.`,
  );
  if (total.conflicts.length > 0) {
    for (const { row, id } of total.conflicts) {
      console.error(`row ${row}: ${id} was changed by someone else meanwhile; not updated`);
    }
    throw new Error(`${total.conflicts.length} row(s) not updated: import the file again`);
  }
}

async function exportCatalog(loader: Loader, path: string | undefined): Promise<void> {
  const { rows } = (await loader({ action: "export" })) as { rows: readonly CatalogFileRow[] };
  const csv = path !== undefined && extname(path).toLowerCase() === ".csv";
  if (path !== undefined && !csv && extname(path).toLowerCase() !== ".json") {
    throw new UsageError(`${path}: name a .json or .csv file`);
  }
  const text = csv ? toCsv([...rows], { header: true }) : `${JSON.stringify(rows, null, 2)}\n`;
  if (path === undefined) {
    process.stdout.write(text);
    return;
  }
  writeFileSync(path, text);
  console.log(`Exported ${rows.length} product(s) to ${path}.`);
}

async function main(): Promise<void> {
  const { values, positionals } = readCommandLine(CATALOG);
  const [command, file, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  if (command !== "import" && command !== "export") {
    throw new UsageError(command ? `unknown command ${command}` : "name a command");
  }
  if (command === "import" && !file) throw new UsageError("name the file to import");
  const loader = values.stack
    ? await stackLoader(values.stack, values.region)
    : await localLoader();
  if (command === "import" && file) {
    await importCatalog(loader, file, `catalog-import:${values.as ?? userInfo().username}`);
  } else {
    await exportCatalog(loader, file);
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) refuse(CATALOG, error.message);
  console.error(`npm run catalog: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
