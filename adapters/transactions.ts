import { setTimeout as sleep } from "node:timers/promises";
import { type CancellationReason, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { ContentionError } from "../core/shared/errors";

export type TransactItems = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]
>;

/**
 * Transactions on a popular product conflict with each other; DynamoDB cancels the loser
 * with `TransactionConflict` and expects the caller to retry. The budget is generous
 * because a flash sale is exactly when giving up would hurt.
 */
const MAX_ATTEMPTS = 25;
const BACKOFF_BASE_MS = 5;
const BACKOFF_CAP_MS = 250;

/**
 * Runs a transaction, trying again while it only conflicts with concurrent writers
 * (`TransactionConflict`: DynamoDB's "try again"). Returns "written", or the cancellation
 * reasons when a condition failed: a decision for the caller, not something to retry.
 */
export async function transactWrite(
  client: DynamoDBDocumentClient,
  items: TransactItems,
  what: string,
): Promise<"written" | readonly CancellationReason[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items }));
      return "written";
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (reasons.some((r) => r.Code === "ConditionalCheckFailed")) return reasons;
      if (!reasons.some((r) => r.Code === "TransactionConflict")) throw error;
      if (attempt >= MAX_ATTEMPTS) {
        throw new ContentionError(`${what} lost ${attempt} transaction conflicts in a row`, {
          cause: error,
        });
      }
      await sleep(Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
    }
  }
}
