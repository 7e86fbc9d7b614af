import { setTimeout as sleep } from "node:timers/promises";
import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type Shard,
  type _Record as StreamRecord,
} from "@aws-sdk/client-dynamodb-streams";
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from "aws-lambda";
import { LOCAL_REGION } from "../emulators/local-aws";
import type { LocalLogger as Logger } from "../process/console-logger";
import { createLambdaContext } from "./lambda-context";
import type { Poller } from "./sqs-poller";

const MAX_RETRY_DELAY_MS = 5000;

/**
 * Reading a shard: after a read that brought records the next one follows at once; after an
 * empty one it waits 50 ms, then twice as long each time the shard is still empty, up to a
 * second. Lambda reads every shard about four times a second, but locally an empty read costs
 * 2-4 ms of CPU between Node and DynamoDB Local: four a second would cost an idle stack 1-1.5%
 * of a core alone. A shard that has just had records is read again within 50-150 ms (an
 * order's next change comes tens of milliseconds after the last), and the first change after
 * a quiet spell within a second.
 */
const FIRST_IDLE_WAIT_MS = 50;
export const IDLE_POLL_INTERVAL_MS = 1000;

/**
 * How often the shards are listed while one is being read: a new shard starts when another
 * ends (its reader then lists them at once), so this only catches what that misses. With no
 * shard to read (none yet, or the listing failed) they are listed every second.
 */
const SHARD_LISTING_MS = 10_000;
const SHARD_LISTING_UNREAD_MS = 1000;

/** Where each shard's processing stands: the last sequence number handled. */
export interface CheckpointStore {
  get(shardId: string): string | undefined;
  set(shardId: string, sequenceNumber: string): void;
}

export function memoryCheckpoints(): CheckpointStore {
  const checkpoints = new Map<string, string>();
  return {
    get: (shard) => checkpoints.get(shard),
    set: (shard, seq) => checkpoints.set(shard, seq),
  };
}

export interface StreamPollerOptions {
  readonly name: string;
  readonly tableName: string;
  readonly dynamodb: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  readonly sqs: SQSClient;
  readonly handler: (
    event: DynamoDBStreamEvent,
    context: Context,
  ) => Promise<DynamoDBBatchResponse | undefined>;
  readonly batchSize: number;
  readonly timeoutSeconds: number;
  readonly startingPosition: "TRIM_HORIZON" | "LATEST";
  readonly bisectBatchOnError: boolean;
  readonly maxRetryAttempts: number;
  readonly maxRecordAgeSeconds: number;
  /** The on-failure destination: what could not be processed is described here. */
  readonly onFailureQueueUrl: string;
  readonly checkpoints?: CheckpointStore;
  /** The longest wait between two reads of an idle shard (`IDLE_POLL_INTERVAL_MS`). */
  readonly idlePollIntervalMs?: number;
  readonly retryDelayMs?: number;
  readonly logger: Logger;
}

/** Lambda's record shape for a record read with the DynamoDB Streams API. */
export function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const data = record.dynamodb ?? {};
  return {
    eventID: record.eventID ?? "",
    ...(record.eventName ? { eventName: record.eventName } : {}),
    eventVersion: record.eventVersion ?? "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: LOCAL_REGION,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(data.ApproximateCreationDateTime
        ? {
            ApproximateCreationDateTime: Math.floor(
              data.ApproximateCreationDateTime.getTime() / 1000,
            ),
          }
        : {}),
      ...(data.Keys ? { Keys: data.Keys as NonNullable<DynamoDBRecord["dynamodb"]>["Keys"] } : {}),
      ...(data.NewImage
        ? { NewImage: data.NewImage as NonNullable<DynamoDBRecord["dynamodb"]>["NewImage"] }
        : {}),
      ...(data.OldImage
        ? { OldImage: data.OldImage as NonNullable<DynamoDBRecord["dynamodb"]>["OldImage"] }
        : {}),
      ...(data.SequenceNumber ? { SequenceNumber: data.SequenceNumber } : {}),
      ...(data.SizeBytes !== undefined ? { SizeBytes: data.SizeBytes } : {}),
      ...(data.StreamViewType ? { StreamViewType: data.StreamViewType } : {}),
    },
  };
}

/**
 * Reads a table's stream the way Lambda's event source mapping does: every shard in order,
 * a child shard only after its parent is finished, batches of up to `batchSize`, and a
 * checkpoint after each record handled. A failing batch is retried from its first failed
 * record (`batchItemFailures`), bisected to isolate the culprit, and after
 * `maxRetryAttempts` (or when a record is older than `maxRecordAgeSeconds`) described on
 * the on-failure queue and skipped, so one poison record never stops the shard.
 *
 * Lambda reads each shard about four times a second; this reader reads again at once while
 * records keep coming, and slows to once a second while a shard is idle (see
 * `IDLE_POLL_INTERVAL_MS`).
 */
export function startStreamPoller(options: StreamPollerOptions): Poller {
  let running = true;
  const stopping = new AbortController();
  const checkpoints = options.checkpoints ?? memoryCheckpoints();
  const finished = new Set<string>();
  const workers = new Map<string, Promise<void>>();
  const idleInterval = options.idlePollIntervalMs ?? IDLE_POLL_INTERVAL_MS;
  let streamArn = "";
  /** Ends the wait for the next listing of the shards early. */
  let listShardsNow = () => {};

  /** Waits, or less if the poller is stopped meanwhile. */
  const pause = (ms: number, signal: AbortSignal = stopping.signal) =>
    sleep(ms, undefined, { signal }).catch(() => {});

  async function invoke(records: StreamRecord[]): Promise<number> {
    const event: DynamoDBStreamEvent = {
      Records: records.map((r) => toLambdaRecord(r, streamArn)),
    };
    try {
      const response = await options.handler(
        event,
        createLambdaContext(options.name, options.timeoutSeconds * 1000),
      );
      const failedSequences = new Set(
        (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier),
      );
      if (failedSequences.size === 0) return -1;
      return records.findIndex((r) => failedSequences.has(r.dynamodb?.SequenceNumber ?? ""));
    } catch (error) {
      options.logger.error("stream handler failed; the batch will be retried", {
        consumer: options.name,
        error: String(error),
      });
      return 0;
    }
  }

  async function giveUp(
    shardId: string,
    records: StreamRecord[],
    condition: string,
  ): Promise<void> {
    const first = records[0]?.dynamodb?.SequenceNumber;
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    await options.sqs.send(
      new SendMessageCommand({
        QueueUrl: options.onFailureQueueUrl,
        MessageBody: JSON.stringify({
          requestContext: { condition, functionName: options.name },
          DDBStreamBatchInfo: {
            shardId,
            startSequenceNumber: first,
            endSequenceNumber: last,
            batchSize: records.length,
            streamArn,
          },
          timestamp: new Date().toISOString(),
        }),
      }),
    );
    options.logger.error("stream records sent to the on-failure destination", {
      consumer: options.name,
      shardId,
      condition,
      startSequenceNumber: first,
      endSequenceNumber: last,
    });
  }

  /**
   * Delivers records until each has succeeded or been given up on, checkpointing as it
   * goes. Returns false when the poller was stopped first: what is left is not checkpointed,
   * so the next start delivers it again.
   */
  async function deliver(shardId: string, records: StreamRecord[]): Promise<boolean> {
    let pending = records;
    let retries = 0;
    while (pending.length > 0) {
      const oldest = pending[0]?.dynamodb?.ApproximateCreationDateTime?.getTime() ?? Date.now();
      if (
        options.maxRecordAgeSeconds >= 0 &&
        Date.now() - oldest > options.maxRecordAgeSeconds * 1000
      ) {
        await giveUp(shardId, pending, "RecordAgeExceeded");
        break;
      }
      const failedAt = await invoke(pending);
      const succeeded = failedAt === -1 ? pending : pending.slice(0, failedAt);
      const lastDone = succeeded.at(-1)?.dynamodb?.SequenceNumber;
      if (lastDone) checkpoints.set(shardId, lastDone);
      if (failedAt === -1) return true;
      pending = pending.slice(failedAt);
      if (options.bisectBatchOnError && pending.length > 1) {
        const middle = Math.ceil(pending.length / 2);
        // The second half only after the first: a later change must not overtake an earlier one.
        return (
          (await deliver(shardId, pending.slice(0, middle))) &&
          deliver(shardId, pending.slice(middle))
        );
      }
      retries++;
      if (options.maxRetryAttempts >= 0 && retries > options.maxRetryAttempts) {
        await giveUp(shardId, pending, "RetryAttemptsExhausted");
        break;
      }
      if (!running) return false;
      // Unlimited retries back off, up to a few seconds between attempts.
      await pause(Math.min(MAX_RETRY_DELAY_MS, (options.retryDelayMs ?? 200) * retries));
      if (!running) return false;
    }
    const lastRecord = records.at(-1)?.dynamodb?.SequenceNumber;
    if (lastRecord) checkpoints.set(shardId, lastRecord);
    return true;
  }

  async function iteratorFor(shardId: string): Promise<string | undefined> {
    const checkpoint = checkpoints.get(shardId);
    const { ShardIterator } = await options.streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(checkpoint
          ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: checkpoint }
          : { ShardIteratorType: options.startingPosition }),
      }),
    );
    return ShardIterator;
  }

  async function followShard(shardId: string): Promise<void> {
    let iterator = await iteratorFor(shardId);
    /** The wait before the next read: none after records, growing while the shard is empty. */
    let idleWait = 0;
    while (running && iterator) {
      let page: GetRecordsCommandOutput;
      try {
        page = await options.streams.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: options.batchSize }),
        );
      } catch (error) {
        // An iterator can go stale (expired, or past what the stream keeps): take a new one
        // from the checkpoint, as Lambda's poller does.
        if (error instanceof Error && /ExpiredIterator|TrimmedDataAccess/.test(error.name)) {
          await pause(idleInterval);
          iterator = await iteratorFor(shardId);
          continue;
        }
        throw error;
      }
      const records = page.Records ?? [];
      if (records.length > 0 && !(await deliver(shardId, records))) return;
      iterator = page.NextShardIterator;
      if (records.length > 0) {
        idleWait = 0;
      } else if (iterator) {
        idleWait = Math.min(idleInterval, Math.max(FIRST_IDLE_WAIT_MS, idleWait * 2));
        await pause(idleWait);
      }
    }
    if (!iterator) {
      // The shard has ended: its children may start now.
      finished.add(shardId);
      listShardsNow();
    }
  }

  async function listShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let ExclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await options.streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId }),
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      ExclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (ExclusiveStartShardId);
    return shards;
  }

  const supervisor = (async () => {
    const { Table } = await options.dynamodb.send(
      new DescribeTableCommand({ TableName: options.tableName }),
    );
    if (!Table?.LatestStreamArn) throw new Error(`table ${options.tableName} has no stream`);
    streamArn = Table.LatestStreamArn;
    while (running) {
      try {
        const shards = await listShards();
        const known = new Set(shards.map((s) => s.ShardId));
        for (const shard of shards) {
          const id = shard.ShardId;
          if (!id || workers.has(id) || finished.has(id)) continue;
          // A child waits until its parent is finished, so an order's changes stay in order.
          const parent = shard.ParentShardId;
          if (parent && known.has(parent) && !finished.has(parent)) continue;
          workers.set(
            id,
            followShard(id)
              .catch(async (error: unknown) => {
                if (!running) return;
                options.logger.error("shard reader failed", {
                  shardId: id,
                  error: String(error),
                });
                // Read again after a second, from its checkpoint.
                await pause(SHARD_LISTING_UNREAD_MS);
                listShardsNow();
              })
              .finally(() => workers.delete(id)),
          );
        }
      } catch (error) {
        if (running)
          options.logger.error("stream poller error; retrying", { error: String(error) });
      }
      const soon = new AbortController();
      listShardsNow = () => soon.abort();
      await pause(
        workers.size > 0 ? SHARD_LISTING_MS : SHARD_LISTING_UNREAD_MS,
        AbortSignal.any([stopping.signal, soon.signal]),
      );
    }
  })();

  return {
    async stop() {
      running = false;
      stopping.abort();
      await supervisor.catch(() => {});
      await Promise.all(workers.values());
    },
  };
}
