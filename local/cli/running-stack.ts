import type { FunctionSpec } from "../../infra/topology";
import { LOCAL_CREDENTIALS } from "../emulators/local-aws";
import {
  type EmulatorEndpoints,
  functionEnvironment,
  provisionShop,
  RESOURCE_PREFIX,
} from "../emulators/stack";

/** The emulators of the `npm start` running on this machine (DYNAMODB_PORT, SNS_SQS_PORT). */
export function runningStackEndpoints(): EmulatorEndpoints {
  return {
    snsSqs: `http://127.0.0.1:${process.env.SNS_SQS_PORT ?? 4566}`,
    dynamodb: `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? 8000}`,
  };
}

/**
 * A function's environment as `npm start` gives it, for a command that runs the function
 * in-process against the running stack (`npm run dlq`, `npm run catalog`).
 */
export async function runningStackEnvironment(
  spec: FunctionSpec,
  endpoints: EmulatorEndpoints = runningStackEndpoints(),
): Promise<Record<string, string | undefined>> {
  process.env.AWS_ACCESS_KEY_ID ??= LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY ??= LOCAL_CREDENTIALS.secretAccessKey;
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
  const { provisioned } = await provisionShop(endpoints, { prefix: RESOURCE_PREFIX, seed: false });
  return { ...process.env, ...functionEnvironment(spec, endpoints, provisioned) };
}
