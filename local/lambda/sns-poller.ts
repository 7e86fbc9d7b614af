import type { Context, SNSEvent, SNSMessage } from "aws-lambda";
import { type SqsPollerOptions, startSqsPoller } from "./sqs-poller";

export interface SnsPollerOptions
  extends Omit<SqsPollerOptions, "handler" | "batchSize" | "maxBatchingWindowSeconds"> {
  readonly handler: (event: SNSEvent, context: Context) => Promise<unknown>;
  readonly subscriptionArn: string;
}

/**
 * Delivers a direct SNS subscription locally. The runtime subscribes a private queue with
 * the same filter policy (keeping the SNS envelope); this poller hands each message to the
 * handler as the one-record `SNSEvent` Lambda would receive. A failed invocation is
 * retried, and after the queue's `maxReceiveCount` lands in the subscription's DLQ, as
 * Lambda's asynchronous retries and on-failure DLQ would have it.
 */
export function startSnsPoller(options: SnsPollerOptions) {
  return startSqsPoller({
    ...options,
    batchSize: 1,
    maxBatchingWindowSeconds: 0,
    handler: async (event, context) => {
      const failures: { itemIdentifier: string }[] = [];
      for (const record of event.Records) {
        const sns = JSON.parse(record.body) as SNSMessage & {
          MessageAttributes?: Record<string, { Type: string; Value: string }>;
        };
        const snsEvent: SNSEvent = {
          Records: [
            {
              EventVersion: "1.0",
              EventSource: "aws:sns",
              EventSubscriptionArn: options.subscriptionArn,
              Sns: { ...sns, MessageAttributes: sns.MessageAttributes ?? {} },
            },
          ],
        };
        try {
          await options.handler(snsEvent, context);
        } catch (error) {
          options.logger.error("subscriber invocation failed; it will be retried", {
            consumer: options.name,
            messageId: sns.MessageId,
            error: String(error),
          });
          failures.push({ itemIdentifier: record.messageId });
        }
      }
      return { batchItemFailures: failures };
    },
  });
}
