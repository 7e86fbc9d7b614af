import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, type DynamoDBDocumentClient, paginateScan } from "@aws-sdk/lib-dynamodb";

/**
 * Before a consumer handles an event it claims it: a Powertools idempotency record IN
 * PROGRESS, which expires after the function's timeout. In the cloud the message of a
 * crashed invocation comes back only after the queue's visibility timeout (six function
 * timeouts), by when its claim has expired. Locally a restart hands the messages of a killed
 * run back at once, so the claims that run left are released with them: whoever holds one
 * is dead, since the data directory belongs to this run alone. Returns how many there were.
 */
export async function releaseAbandonedClaims(
  document: DynamoDBDocumentClient,
  idempotencyTable: string,
): Promise<number> {
  const inProgress = { "#status": "status" };
  let released = 0;
  const pages = paginateScan(
    { client: document },
    {
      TableName: idempotencyTable,
      FilterExpression: "#status = :inProgress",
      ExpressionAttributeNames: inProgress,
      ExpressionAttributeValues: { ":inProgress": "INPROGRESS" },
      ProjectionExpression: "id",
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      try {
        await document.send(
          new DeleteCommand({
            TableName: idempotencyTable,
            Key: { id: item.id },
            ConditionExpression: "#status = :inProgress",
            ExpressionAttributeNames: inProgress,
            ExpressionAttributeValues: { ":inProgress": "INPROGRESS" },
          }),
        );
        released++;
      } catch (error) {
        // Completed in the meantime: then it is no claim to release.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
  }
  return released;
}
