import { setTimeout as sleep } from "node:timers/promises";
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { LOCAL_REGION } from "../emulators/local-aws";
import type { LocalLogger as Logger } from "../process/console-logger";
import { createLambdaContext } from "./lambda-context";

export interface SqsPollerOptions {
  readonly name: string;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly timeoutSeconds: number;
  /** Concurrent invocations at most: the consumer's reserved concurrency. */
  readonly concurrency: number;
  /**
   * Seconds before a failed record is visible again. Lambda leaves it invisible for the
   * queue's whole visibility timeout (minutes); locally that only slows retries down, so
   * the pollers shorten it. Undefined keeps the queue's timeout.
   */
  readonly retryDelaySeconds?: number;
  /** Long-poll wait: 20 s, the longest SQS allows, as Lambda's pollers wait, unless set. */
  readonly waitTimeSeconds?: number;
  readonly logger: Logger;
}

export interface Poller {
  stop(): Promise<void>;
}

/** How long Lambda's SQS pollers long-poll, and the longest SQS allows. */
const LONG_POLL_SECONDS = 20;

/**
 * The attribute that marks the message a stopping poller sends its queue to end its own long
 * polls at once. Every poller deletes such a message wherever it lands, and no handler sees it.
 */
export const WAKE_UP_ATTRIBUTE = "local-poller-wake-up";

/**
 * How long a message received after a stop stays hidden before it is visible again: as soon
 * as the emulator allows when its data persists (fauxqs 2.4.1 fails to store a message made
 * visible with 0: NOT NULL on its receive count).
 */
const HAND_BACK_SECONDS = 1;

/** Between two wake-ups, while a stopping poller still has a long poll waiting. */
const WAKE_UP_EVERY_MS = 1000;

const isWakeUp = (message: Message) => message.MessageAttributes?.[WAKE_UP_ATTRIBUTE] !== undefined;

/** The SQS record Lambda builds from a received message. */
export function toSqsRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? "",
    receiptHandle: message.ReceiptHandle ?? "",
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? "1",
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? "",
      ApproximateFirstReceiveTimestamp:
        attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          dataType: value.DataType ?? "String",
          ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
          stringListValues: value.StringListValues ?? [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: LOCAL_REGION,
  };
}

/**
 * Polls a queue the way Lambda's SQS event source mapping does: `concurrency` workers, each
 * long-polling (20 s) for a batch of up to `batchSize` gathered for up to the batching window
 * and invoking the handler with it, successful records deleted, failed ones
 * (`batchItemFailures`, or all of them when the handler throws) left for redelivery until the
 * queue's redrive policy moves them to the DLQ.
 *
 * `stop()` starts no new poll, lets every invocation under way finish, and ends the workers'
 * long polls at once rather than in up to 20 s. Aborting them would not do: the emulator
 * keeps a long poll whose connection was dropped until its wait is over and may hand it the
 * next message, which then stays hidden in a closed socket for the queue's visibility timeout
 * (minutes), from the next poller of the queue (`npm run dev`'s next run, a test's next
 * consumer). So the poller sends its queue a wake-up message: the emulator answers every long
 * poll waiting on the queue, one of them with the wake-up, which is deleted. A message a long
 * poll brings after the stop is handed back, visible again a second later.
 */
export function startSqsPoller(options: SqsPollerOptions): Poller {
  let running = true;
  const stopping = new AbortController();
  const wait = options.waitTimeSeconds ?? LONG_POLL_SECONDS;
  /** Workers with a long poll under way (those a wake-up ends). */
  let longPolls = 0;

  async function receive(maxMessages: number, waitTimeSeconds: number): Promise<Message[]> {
    const { Messages = [] } = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: maxMessages,
        WaitTimeSeconds: waitTimeSeconds,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
      }),
    );
    return Messages;
  }

  /** The messages without the wake-ups among them, which are deleted. */
  async function withoutWakeUps(messages: Message[]): Promise<Message[]> {
    const wakeUps = messages.filter(isWakeUp);
    if (wakeUps.length === 0) return messages;
    // One not deleted now is received, and deleted, again after its visibility timeout.
    await deleteMessages(wakeUps).catch(() => {});
    return messages.filter((m) => !isWakeUp(m));
  }

  async function deleteMessages(messages: readonly Message[]): Promise<void> {
    await options.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }

  async function changeVisibility(messages: readonly Message[], seconds: number): Promise<void> {
    await options.sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: messages.map((m, i) => ({
          Id: String(i),
          ReceiptHandle: m.ReceiptHandle,
          VisibilityTimeout: seconds,
        })),
      }),
    );
  }

  /** The rest of a batch whose first messages came: up to the batch size, within the window. */
  async function fillBatch(first: Message[]): Promise<Message[]> {
    const messages = [...first];
    const windowEnds = Date.now() + options.maxBatchingWindowSeconds * 1000;
    while (running && messages.length < options.batchSize && Date.now() < windowEnds) {
      const more = await withoutWakeUps(
        await receive(Math.min(10, options.batchSize - messages.length), 0),
      );
      messages.push(...more);
      if (more.length === 0) await sleep(50);
    }
    return messages;
  }

  async function invoke(messages: Message[]): Promise<void> {
    const event: SQSEvent = { Records: messages.map((m) => toSqsRecord(m, options.queueArn)) };
    let failed: Set<string>;
    try {
      const response = await options.handler(
        event,
        createLambdaContext(options.name, options.timeoutSeconds * 1000),
      );
      failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (error) {
      options.logger.error("consumer invocation failed; the whole batch will be retried", {
        consumer: options.name,
        error: String(error),
      });
      failed = new Set(messages.map((m) => m.MessageId ?? ""));
    }
    const succeeded = messages.filter((m) => !failed.has(m.MessageId ?? ""));
    if (succeeded.length > 0) await deleteMessages(succeeded);
    const retried = messages.filter((m) => failed.has(m.MessageId ?? ""));
    if (retried.length > 0 && options.retryDelaySeconds !== undefined) {
      await changeVisibility(retried, options.retryDelaySeconds);
    }
  }

  async function work(): Promise<void> {
    while (running) {
      try {
        let received: Message[];
        longPolls++;
        try {
          received = await receive(Math.min(10, options.batchSize), wait);
        } finally {
          longPolls--;
        }
        const first = await withoutWakeUps(received);
        if (first.length === 0) continue;
        if (!running) {
          await handBack(first);
          return;
        }
        await invoke(await fillBatch(first));
      } catch (error) {
        if (!running) return;
        options.logger.error("SQS poller error; retrying", {
          consumer: options.name,
          error: String(error),
        });
        await sleep(500, undefined, { signal: stopping.signal }).catch(() => {});
      }
    }
  }

  /** Messages a long poll brought after the stop: visible again for whoever polls next. */
  async function handBack(messages: Message[]): Promise<void> {
    try {
      await changeVisibility(messages, HAND_BACK_SECONDS);
    } catch (error) {
      // They come back anyway once the queue's visibility timeout is over.
      options.logger.warn("could not hand back messages received while stopping", {
        consumer: options.name,
        error: String(error),
      });
    }
  }

  async function wakeUp(): Promise<void> {
    try {
      await options.sqs.send(
        new SendMessageCommand({
          QueueUrl: options.queueUrl,
          MessageBody: "wake-up",
          MessageAttributes: { [WAKE_UP_ATTRIBUTE]: { DataType: "String", StringValue: "1" } },
        }),
      );
    } catch {
      // An emulator that cannot take it has ended the long polls itself, or will with an error.
    }
  }

  const workers = Array.from({ length: Math.max(1, options.concurrency) }, () => work());
  return {
    async stop() {
      running = false;
      stopping.abort();
      let ended = false;
      const all = Promise.all(workers).then(() => {
        ended = true;
      });
      // One wake-up ends every long poll waiting; another follows only if one began after
      // it had been taken (a request still on its way), so none is left behind. One that
      // finds no long poll waiting (the last one was answered just then) stays in the queue
      // until a poller receives it, and deletes it.
      while (!ended) {
        if (longPolls > 0) await wakeUp();
        await Promise.race([all, sleep(WAKE_UP_EVERY_MS, undefined, { ref: false })]);
      }
    },
  };
}
