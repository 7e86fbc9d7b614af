import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { afterAll, describe, expect, inject, it } from "vitest";
import { eventually } from "../../test/support/eventually";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../emulators/local-aws";
import type { LocalLogger } from "../process/console-logger";
import { type SqsPollerOptions, startSqsPoller, WAKE_UP_ATTRIBUTE } from "./sqs-poller";

const endpoint = inject("emulators").snsSqs;
const quiet: LocalLogger = { info: () => {}, warn: () => {}, error: () => {} };

/** An SQS client that counts its requests by command, and can hold back its sends. */
function client() {
  const sqs = new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint });
  const calls = new Map<string, number>();
  const held = { sendsMs: 0 };
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? "?";
      calls.set(command, (calls.get(command) ?? 0) + 1);
      if (command === "SendMessageCommand" && held.sendsMs > 0) await sleep(held.sendsMs);
      return next(args);
    },
    { step: "initialize", name: "countRequests" },
  );
  return { sqs, calls, held };
}

const clients: SQSClient[] = [];
afterAll(() => {
  for (const sqs of clients) sqs.destroy();
});

async function aQueue(sqs: SQSClient): Promise<{ url: string; arn: string }> {
  const { QueueUrl = "" } = await sqs.send(
    new CreateQueueCommand({
      QueueName: `poller-${randomUUID().slice(0, 8)}`,
      Attributes: { VisibilityTimeout: "30" },
    }),
  );
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  return { url: QueueUrl, arn: Attributes?.QueueArn ?? "" };
}

async function depth(sqs: SQSClient, url: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
  );
}

/** A poller whose handler records each record it is given, and when. */
function poller(
  sqs: SQSClient,
  queue: { url: string; arn: string },
  options: Partial<SqsPollerOptions> & { handleMs?: number } = {},
) {
  const received: { body: string; receiveCount: string; at: number }[] = [];
  let busy = 0;
  const started = startSqsPoller({
    name: "test",
    sqs,
    queueUrl: queue.url,
    queueArn: queue.arn,
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    timeoutSeconds: 10,
    concurrency: 2,
    logger: quiet,
    handler: async (event) => {
      busy++;
      received.push(
        ...event.Records.map((r: SQSRecord) => ({
          body: r.body,
          receiveCount: r.attributes.ApproximateReceiveCount,
          at: Date.now(),
        })),
      );
      if (options.handleMs) await sleep(options.handleMs);
      busy--;
      return { batchItemFailures: [] };
    },
    ...options,
  });
  return { ...started, received, busy: () => busy };
}

describe("the local SQS event source", () => {
  it("long-polls as Lambda's pollers do: an idle worker asks once per 20 s, and a message is handed over at once", async () => {
    const { sqs, calls } = client();
    clients.push(sqs);
    const queue = await aQueue(sqs);
    const idle = poller(sqs, queue, { concurrency: 3 });
    await sleep(3000);
    // One receive per worker, all still waiting (at 1 s a poll, this was 9 or more).
    expect(calls.get("ReceiveMessageCommand")).toBe(3);
    const sent = Date.now();
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: "hello" }));
    await eventually(
      async () => idle.received.length,
      (n) => n === 1,
      {
        timeoutMs: 1000,
        intervalMs: 10,
        what: "the message handled",
      },
    );
    expect((idle.received[0]?.at ?? 0) - sent).toBeLessThan(500);
    await idle.stop();
  });

  it("stops at once, leaving no long poll behind: the next poller of the queue gets the next message at once, received once", async () => {
    const { sqs } = client();
    clients.push(sqs);
    const queue = await aQueue(sqs);
    const first = poller(sqs, queue, { concurrency: 4 });
    await sleep(300);
    const stopping = Date.now();
    await first.stop();
    // Not the 20 s its workers' long polls would have lasted.
    expect(Date.now() - stopping).toBeLessThan(2000);

    // A long poll left waiting at the emulator would take this message into a closed
    // socket, or hand it on a receive later: hidden for the queue's 30 s either way.
    const next = poller(sqs, queue, { concurrency: 1 });
    await sleep(200);
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: "after" }));
    await eventually(
      async () => next.received.length,
      (n) => n === 1,
      {
        timeoutMs: 2000,
        intervalMs: 10,
        what: "the next poller handling the message",
      },
    );
    expect(next.received).toEqual([expect.objectContaining({ body: "after", receiveCount: "1" })]);
    await next.stop();
    expect(first.received).toEqual([]);
    // The wake-up the stop sent was taken by the stopping poller itself, and deleted.
    expect(await depth(sqs, queue.url)).toBe(0);
  });

  it("lets the invocation under way finish, and delete its batch, before the stop is over", async () => {
    const { sqs } = client();
    clients.push(sqs);
    const queue = await aQueue(sqs);
    const slow = poller(sqs, queue, { handleMs: 500 });
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: "slow" }));
    await eventually(
      async () => slow.busy(),
      (n) => n === 1,
      {
        timeoutMs: 2000,
        intervalMs: 10,
        what: "the invocation starting",
      },
    );
    await slow.stop();
    expect(slow.busy()).toBe(0);
    expect(await depth(sqs, queue.url)).toBe(0);
  });

  it("hands back a message its long poll brought after the stop: the next poller handles it within seconds, and never sees the wake-up", async () => {
    const own = client();
    const other = client();
    clients.push(own.sqs, other.sqs);
    const queue = await aQueue(own.sqs);
    const first = poller(own.sqs, queue, { concurrency: 1 });
    await sleep(300);
    // The stop's wake-up is held back, so the message sent meanwhile reaches the stopping
    // poller's long poll first.
    own.held.sendsMs = 300;
    const stopped = first.stop();
    await other.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: "late" }));
    await stopped;
    expect(first.received).toEqual([]);

    const next = poller(other.sqs, queue, { concurrency: 1 });
    await eventually(
      async () => next.received.length,
      (n) => n === 1,
      {
        timeoutMs: 3000,
        intervalMs: 10,
        what: "the message handed back",
      },
    );
    // Its second receive: the first was the stopped poller's, which gave it back.
    expect(next.received).toEqual([expect.objectContaining({ body: "late", receiveCount: "2" })]);
    await sleep(300);
    await next.stop();
    expect(next.received.map((r) => r.body)).toEqual(["late"]);
    // The late wake-up was deleted by the poller that received it.
    expect(await depth(other.sqs, queue.url)).toBe(0);
  });

  it("deletes a wake-up wherever it lands, unseen by the handler", async () => {
    const { sqs } = client();
    clients.push(sqs);
    const queue = await aQueue(sqs);
    const running = poller(sqs, queue);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: "wake-up",
        MessageAttributes: { [WAKE_UP_ATTRIBUTE]: { DataType: "String", StringValue: "1" } },
      }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: "real" }));
    await eventually(
      async () => running.received.length,
      (n) => n === 1,
      {
        timeoutMs: 2000,
        intervalMs: 10,
        what: "the real message handled",
      },
    );
    // Deleted by the poller: nothing is left in the queue, and nothing in flight.
    for (let tries = 0; (await depth(sqs, queue.url)) > 0; tries++) {
      if (tries > 100) throw new Error("the wake-up is still in the queue");
      await sleep(20);
    }
    await running.stop();
    expect(running.received.map((r) => r.body)).toEqual(["real"]);
  });
});
