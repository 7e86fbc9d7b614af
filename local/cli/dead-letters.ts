import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { consumers, failureQueues, queues } from "../../infra/topology";

/** A dead-letter queue of the topology, and the queue its messages came from. */
export interface DeadLetterQueue {
  readonly name: string;
  /** Where a redrive sends the messages back; undefined when they cannot go back. */
  readonly source?: string;
  readonly note?: string;
}

/** Every dead-letter queue of the local stack, with its source queue. */
export function deadLetterQueues(): DeadLetterQueue[] {
  const list: DeadLetterQueue[] = Object.values(queues).map((queue) => ({
    name: queue.deadLetter.logicalName,
    source: queue.logicalName,
  }));
  for (const [name, consumer] of Object.entries(consumers)) {
    if (consumer.source.kind === "sns") {
      list.push({
        name: failureQueues[consumer.source.deadLetter].logicalName,
        source: `${name}-subscription`,
      });
    }
  }
  list.push({
    name: failureQueues.streamFailures.logicalName,
    note: "describes stream batches that failed; fix the cause, the records stay in the table",
  });
  return list;
}

export interface DeadLetter {
  readonly messageId: string;
  readonly receiveCount: number;
  readonly eventType?: string;
  readonly eventId?: string;
  readonly orderId?: string;
  readonly body: string;
}

async function urlOf(sqs: SQSClient, prefix: string, name: string): Promise<string> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${prefix}${name}` }));
  if (!QueueUrl) throw new Error(`no queue ${prefix}${name}`);
  return QueueUrl;
}

/** What a message says about its event, whether it is the event itself or an SNS envelope. */
function describeBody(body: string): Pick<DeadLetter, "eventType" | "eventId" | "orderId"> {
  try {
    let parsed = JSON.parse(body) as Record<string, unknown>;
    if (parsed.Type === "Notification" && typeof parsed.Message === "string") {
      parsed = JSON.parse(parsed.Message) as Record<string, unknown>;
    }
    const data = parsed.data as Record<string, unknown> | undefined;
    return {
      ...(typeof parsed.eventType === "string" ? { eventType: parsed.eventType } : {}),
      ...(typeof parsed.eventId === "string" ? { eventId: parsed.eventId } : {}),
      ...(typeof data?.orderId === "string" ? { orderId: data.orderId } : {}),
    };
  } catch {
    return {};
  }
}

/** The messages waiting in a dead-letter queue, left where they are. */
export async function peekDeadLetters(
  sqs: SQSClient,
  prefix: string,
  name: string,
): Promise<DeadLetter[]> {
  const url = await urlOf(sqs, prefix, name);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages"],
    }),
  );
  const expected = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
  const seen = new Map<string, DeadLetter>();
  // Received with a short visibility timeout, so they are back in the queue right after.
  for (let round = 0; round < 20 && seen.size < expected; round++) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 2,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ["ApproximateReceiveCount"],
      }),
    );
    if (Messages.length === 0) break;
    for (const message of Messages) {
      const body = message.Body ?? "";
      seen.set(message.MessageId ?? "", {
        messageId: message.MessageId ?? "",
        receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
        body,
        ...describeBody(body),
      });
    }
  }
  return [...seen.values()];
}

/** Moves every message of a dead-letter queue back to its source queue; returns how many. */
export async function redriveDeadLetters(
  sqs: SQSClient,
  prefix: string,
  queue: DeadLetterQueue,
): Promise<number> {
  if (!queue.source)
    throw new Error(`${queue.name} cannot be redriven: ${queue.note ?? "no source queue"}`);
  const from = await urlOf(sqs, prefix, queue.name);
  const to = await urlOf(sqs, prefix, queue.source);
  let moved = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: from,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 30,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ["All"],
      }),
    );
    if (Messages.length === 0) return moved;
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: to,
        Entries: Messages.map((m, i) => ({
          Id: String(i),
          MessageBody: m.Body ?? "",
          ...(m.MessageAttributes ? { MessageAttributes: m.MessageAttributes } : {}),
        })),
      }),
    );
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: from,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
    moved += Messages.length;
  }
}
