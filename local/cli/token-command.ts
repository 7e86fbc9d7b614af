import { execFileSync } from "node:child_process";

/**
 * Runs `npm run -s token -- <args>` as the README shows it (the command itself, without
 * npm around it), with the given data directory, and returns the Authorization header of
 * the token it prints. Tests of the command-line stack use it to call as a customer or an
 * admin exactly as a person would.
 */
export function tokenHeader(dataDir: string, ...args: string[]): { authorization: string } {
  const token = execFileSync(
    process.execPath,
    ["--disable-warning=ExperimentalWarning", "--import", "tsx", "local/cli/token.ts", ...args],
    { env: { ...process.env, DATA_DIR: dataDir }, encoding: "utf8" },
  );
  const lines = token.split("\n").filter(Boolean);
  if (lines.length !== 1) throw new Error(`npm run token printed ${lines.length} lines`);
  return { authorization: `Bearer ${lines[0]}` };
}
