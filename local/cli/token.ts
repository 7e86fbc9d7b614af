/**
 * Prints a bearer token from the local issuer (the key `npm start` uses, in DATA_DIR):
 *
 *   npm run -s token -- --customer <id>     a customer's token
 *   npm run -s token -- --admin [subject]   an admin's token (subject "admin" by default)
 *
 * One line, the token and nothing else, so `TOKEN=$(npm run -s token -- --admin)` works.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { localIssuer } from "../emulators/local-issuer";

const USAGE = `Usage: npm run -s token -- --customer <id> | --admin [subject]

Prints a bearer token signed by the local issuer in DATA_DIR (default .data), for
  curl -H "Authorization: Bearer $(npm run -s token -- --customer cust-1)" ...`;

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    console.error(`npm run token: ${error instanceof Error ? error.message : String(error)}\n`);
    console.error(USAGE);
    process.exit(2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const customer = values.customer?.trim();
  if (Boolean(customer) === Boolean(values.admin) || (values.admin && positionals.length > 1)) {
    console.error(USAGE);
    process.exit(2);
  }
  const issuer = await localIssuer({ dataDir: resolve(process.env.DATA_DIR ?? ".data") });
  const token = customer
    ? await issuer.mint({ customer })
    : await issuer.mint({ admin: positionals[0] ?? "admin" });
  process.stdout.write(`${token}\n`);
}

function parse() {
  return parseArgs({
    options: {
      customer: { type: "string" },
      admin: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: true,
  });
}

main().catch((error: unknown) => {
  console.error(`npm run token: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
