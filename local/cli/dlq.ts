/**
 * The dead-letter queues of the running local stack (`npm start`):
 *
 *   npm run dlq                      list every DLQ and what waits in it
 *   npm run dlq -- redrive <name>    move a DLQ's messages back to its source queue, or hand
 *                                    the stream records set aside back to the stream processor
 *   npm run dlq -- redrive all       ... for every DLQ
 */
import { SQSClient } from "@aws-sdk/client-sqs";
import { consumers } from "../../infra/topology";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../emulators/local-aws";
import { type EmulatorEndpoints, RESOURCE_PREFIX } from "../emulators/stack";
import {
  type DeadLetterQueue,
  deadLetterQueues,
  peekDeadLetters,
  redriveDeadLetters,
  redriveStreamFailures,
  replayThroughStreamProcessor,
} from "./dead-letters";
import { runningStackEndpoints, runningStackEnvironment } from "./running-stack";

/** The stream processor of the running stack, built as `npm start` builds it. */
async function streamProcessorOf(endpoints: EmulatorEndpoints) {
  return replayThroughStreamProcessor(
    await runningStackEnvironment(consumers.streamProcessor, endpoints),
  );
}

async function redrive(sqs: SQSClient, queue: DeadLetterQueue, endpoints: EmulatorEndpoints) {
  if (queue.replaysTo === "streamProcessor") {
    const done = await redriveStreamFailures(
      sqs,
      RESOURCE_PREFIX,
      await streamProcessorOf(endpoints),
    );
    console.log(
      `${queue.name}: ${done.processed} record(s) back through the stream processor, ${done.failed} failed again${done.unreadable ? `, ${done.unreadable} without a record left as they are` : ""}`,
    );
    return;
  }
  console.log(
    `${queue.name}: ${await redriveDeadLetters(sqs, RESOURCE_PREFIX, queue)} message(s) back to ${queue.source}`,
  );
}

async function main() {
  const endpoints = runningStackEndpoints();
  const sqs = new SQSClient({
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoint: endpoints.snsSqs,
  });
  const [command, target] = process.argv.slice(2);
  const all = deadLetterQueues();
  try {
    if (command === "redrive") {
      const chosen = target === "all" ? all : all.filter((q) => q.name === target);
      if (chosen.length === 0)
        throw new Error(`name a DLQ (${all.map((q) => q.name).join(", ")}) or "all"`);
      for (const queue of chosen) await redrive(sqs, queue, endpoints);
      return;
    }
    for (const queue of all) {
      const letters = await peekDeadLetters(sqs, RESOURCE_PREFIX, queue.name);
      console.log(
        `${queue.name} (${letters.length})${queue.source ? ` <- ${queue.source}` : ` - ${queue.note}`}`,
      );
      for (const letter of letters) {
        const what = letter.eventType
          ? `${letter.eventType} ${letter.eventId ?? ""} order ${letter.orderId ?? "?"}${letter.reason ? `: ${letter.reason}` : ""}`
          : `unreadable: ${letter.body.slice(0, 80)}`;
        console.log(`  ${letter.messageId}  received ${letter.receiveCount}x  ${what}`);
      }
    }
  } finally {
    sqs.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(`npm run dlq: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
