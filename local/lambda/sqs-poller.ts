import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
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
  /** Long-poll wait; short enough that stopping is prompt. */
  readonly waitTimeSeconds?: number;
  readonly logger: Logger;
}

export interface Poller {
  stop(): Promise<void>;
}

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
 * Polls a queue the way Lambda's SQS event source mapping does: batches of up to
 * `batchSize` gathered for up to the batching window, at most `concurrency` invocations
 * at once, successful records deleted, failed ones (`batchItemFailures`, or all of them
 * when the handler throws) left for redelivery until the queue's redrive policy moves
 * them to the DLQ.
 */
export function startSqsPoller(options: SqsPollerOptions): Poller {
  let running = true;
  const wait = options.waitTimeSeconds ?? 1;

  async function receiveBatch(): Promise<Message[]> {
    const messages: Message[] = [];
    const windowEnds = Date.now() + options.maxBatchingWindowSeconds * 1000;
    do {
      const { Messages = [] } = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: Math.min(10, options.batchSize - messages.length),
          WaitTimeSeconds: messages.length === 0 ? wait : 0,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["All"],
        }),
      );
      messages.push(...Messages);
      if (Messages.length === 0 && messages.length > 0) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } while (
      running &&
      messages.length > 0 &&
      messages.length < options.batchSize &&
      Date.now() < windowEnds
    );
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
    if (succeeded.length > 0) {
      await options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: succeeded.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    const retried = messages.filter((m) => failed.has(m.MessageId ?? ""));
    if (retried.length > 0 && options.retryDelaySeconds !== undefined) {
      await options.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: retried.map((m, i) => ({
            Id: String(i),
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: options.retryDelaySeconds,
          })),
        }),
      );
    }
  }

  async function work(): Promise<void> {
    while (running) {
      try {
        const messages = await receiveBatch();
        if (messages.length > 0) await invoke(messages);
      } catch (error) {
        if (!running) return;
        options.logger.error("SQS poller error; retrying", {
          consumer: options.name,
          error: String(error),
        });
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  const workers = Array.from({ length: Math.max(1, options.concurrency) }, () => work());
  return {
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}
