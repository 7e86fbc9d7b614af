/**
 * Prints a bearer token from the local issuer (the key `npm start` uses, in DATA_DIR):
 *
 *   npm run -s token -- --customer <id>     a customer's token
 *   npm run -s token -- --admin [subject]   an admin's token (subject "admin" by default)
 *
 * One line, the token and nothing else, so `TOKEN=$(npm run -s token -- --admin)` works.
 */
import { resolve } from "node:path";
import { localIssuer } from "../emulators/local-issuer";
import { defineCommand, readCommandLine, refuse } from "./arguments";

const TOKEN = defineCommand({
  name: "npm run token",
  usage: `Usage: npm run -s token -- --customer <id> | --admin [subject]

Prints a bearer token signed by the local issuer in DATA_DIR (default .data), for
  curl -H "Authorization: Bearer $(npm run -s token -- --customer cust-1)" ...`,
  options: {
    customer: { type: "string" },
    admin: { type: "boolean" },
  },
  words: true,
});

async function main(): Promise<void> {
  const { values, positionals } = readCommandLine(TOKEN);
  const customer = values.customer?.trim();
  if (values.customer !== undefined && !customer) refuse(TOKEN, "--customer needs a customer id");
  if (customer && values.admin) refuse(TOKEN, "give --customer <id> or --admin, not both");
  if (!customer && !values.admin) refuse(TOKEN, "give --customer <id> or --admin");
  // Only an admin's token takes a word: its subject.
  const extra = positionals[customer ? 0 : 1];
  if (extra !== undefined) refuse(TOKEN, `unexpected argument ${extra}`);
  const issuer = await localIssuer({ dataDir: resolve(process.env.DATA_DIR ?? ".data") });
  const token = customer
    ? await issuer.mint({ customer })
    : await issuer.mint({ admin: positionals[0] ?? "admin" });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  console.error(`npm run token: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
