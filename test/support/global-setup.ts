import type { JWK } from "jose";
import type { TestProject } from "vitest/node";
import { localIssuer, serveJwks } from "../../local/emulators/local-issuer";
import { type EmulatorEndpoints, startEmulators } from "../../local/emulators/stack";

declare module "vitest" {
  export interface ProvidedContext {
    emulators: EmulatorEndpoints;
    /** The test run's token issuer: its signing key, for tests to mint tokens with. */
    issuerKey: JWK;
  }
}

/**
 * One DynamoDB Local, one SNS/SQS emulator and one local token issuer (its JWKS on a free
 * port) for the whole run, in memory. Each test file provisions its own tables, topic and
 * queues under a unique prefix, so files run in parallel without seeing each other's data.
 */
export default async function setup(project: TestProject) {
  const emulators = await startEmulators({ dynamodbPort: 0, snsSqsPort: 0 });
  const issuer = await localIssuer();
  const jwks = await serveJwks(issuer);
  project.provide("emulators", {
    dynamodb: emulators.dynamodb,
    snsSqs: emulators.snsSqs,
    jwks: jwks.url,
  });
  project.provide("issuerKey", issuer.privateJwk);
  return async () => {
    jwks.server.close();
    await emulators.stop();
  };
}
