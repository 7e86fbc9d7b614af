import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Exports a revision to a temporary folder beside this one (`git archive`: nothing is added to
 * the repository, not even a worktree entry a killed run would leave behind) with these
 * node_modules linked in, so a benchmark can run that revision's code in the same run as
 * this one's. Returns the folder, the revision's short name, and how to remove it.
 */
export function exportRevision(revision: string): { dir: string; name: string; remove(): void } {
  const name = execFileSync("git", ["rev-parse", "--short", revision], { encoding: "utf8" }).trim();
  const dir = mkdtempSync(join(tmpdir(), "bench-before-"));
  const tar = join(dir, "revision.tar");
  execFileSync("git", ["archive", "--format=tar", "-o", tar, revision]);
  execFileSync("tar", ["-xf", tar, "-C", dir]);
  rmSync(tar);
  symlinkSync(join(process.cwd(), "node_modules"), join(dir, "node_modules"));
  return { dir, name, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
