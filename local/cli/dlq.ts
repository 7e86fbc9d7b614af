/**
 * The dead-letter queues of the running local stack (`npm start`):
 *
 *   npm run dlq                      list every DLQ and what waits in it
 *   npm run dlq -- redrive <name>    move a DLQ's messages back to its source queue
 *   npm run dlq -- redrive all       ... for every DLQ that has a source queue
 */
import { SQSClient } from "@aws-sdk/client-sqs";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../emulators/local-aws";
import { RESOURCE_PREFIX } from "../emulators/stack";
import { deadLetterQueues, peekDeadLetters, redriveDeadLetters } from "./dead-letters";

async function main() {
  const endpoint =
    process.env.AWS_ENDPOINT_URL_SQS ?? `http://127.0.0.1:${process.env.SNS_SQS_PORT ?? 4566}`;
  const sqs = new SQSClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint });
  const [command, target] = process.argv.slice(2);
  const all = deadLetterQueues();
  try {
    if (command === "redrive") {
      const chosen =
        target === "all" ? all.filter((q) => q.source) : all.filter((q) => q.name === target);
      if (chosen.length === 0)
        throw new Error(`name a DLQ (${all.map((q) => q.name).join(", ")}) or "all"`);
      for (const queue of chosen) {
        console.log(
          `${queue.name}: ${await redriveDeadLetters(sqs, RESOURCE_PREFIX, queue)} message(s) back to ${queue.source}`,
        );
      }
      return;
    }
    for (const queue of all) {
      const letters = await peekDeadLetters(sqs, RESOURCE_PREFIX, queue.name);
      console.log(
        `${queue.name} (${letters.length})${queue.source ? ` <- ${queue.source}` : ` - ${queue.note}`}`,
      );
      for (const letter of letters) {
        const what = letter.eventType
          ? `${letter.eventType} ${letter.eventId ?? ""} order ${letter.orderId ?? "?"}`
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
