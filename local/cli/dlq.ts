/** `npm run dlq`: the dead-letter queues of the running local stack (`npm start`). */
import { SQSClient } from "@aws-sdk/client-sqs";
import { consumers } from "../../infra/topology";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../emulators/local-aws";
import { type EmulatorEndpoints, RESOURCE_PREFIX } from "../emulators/stack";
import { defineCommand, readCommandLine, refuse } from "./arguments";
import {
  type DeadLetterQueue,
  deadLetterQueues,
  peekDeadLetters,
  redriveDeadLetters,
  redriveStreamFailures,
  replayThroughStreamProcessor,
} from "./dead-letters";
import { runningStackEndpoints, runningStackEnvironment } from "./running-stack";

const DLQ = defineCommand({
  name: "npm run dlq",
  usage: `Usage: npm run dlq [-- redrive <name>|all]

The dead-letter queues of the local stack that npm start runs:

  npm run dlq                      list every DLQ and what waits in it, leaving it there
  npm run dlq -- redrive <name>    move a DLQ's messages back to the queue they came from, or
                                   hand the stream records set aside back to the stream processor
  npm run dlq -- redrive all       ... for every DLQ
  npm run dlq -- --help            print this

DLQs: ${deadLetterQueues()
    .map((q) => q.name)
    .join(", ")}`,
  options: {},
  words: true,
});

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
  const { positionals } = readCommandLine(DLQ);
  const all = deadLetterQueues();
  const [word, target, ...extra] = positionals;
  let chosen: DeadLetterQueue[] | undefined;
  if (word === "redrive") {
    if (target === undefined) refuse(DLQ, "name the DLQ to redrive, or all");
    chosen = target === "all" ? all : all.filter((q) => q.name === target);
    if (chosen.length === 0) refuse(DLQ, `no DLQ named ${target}`);
    if (extra[0] !== undefined) refuse(DLQ, `unexpected argument ${extra[0]}`);
  } else if (word !== undefined) {
    refuse(DLQ, `unknown command ${word}`);
  }

  const endpoints = runningStackEndpoints();
  if (!chosen) {
    for (const queue of all) {
      const letters = await peekDeadLetters(endpoints.snsSqs, RESOURCE_PREFIX, queue.name);
      console.log(
        `${queue.name} (${letters.length})${queue.source ? ` <- ${queue.source}` : ` - ${queue.note}`}`,
      );
      for (const letter of letters) {
        const what = letter.eventType
          ? `${letter.eventType} ${letter.eventId ?? ""} order ${letter.orderId ?? "?"}${letter.reason ? `: ${letter.reason}` : ""}`
          : `unreadable: ${letter.body.slice(0, 80)}`;
        // A record set aside by the stream processor was never received by a consumer.
        const received = queue.source ? `  received ${letter.receiveCount}x` : "";
        console.log(`  ${letter.messageId}${received}  ${what}`);
      }
    }
    return;
  }
  const sqs = new SQSClient({
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoint: endpoints.snsSqs,
  });
  try {
    for (const queue of chosen) await redrive(sqs, queue, endpoints);
  } finally {
    sqs.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(`npm run dlq: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
