import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import * as z from "zod";
import { consumers, failureQueues, queues } from "../../infra/topology";
import { buildFunction } from "../lambda/functions";
import { createLambdaContext } from "../lambda/lambda-context";

/** A dead-letter queue of the topology, and where its messages go back to. */
export interface DeadLetterQueue {
  readonly name: string;
  /** The queue a redrive sends the messages back to. */
  readonly source?: string;
  /** The function a redrive hands the records back to, when they are records, not messages. */
  readonly replaysTo?: "streamProcessor";
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
    replaysTo: "streamProcessor",
    note: "stream records the stream processor set aside; a redrive hands them back to it",
  });
  return list;
}

export interface DeadLetter {
  readonly messageId: string;
  /** How many times its consumer received it before it was moved here (0 if put here directly). */
  readonly receiveCount: number;
  readonly eventType?: string;
  readonly eventId?: string;
  readonly orderId?: string;
  /** Why a stream record was set aside. */
  readonly reason?: string;
  readonly body: string;
}

async function urlOf(sqs: SQSClient, prefix: string, name: string): Promise<string> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${prefix}${name}` }));
  if (!QueueUrl) throw new Error(`no queue ${prefix}${name}`);
  return QueueUrl;
}

/** What a message says about its event, whether it is the event itself or an SNS envelope. */
function describeBody(
  body: string,
): Pick<DeadLetter, "eventType" | "eventId" | "orderId" | "reason"> {
  const record = setAsideRecordOf(body);
  if (record) {
    const orderId = record.dynamodb?.Keys?.orderId?.S;
    const reason = (JSON.parse(body) as { requestContext?: { reason?: string } }).requestContext
      ?.reason;
    return {
      eventType: `stream ${record.eventName ?? "record"}`,
      ...(orderId ? { orderId } : {}),
      ...(reason ? { reason } : {}),
    };
  }
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

const InspectedMessage = z.object({
  messageId: z.string(),
  body: z.string(),
  approximateReceiveCount: z.number(),
});

/** A queue as the SNS/SQS emulator's inspection endpoint shows it. */
const InspectedQueue = z.object({
  attributes: z.record(z.string(), z.string()),
  messages: z.object({
    ready: z.array(InspectedMessage),
    inflight: z.array(z.object({ message: InspectedMessage })),
    delayed: z.array(InspectedMessage),
  }),
});

/**
 * A queue and every message in it, through the inspection endpoint of fauxqs (the local SNS/SQS
 * emulator), which reads them without receiving them. SQS itself has no way to look without
 * receiving: a received message is hidden until its visibility timeout passes, and each
 * receive adds to its receive count, so a listing through ReceiveMessage would hide what it
 * lists from a redrive and inflate the counts it shows.
 */
async function inspectQueue(
  endpoint: string,
  queueName: string,
): Promise<z.infer<typeof InspectedQueue>> {
  const url = `${endpoint}/_fauxqs/queues/${encodeURIComponent(queueName)}`;
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(
      `the local stack's SNS/SQS emulator does not answer at ${endpoint} (${error instanceof Error ? error.message : String(error)}): start it with npm start`,
    );
  }
  if (response.status === 404) throw new Error(`no queue ${queueName} at ${endpoint}`);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return InspectedQueue.parse(await response.json());
}

/** How many receives a queue's consumer gets before its redrive policy moves a message on. */
function maxReceiveCountOf(queue: z.infer<typeof InspectedQueue>): number | undefined {
  const policy = queue.attributes.RedrivePolicy;
  if (!policy) return undefined;
  const { maxReceiveCount } = JSON.parse(policy) as { maxReceiveCount?: number | string };
  return maxReceiveCount === undefined ? undefined : Number(maxReceiveCount);
}

/**
 * The messages in a dead-letter queue, waiting or being handled (by a redrive under way),
 * read without being received: listing them changes nothing, so a listing shows the same
 * messages and counts each time, and a redrive right after it finds them all.
 */
export async function peekDeadLetters(
  endpoint: string,
  prefix: string,
  name: string,
): Promise<DeadLetter[]> {
  const queue = await inspectQueue(endpoint, `${prefix}${name}`);
  const source = deadLetterQueues().find((q) => q.name === name)?.source;
  // fauxqs counts the receive that moves a message to its DLQ, which no consumer got: after
  // three receives, a message arrives with a count of four. The source's redrive policy says
  // how many its consumer had.
  const receives = source
    ? maxReceiveCountOf(await inspectQueue(endpoint, `${prefix}${source}`))
    : undefined;
  const { ready, inflight, delayed } = queue.messages;
  return [...ready, ...inflight.map((entry) => entry.message), ...delayed].map((message) => ({
    messageId: message.messageId,
    receiveCount:
      receives === undefined
        ? message.approximateReceiveCount
        : Math.min(message.approximateReceiveCount, receives),
    body: message.body,
    ...describeBody(message.body),
  }));
}

/** Moves every message of a dead-letter queue back to its source queue; returns how many. */
export async function redriveDeadLetters(
  sqs: SQSClient,
  prefix: string,
  queue: DeadLetterQueue,
): Promise<number> {
  if (!queue.source)
    throw new Error(`${queue.name} has no source queue to redrive to: ${queue.note ?? ""}`);
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

/** What a redrive of set-aside stream records did. */
export interface StreamRedrive {
  /** Records the stream processor took back (set aside again, they return with a new message). */
  readonly processed: number;
  /** Records it failed on again, left in the queue for the next try. */
  readonly failed: number;
  /** Messages that carry no record (a batch description), left where they are. */
  readonly unreadable: number;
}

/**
 * Hands each record set aside on the stream failures queue back to the stream processor
 * (`replay` invokes it with that one record, as its stream would, and says whether it was
 * processed), deleting the message of each one processed. Only the messages there at the
 * start are replayed, each once.
 */
export async function redriveStreamFailures(
  sqs: SQSClient,
  prefix: string,
  replay: (record: DynamoDBRecord) => Promise<boolean>,
): Promise<StreamRedrive> {
  const url = await urlOf(sqs, prefix, failureQueues.streamFailures.logicalName);
  // Take them all out of sight first, so a record set aside again is not replayed twice.
  const taken: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 300,
        WaitTimeSeconds: 0,
      }),
    );
    if (Messages.length === 0) break;
    taken.push(...Messages);
  }
  let processed = 0;
  let failed = 0;
  let unreadable = 0;
  for (const message of taken) {
    const record = setAsideRecordOf(message.Body ?? "");
    const done = record ? await replay(record) : false;
    if (!record) unreadable++;
    else if (done) processed++;
    else failed++;
    if (done) {
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }),
      );
    } else {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 1,
        }),
      );
    }
  }
  return { processed, failed, unreadable };
}

function setAsideRecordOf(body: string): DynamoDBRecord | undefined {
  try {
    const parsed = JSON.parse(body) as { record?: DynamoDBRecord };
    return parsed.record?.dynamodb ? parsed.record : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The stream processor with this environment, as a replay for `redriveStreamFailures`:
 * invoked with one record, as its stream would, and processed unless it reports it failed.
 */
export async function replayThroughStreamProcessor(
  env: Readonly<Record<string, string | undefined>>,
): Promise<(record: DynamoDBRecord) => Promise<boolean>> {
  const spec = consumers.streamProcessor;
  const handler = await buildFunction<DynamoDBStreamEvent, DynamoDBBatchResponse>(spec, env);
  return async (record) => {
    const response = await handler(
      { Records: [record] },
      createLambdaContext("streamProcessor", spec.timeoutSeconds * 1000),
    );
    return (response?.batchItemFailures ?? []).length === 0;
  };
}
