import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from "aws-lambda";
import { ZodError } from "zod";
import { CorruptRecordError } from "../core/shared/errors";
import { DeadlineError, describe, publishMetrics, RECORD_BUDGET_MS } from "./event-consumer";
import type { ConsumerRuntime } from "./runtime";

/** Where a record that can never be processed is described, so a person can look and redrive it. */
export type SetAside = (record: DynamoDBRecord, reason: string) => Promise<void>;

/** A failure retrying cannot cure: the record's data does not have the shape the code needs. */
function isPermanent(error: unknown): boolean {
  return error instanceof CorruptRecordError || error instanceof ZodError;
}

/**
 * A handler on a DynamoDB stream. Records are processed in order, one at a time, since a
 * later change of an order must not overtake an earlier one. A failure that can pass (a
 * service down, a timeout) fails the record, and the event source retries from it for as
 * long as the stream keeps it; a record that can never be processed is set aside (described
 * on the on-failure queue, where `npm run dlq` shows and redrives it) so it cannot block the
 * shard. No record is started with less than a few seconds of the invocation left.
 */
export function streamConsumerHandler(
  runtime: ConsumerRuntime,
  handleRecord: (record: DynamoDBRecord) => Promise<void>,
  setAside: SetAside,
) {
  return async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    const recordHandler = async (record: DynamoDBRecord) => {
      if (context.getRemainingTimeInMillis() < RECORD_BUDGET_MS) throw new DeadlineError();
      try {
        await handleRecord(record);
        runtime.metrics.addMetric("StreamRecordsProcessed", MetricUnit.Count, 1);
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
          return;
        }
        runtime.logger.error("stream record failed; it will be retried", logContext);
        throw error;
      }
    };
    try {
      return await processPartialResponse(event, recordHandler, processor, {
        context,
        processInParallel: false,
        throwOnFullBatchFailure: false,
      });
    } finally {
      publishMetrics(runtime);
    }
  };
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
