/**
 * Preloaded by the npm scripts of the local commands (`node --import`), so that it runs before
 * any of a command's own modules are loaded. On an older Node.js they cannot even be loaded:
 * the SNS/SQS emulator imports node:sqlite, which Node.js 22.13 is the first 22.x to provide
 * without a flag, and a missing built-in module fails the whole module graph before any of its
 * code runs. This file imports nothing, for the same reason.
 */

/**
 * The first release of each line with node:sqlite unflagged: lines before 22 lack it, and
 * every line after 23 has it.
 */
const FIRST_SUPPORTED: Readonly<Record<number, number>> = { 22: 13, 23: 4 };

/**
 * Why the local commands cannot run on this Node.js version, in one line, or undefined when
 * they can. `viaNpm`: started by an npm script, which puts the project's own Node.js (the
 * `node` package) first on PATH, so finding an older one means that package is missing.
 */
export function nodeVersionProblem(version: string, viaNpm: boolean): string | undefined {
  const [major = 0, minor = 0] = version.replace(/^v/, "").split(".").map(Number);
  const firstMinor = FIRST_SUPPORTED[major];
  if (firstMinor === undefined ? major > 23 : minor >= firstMinor) return undefined;
  const needed = "The local commands need Node.js 22.13 or newer (23.x from 23.4)";
  return viaNpm
    ? `${needed}, and this npm script found Node.js ${version}: the project's own Node.js 22 (the node package, node_modules/.bin/node) is missing, so run npm install with its install script allowed, or install Node.js 22.`
    : `${needed}, and this is Node.js ${version}: run them through npm (npm start, npm run dlq, ...), whose scripts use the project's own Node.js 22 from node_modules/.bin, or install Node.js 22.`;
}

const problem = nodeVersionProblem(
  process.versions.node,
  process.env.npm_lifecycle_event !== undefined,
);
if (problem) {
  console.error(problem);
  process.exit(1);
}
