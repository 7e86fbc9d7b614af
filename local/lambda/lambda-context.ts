import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";

/** A Lambda context like the one the runtime passes, for handlers invoked in-process. */
export function createLambdaContext(functionName: string, timeoutMs = 30_000): Context {
  const startedAt = Date.now();
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: "1024",
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - startedAt)),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
