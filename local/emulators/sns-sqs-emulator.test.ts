import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "./local-aws";
import { startSnsSqsEmulator } from "./sns-sqs-emulator";

const dataDir = mkdtempSync(join(tmpdir(), "shop-sns-sqs-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const client = (endpoint: string) =>
  new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint });

describe("the SNS/SQS emulator with a data directory", () => {
  it("hands back at start the messages a stopped run had received and not deleted", async () => {
    const first = await startSnsSqsEmulator({ port: 0, dataDir });
    let sqs = client(first.endpoint);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "work" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "in flight" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "waiting" }));
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 300 }),
    );
    expect(received.Messages?.map((m) => m.Body)).toEqual(["in flight"]);
    sqs.destroy();
    await first.stop();

    const second = await startSnsSqsEmulator({ port: 0, dataDir });
    expect(second.released).toBe(1);
    sqs = client(second.endpoint);
    const url = QueueUrl?.replace(new URL(first.endpoint).port, new URL(second.endpoint).port);
    const bodies: string[] = [];
    const deadline = Date.now() + 5000;
    while (bodies.length < 2 && Date.now() < deadline) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      bodies.push(...Messages.map((m) => m.Body ?? ""));
    }
    // Both within seconds, not the one in flight only after its 300 s.
    expect(bodies.sort()).toEqual(["in flight", "waiting"]);
    sqs.destroy();
    await second.stop();
  });
});
