import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { commandLineOf, readPidFile, removePidFile, writePidFile } from "./pid-files";
import { LocalSetupError } from "./setup-error";

const LOCK_FILE = "npm-start.pid";

/**
 * Takes the data directory for this process, or fails in one line when another live
 * `npm start` holds it: two runtimes on one directory would run two DynamoDB Locals on one
 * file and two stream readers on one checkpoint. A lock left by a process that died is
 * taken over.
 */
export function claimDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  const lock = join(dataDir, LOCK_FILE);
  const holder = readPidFile(lock);
  if (holder !== undefined && holder !== process.pid) {
    if (commandLineOf(holder)?.includes("local/cli/start.ts")) {
      throw new LocalSetupError(
        `another npm start (pid ${holder}) is using ${dataDir}; stop it first, or give this one its own DATA_DIR`,
      );
    }
  }
  writePidFile(lock, process.pid);
}

export async function releaseDataDir(dataDir: string): Promise<void> {
  if (readPidFile(join(dataDir, LOCK_FILE)) === process.pid)
    removePidFile(join(dataDir, LOCK_FILE));
}
