import type { TestProject } from "vitest/node";
import { type EmulatorEndpoints, startEmulators } from "../../local/emulators/stack";

declare module "vitest" {
  export interface ProvidedContext {
    emulators: EmulatorEndpoints;
  }
}

/**
 * One DynamoDB Local and one SNS/SQS emulator for the whole run, in memory and on free
 * ports. Each test file provisions its own tables, topic and queues under a unique
 * prefix, so files run in parallel without seeing each other's data.
 */
export default async function setup(project: TestProject) {
  const emulators = await startEmulators({ dynamodbPort: 0, snsSqsPort: 0 });
  project.provide("emulators", { dynamodb: emulators.dynamodb, snsSqs: emulators.snsSqs });
  return () => emulators.stop();
}
