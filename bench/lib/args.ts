/**
 * The command-line argument `process.argv[index]` as a positive number, or `fallback` when it
 * is not given. Anything else ends the script with code 2 and `problem` on stderr.
 */
export function positiveArgument(
  index: number,
  fallback: number,
  problem = `argument ${index - 1} must be a positive number`,
): number {
  const value = Number(process.argv[index] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(problem);
    process.exit(2);
  }
  return value;
}
