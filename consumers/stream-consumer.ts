import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from "aws-lambda";
import { ZodError } from "zod";
import { instrumented } from "../adapters/invocation";
import { withLogKeys } from "../adapters/powertools-logger";
import { tracedRecord } from "../adapters/tracing";
import { CorruptRecordError } from "../core/shared/errors";
import { describe, publishMetrics, RECORD_BUDGET_MS } from "./event-consumer";
import type { ConsumerRuntime } from "./runtime";

/** What a stream record is about, for its log lines and its trace: the item's flow. */
export interface RecordFlow {
  readonly orderId?: string | undefined;
  readonly correlationId?: string | undefined;
}

/** Where a record that can never be processed is described, so a person can look and redrive it. */
export type SetAside = (record: DynamoDBRecord, reason: string) => Promise<void>;

/** A failure retrying cannot cure: the record's data does not have the shape the code needs. */
function isPermanent(error: unknown): boolean {
  return error instanceof CorruptRecordError || error instanceof ZodError;
}

/**
 * A handler on a DynamoDB stream. Records of one item (one order) are processed in order,
 * one at a time, since a later change must not overtake an earlier one; records of
 * different items do not depend on each other and are processed side by side. A failure
 * that can pass (a service down, a timeout) fails the record and every later record of its
 * item, and the event source retries from the earliest failed record for as long as the
 * stream keeps it (records of other items after it come again too; everything they do is
 * idempotent). A record that can never be processed is set aside (described on the
 * on-failure queue, where `npm run dlq` shows and redrives it) so it cannot block the shard.
 * No record is started with less than a few seconds of the invocation left.
 */
export function streamConsumerHandler(
  runtime: ConsumerRuntime,
  handleRecord: (record: DynamoDBRecord) => Promise<void>,
  setAside: SetAside,
  flowOf: (record: DynamoDBRecord) => RecordFlow = () => ({}),
) {
  const processOne = (record: DynamoDBRecord, context: Context): Promise<boolean> => {
    const { orderId, correlationId } = flowOf(record);
    return withLogKeys({ correlation_id: correlationId, orderId }, () =>
      tracedRecord(`stream ${record.eventName ?? "record"}`, { orderId, correlationId }, () =>
        processInFlow(record, context),
      ),
    );
  };
  const processInFlow = async (record: DynamoDBRecord, context: Context): Promise<boolean> => {
    if (context.getRemainingTimeInMillis() < RECORD_BUDGET_MS) return false;
    try {
      await handleRecord(record);
      runtime.metrics.addMetric("StreamRecordsProcessed", MetricUnit.Count, 1);
      return true;
    } catch (error) {
      const logContext = {
        sequenceNumber: record.dynamodb?.SequenceNumber,
        eventName: record.eventName,
        error: describe(error),
      };
      if (isPermanent(error)) {
        runtime.logger.error("stream record can never be processed; set aside", logContext);
        runtime.metrics.addMetric("StreamRecordsSetAside", MetricUnit.Count, 1);
        await setAside(record, describe(error));
        return true;
      }
      runtime.logger.error("stream record failed; it will be retried", logContext);
      return false;
    }
  };

  return instrumented(
    runtime.name,
    runtime.logger,
    async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
      // Each item's records, in stream order.
      const byItem = new Map<string, DynamoDBRecord[]>();
      for (const record of event.Records) {
        const key = JSON.stringify(record.dynamodb?.Keys ?? {});
        const records = byItem.get(key) ?? [];
        records.push(record);
        byItem.set(key, records);
      }
      const failed: DynamoDBRecord[] = [];
      try {
        await Promise.all(
          [...byItem.values()].map(async (records) => {
            for (const [index, record] of records.entries()) {
              if (!(await processOne(record, context))) {
                // This record and the item's later ones wait for the retry, in order.
                failed.push(...records.slice(index));
                return;
              }
            }
          }),
        );
      } finally {
        publishMetrics(runtime);
      }
      return {
        batchItemFailures: failed.map((record) => ({
          itemIdentifier: record.dynamodb?.SequenceNumber ?? "",
        })),
      };
    },
  );
}

/**
 * The message that sets a record aside: the record itself (an order's images are far below
 * SQS's 256 KB), so it can be handed to the processor again once the cause is fixed.
 */
export function setAsideMessage(record: DynamoDBRecord, functionName: string, reason: string) {
  return {
    requestContext: { condition: "SetAside", functionName, reason },
    record,
    timestamp: new Date().toISOString(),
  };
}
