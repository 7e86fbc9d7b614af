import { setTimeout as sleep } from "node:timers/promises";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from "@aws-lambda-powertools/idempotency";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context, SNSEvent, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { instrumented } from "../adapters/invocation";
import { withLogKeys } from "../adapters/powertools-logger";
import { tracedRecord } from "../adapters/tracing";
import type { EventHandling } from "../core/orders/ports";
import { CorruptRecordError } from "../core/shared/errors";
import {
  orderIdOf,
  type ShopEvent,
  type ShopEventOf,
  type EventType as ShopEventType,
  shopEventSchema,
} from "../core/shared/events";
import { describeIssues } from "../core/shared/issues";
import type { ConsumerRuntime, EventConsumerRuntime } from "./runtime";

/**
 * What every consumer shares, in one place: parsing and validating the event, skipping
 * event types it does not handle, deduplicating by event id (Powertools idempotency),
 * reporting partial batch failures (Powertools batch), logging with the event's context
 * and counting what it did (Powertools metrics). A consumer supplies only what to do with
 * one valid event.
 */

export interface EventContext {
  /** Epoch ms by which the invocation must be done (its timeout, less a margin). */
  readonly deadline: number;
  /**
   * Work that follows the event's handling and must be done before the record is reported
   * done, but that nothing else waits on: it runs beside the completion of the event's claim
   * instead of before it. It must not reject (it only tidies and notes).
   */
  alongside(work: Promise<unknown>): void;
}

/**
 * A consumer: the event types it handles (declared once, in `subscriptions.ts`, which the
 * topology's filter policies are built from) and what it does with one of them. `handle`
 * only ever sees those types, already validated.
 */
export interface EventConsumer<T extends ShopEventType> {
  readonly accepts: readonly T[];
  handle(event: ShopEventOf<T>, context: EventContext): Promise<unknown>;
}

/** Time kept back from the invocation's budget for reporting and cleanup. */
const DEADLINE_MARGIN_MS = 1000;
/** A record is not started with less than this left before the deadline. */
export const RECORD_BUDGET_MS = 3000;

/** The invocation ran out of time before this record; it is retried later. */
export class DeadlineError extends Error {
  constructor() {
    super("not started: the invocation is too close to its deadline");
    this.name = "DeadlineError";
  }
}
/** How long a record waits, within its invocation, for a claim another delivery holds. */
const CLAIM_WAIT_MS = 2000;
const CLAIM_POLL_MS = 200;
/** Events are deduplicated for a week: longer than any redelivery or DLQ redrive window. */
const DEDUPE_SECONDS = 7 * 24 * 60 * 60;

export function parseEvent(body: string): ShopEvent {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (cause) {
    throw new CorruptRecordError("event body is not JSON", { cause });
  }
  const parsed = shopEventSchema.safeParse(json);
  if (!parsed.success) {
    throw new CorruptRecordError(
      `event does not match its schema: ${describeIssues(parsed.error.issues)}`,
      {
        cause: parsed.error,
      },
    );
  }
  return parsed.data;
}

/**
 * Notes in the event log what the consumer did with the event, for the order's timeline.
 * The log explains; it never decides, so failing to write it fails nothing. Catalog events
 * belong to no order, and the product's own history records them.
 */
export async function noteHandling(
  runtime: ConsumerRuntime,
  event: ShopEvent,
  outcome: EventHandling["outcome"],
  detail?: string,
): Promise<void> {
  const orderId = orderIdOf(event);
  if (orderId === undefined) return;
  try {
    await runtime.eventLog.record({
      orderId,
      at: runtime.clock.now().toISOString(),
      consumer: runtime.name,
      eventId: event.eventId,
      eventType: event.eventType,
      outcome,
      ...(detail ? { detail: detail.slice(0, 500) } : {}),
    });
  } catch (error) {
    runtime.logger.warn("could not write the event log", {
      eventId: event.eventId,
      error: describe(error),
    });
  }
}

/** Runs the consumer on one event at most once per event id, within the invocation. */
function onceEach<T extends ShopEventType>(
  runtime: EventConsumerRuntime,
  consumer: EventConsumer<T>,
  context: Context,
) {
  const accepted = (event: ShopEvent): event is ShopEventOf<T> =>
    (consumer.accepts as readonly ShopEventType[]).includes(event.eventType);
  const config = new IdempotencyConfig({
    eventKeyJmesPath: "eventId",
    expiresAfterSeconds: DEDUPE_SECONDS,
  });
  config.registerLambdaContext(context);
  const deadline = Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS;
  // Events whose handler actually ran here; a repeat gets the stored result instead.
  const ranHere = new Set<string>();
  // The "processed" note of each event handled here, under way.
  const processedNotes = new Map<string, Promise<void>>();
  const note = (event: ShopEvent, outcome: EventHandling["outcome"], detail?: string) =>
    noteHandling(runtime, event, outcome, detail);
  const handleOnce = makeIdempotent(
    async (event: ShopEventOf<T>) => {
      ranHere.add(event.eventId);
      const alongside: Promise<unknown>[] = [];
      await consumer.handle(event, { deadline, alongside: (work) => alongside.push(work) });
      // The note, and what the handler left to run alongside, are written while Powertools
      // completes the event's record, not after it.
      processedNotes.set(
        event.eventId,
        Promise.all([note(event, "processed"), ...alongside]).then(() => undefined),
      );
      return { eventId: event.eventId };
    },
    { persistenceStore: runtime.idempotencyStore, config, keyPrefix: runtime.name },
  );
  // Another delivery holding the claim is most often busy with it right now and done in a
  // moment: then waiting briefly finds the event done (or the claim released) without
  // spending a receive of this message.
  const handleOnceWaitingOnClaims = async (event: ShopEventOf<T>) => {
    const waitUntil = Math.min(Date.now() + CLAIM_WAIT_MS, deadline - RECORD_BUDGET_MS);
    for (;;) {
      try {
        return await handleOnce(event);
      } catch (error) {
        const held = error instanceof IdempotencyAlreadyInProgressError;
        if (!held || Date.now() + CLAIM_POLL_MS > waitUntil) throw error;
        await sleep(CLAIM_POLL_MS);
      }
    }
  };
  const handleOne = async (event: ShopEvent, source: string): Promise<void> => {
    const logContext = {
      eventId: event.eventId,
      eventType: event.eventType,
      orderId: orderIdOf(event),
      productId: "productId" in event.data ? event.data.productId : undefined,
      source,
    };
    if (!accepted(event)) {
      // The subscription's filter keeps these out; one that arrives anyway is not ours.
      runtime.logger.info("event type not handled here; skipped", logContext);
      await note(event, "skipped");
      return;
    }
    // Work that cannot finish before the deadline is not started: the record is retried.
    if (Date.now() > deadline - RECORD_BUDGET_MS) throw new DeadlineError();
    try {
      await handleOnceWaitingOnClaims(event as ShopEventOf<T>);
    } catch (error) {
      if (error instanceof IdempotencyAlreadyInProgressError) {
        // Someone holds this event's claim: another delivery being handled right now, or an
        // attempt that gave up on a write DynamoDB then carried out late (a claim with no
        // one behind it). Dropping this copy would lose the event in the second case, so it
        // is retried: by the time it comes back (the visibility timeout, six function
        // timeouts) the claim has either completed, and the event is seen as done, or
        // expired, and the event is handled.
        runtime.logger.info("another delivery holds this event's claim; retried later", {
          ...logContext,
          claimExpiresAt: error.existingRecord?.inProgressExpiryTimestamp,
        });
        await note(event, "failed", "another delivery held its claim");
        throw error;
      }
      runtime.logger.error("event failed; it will be retried", {
        ...logContext,
        error: describe(error),
      });
      runtime.metrics.addMetric("EventsFailed", MetricUnit.Count, 1);
      await note(event, "failed", describe(error));
      throw error;
    }
    const firstTime = ranHere.has(event.eventId);
    runtime.logger.info(
      firstTime ? "event processed" : "event seen before; not processed again",
      logContext,
    );
    runtime.metrics.addMetric(
      firstTime ? "EventsProcessed" : "DuplicateEvents",
      MetricUnit.Count,
      1,
    );
    await (firstTime
      ? (processedNotes.get(event.eventId) ?? note(event, "processed"))
      : note(event, "duplicate"));
  };
  // Copies of one event in one invocation (a batch may hold two) share a single handling:
  // the copy succeeds or fails with the first, and never races it for the claim.
  const handling = new Map<string, Promise<void>>();
  return async (event: ShopEvent, source: string): Promise<void> => {
    const first = handling.get(event.eventId);
    if (first) {
      await first;
      runtime.logger.info("copy of an event in the same batch; handled once", {
        eventId: event.eventId,
        source,
      });
      runtime.metrics.addMetric("DuplicateEvents", MetricUnit.Count, 1);
      return;
    }
    const handled = inFlow(event, () => handleOne(event, source));
    handling.set(event.eventId, handled);
    await handled;
  };
}

/**
 * Runs the handling of one event within its flow: every line it logs carries the event's
 * correlation id and order, and its trace segment is annotated with them and the event type.
 */
function inFlow<T>(event: ShopEvent, work: () => Promise<T>): Promise<T> {
  const orderId = orderIdOf(event);
  return withLogKeys({ correlation_id: event.correlationId, orderId }, () =>
    tracedRecord(
      event.eventType,
      { orderId, eventType: event.eventType, correlationId: event.correlationId },
      work,
    ),
  );
}

/** An SQS-triggered Lambda handler that reports partial batch failures. */
export function sqsConsumerHandler<T extends ShopEventType>(
  runtime: EventConsumerRuntime,
  consumer: EventConsumer<T>,
) {
  return instrumented(
    runtime.name,
    runtime.logger,
    async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
      // A processor per invocation: locally one handler serves concurrent invocations.
      const processor = new BatchProcessor(EventType.SQS);
      const process = onceEach(runtime, consumer, context);
      const recordHandler = async (record: SQSRecord) => {
        let parsed: ShopEvent;
        try {
          parsed = parseEvent(record.body);
        } catch (error) {
          runtime.logger.error("poison record; it will land in the DLQ", {
            messageId: record.messageId,
            error: describe(error),
          });
          runtime.metrics.addMetric("PoisonRecords", MetricUnit.Count, 1);
          throw error;
        }
        await process(parsed, record.messageId);
      };
      try {
        return await processPartialResponse(event, recordHandler, processor, {
          context,
          throwOnFullBatchFailure: false,
        });
      } finally {
        publishMetrics(runtime);
      }
    },
  );
}

/**
 * A Lambda handler subscribed to the topic directly. SNS invokes it with one record; a
 * thrown error makes Lambda retry the invocation, and then send it to the DLQ.
 */
export function snsConsumerHandler<T extends ShopEventType>(
  runtime: EventConsumerRuntime,
  consumer: EventConsumer<T>,
) {
  return instrumented(
    runtime.name,
    runtime.logger,
    async (event: SNSEvent, context: Context): Promise<void> => {
      const process = onceEach(runtime, consumer, context);
      try {
        for (const record of event.Records) {
          await process(parseEvent(record.Sns.Message), record.Sns.MessageId);
        }
      } finally {
        publishMetrics(runtime);
      }
    },
  );
}

export function publishMetrics(runtime: ConsumerRuntime): void {
  if (!runtime.metricsDisabled) runtime.metrics.publishStoredMetrics();
}

export function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
