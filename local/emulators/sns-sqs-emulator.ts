import { mkdirSync } from "node:fs";
import { ChangeMessageVisibilityCommand, paginateListQueues, SQSClient } from "@aws-sdk/client-sqs";
import { startFauxqs } from "fauxqs";
import { assertPortFree } from "../process/tcp-ports";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "./local-aws";

export interface SnsSqsEmulator {
  readonly endpoint: string;
  /**
   * Messages a stopped run had received and not yet deleted, made visible again at start
   * (always 0 without a data directory).
   */
  readonly released: number;
  stop(): Promise<void>;
}

type Fauxqs = Awaited<ReturnType<typeof startFauxqs>>;

/**
 * Starts fauxqs in this process: the SNS and SQS wire protocols, filter policies and DLQ
 * redrive. With `dataDir`, topics, queues and messages persist there. Port 0 picks a free
 * port.
 */
export async function startSnsSqsEmulator(options: {
  port: number;
  dataDir?: string;
}): Promise<SnsSqsEmulator> {
  if (options.port !== 0) await assertPortFree(options.port, "SNS/SQS emulator", "SNS_SQS_PORT");
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const server = await startFauxqs({
    port: options.port,
    host: "localhost",
    logger: false,
    defaultRegion: LOCAL_REGION,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  try {
    const released = options.dataDir ? await releaseInFlight(server) : 0;
    return { endpoint: server.address, released, stop: () => server.stop() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * A run killed outright leaves the messages its consumers were processing in flight, and SQS
 * keeps them hidden for the queue's visibility timeout (three minutes for fraud) before
 * anyone may try again. The run starting now is the only consumer of this data (the data
 * directory is locked), so nobody else holds them: they are made visible at once, through
 * the SQS API, exactly as a consumer giving a message back would.
 */
async function releaseInFlight(server: Fauxqs): Promise<number> {
  const sqs = new SQSClient({
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoint: server.address,
    maxAttempts: 1,
  });
  try {
    let released = 0;
    for await (const page of paginateListQueues({ client: sqs }, {})) {
      for (const queueUrl of page.QueueUrls ?? []) {
        const name = queueUrl.slice(queueUrl.lastIndexOf("/") + 1);
        const inflight = server.inspectQueue(name)?.messages.inflight ?? [];
        for (const { receiptHandle, visibilityDeadline } of inflight) {
          // One whose timeout has passed is visible already, whatever the listing says.
          if (visibilityDeadline <= Date.now()) continue;
          await sqs.send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: queueUrl,
              ReceiptHandle: receiptHandle,
              // Visible in a second. (0 would be at once, but fauxqs 2.4.1 fails to store a
              // message made visible with 0 when it persists: NOT NULL on its receive count.)
              VisibilityTimeout: 1,
            }),
          );
          released++;
        }
      }
    }
    return released;
  } finally {
    sqs.destroy();
  }
}
