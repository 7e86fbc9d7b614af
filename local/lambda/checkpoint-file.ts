import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { CheckpointStore } from "./stream-poller";

/**
 * Stream checkpoints kept in a JSON file beside the local data, so a restart of
 * `npm start` resumes each shard where it stopped instead of replaying the stream, as a
 * Lambda event source mapping would.
 */
export function fileCheckpoints(path: string): CheckpointStore {
  let checkpoints: Record<string, string> = {};
  try {
    checkpoints = JSON.parse(readFileSync(path, "utf8")) as Record<string, string>;
  } catch {
    // No file yet (first start, or after --fresh): begin at the configured position.
  }
  return {
    get: (shardId) => checkpoints[shardId],
    set(shardId, sequenceNumber) {
      checkpoints[shardId] = sequenceNumber;
      writeFileSync(`${path}.tmp`, JSON.stringify(checkpoints));
      renameSync(`${path}.tmp`, path);
    },
  };
}
