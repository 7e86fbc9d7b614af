import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { assertJavaAvailable, reapOrphan } from "../emulators/dynamodb-local";
import { LOCAL_CREDENTIALS } from "../emulators/local-aws";
import { JWKS_PATH, localIssuer } from "../emulators/local-issuer";
import {
  type Emulators,
  provisionShop,
  RESOURCE_PREFIX,
  startEmulators,
  withLocalClients,
} from "../emulators/stack";
import { releaseAbandonedClaims } from "../lambda/abandoned-claims";
import { serveShop } from "../lambda/serve";
import { claimDataDir, releaseDataDir } from "../process/data-dir-lock";
import { watchForOrphaning } from "../process/orphan-watch";
import { LocalSetupError } from "../process/setup-error";
import { assertPortFree } from "../process/tcp-ports";
import { defineCommand, readCommandLine } from "./arguments";
import { runWatchedChild } from "./dev-child";

/** The customer the playground's token is for. */
const PLAYGROUND_CUSTOMER = "playground";

const START = defineCommand({
  name: process.env.npm_lifecycle_event === "dev" ? "npm run dev" : "npm start",
  usage: `Usage: npm start [-- --fresh]
       npm run dev [-- --fresh]

Runs the shop locally: DynamoDB Local, the SNS/SQS emulator, and the API on
http://127.0.0.1:$PORT (default 4000). Data persists in .data/ between runs.

  --fresh      delete .data/ first, and start from an empty shop with the sample catalog
  --watch      restart the API and the consumers on every source change, keeping the
               emulators and their data running (what npm run dev does)
  -h, --help   print this

Environment: PORT (4000), DYNAMODB_PORT (8000), SNS_SQS_PORT (4566), DATA_DIR (.data)`,
  options: {
    fresh: { type: "boolean", default: false },
    watch: { type: "boolean", default: false },
  },
});

async function main(): Promise<void> {
  // CloudWatch metrics (EMF lines) mean nothing on a laptop; POWERTOOLS_METRICS_DISABLED=false shows them.
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
  const { values } = readCommandLine(START);
  // Before anything is claimed, deleted or started: DynamoDB Local cannot run without it.
  assertJavaAvailable();
  const port = portFrom("PORT", 4000);
  const dynamodbPort = portFrom("DYNAMODB_PORT", 8000);
  const snsSqsPort = portFrom("SNS_SQS_PORT", 4566);
  const dataDir = resolve(process.env.DATA_DIR ?? ".data");

  // One runtime per data directory: two DynamoDB Locals on one file corrupt each other.
  claimDataDir(dataDir);
  const reaped = await reapOrphan(join(dataDir, "dynamodb"));
  if (reaped)
    console.log(
      `Stopped DynamoDB Local (pid ${reaped}), left running on ${dataDir} by an earlier run.`,
    );
  await assertPortFree(port, "the API", "PORT");
  if (values.fresh) {
    rmSync(dataDir, { recursive: true, force: true });
    claimDataDir(dataDir);
  }

  const stoppers: (() => Promise<void>)[] = [() => releaseDataDir(dataDir)];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (code === 0)
      console.log("Stopping: finishing requests and consumer batches, then the emulators.");
    for (const stopOne of stoppers.reverse()) {
      await stopOne().catch((error: unknown) => console.error(`while stopping: ${String(error)}`));
    }
    process.exit(code);
  };
  process.once("SIGINT", () => void stop(0));
  process.once("SIGTERM", () => void stop(0));
  // npm may die without passing its signal on (killed outright): once this process is
  // orphaned, it stops itself, and everything it started, cleanly.
  watchForOrphaning(() => void stop(0));

  try {
    const emulators: Emulators = await startEmulators({ dynamodbPort, snsSqsPort, dataDir });
    stoppers.push(() => emulators.stop());

    const shop = await provisionShop(emulators, { prefix: RESOURCE_PREFIX, seed: true });
    // What a run killed outright was still processing goes back to be processed now.
    const claims = await withLocalClients(emulators, (clients) =>
      releaseAbandonedClaims(clients.document, shop.provisioned.tableNames.consumerIdempotency),
    );
    if (emulators.releasedMessages + claims > 0) {
      console.log(
        `Handed back ${emulators.releasedMessages} messages and ${claims} event claims a stopped run was still processing.`,
      );
    }
    // The handlers' SDK clients take credentials from the environment, as in Lambda; the
    // emulators accept any.
    process.env.AWS_ACCESS_KEY_ID ??= LOCAL_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY ??= LOCAL_CREDENTIALS.secretAccessKey;

    const base = `http://127.0.0.1:${port}`;
    // The local issuer stands in for Cognito: its keys are served on the API's port, and
    // the playground opens with a customer's token.
    const issuer = await localIssuer({ dataDir });
    const options = {
      provisioned: shop.provisioned,
      endpoints: {
        dynamodb: emulators.dynamodb,
        snsSqs: emulators.snsSqs,
        jwks: `${base}${JWKS_PATH}`,
        websocketManagement: base,
      },
      port,
      dataDir,
      playgroundToken: await issuer.mint({ customer: PLAYGROUND_CUSTOMER }),
    };
    if (values.watch) {
      const child = runWatchedChild(options);
      // Stoppable while it starts: a Ctrl-C before it serves still stops it.
      stoppers.push(child.stop);
      await child.ready;
    } else {
      const served = await serveShop(options);
      stoppers.push(() => served.stop());
    }

    console.log(
      [
        "",
        "The shop is running locally.",
        `  GraphQL   ${base}/graphql`,
        `  Live      ws://127.0.0.1:${port}/graphql  (GraphQL subscriptions, graphql-transport-ws)`,
        `  REST      ${base}/products  ${base}/products/{id}  ${base}/orders`,
        `  Health    ${base}/health`,
        `  Tokens    npm run -s token -- --customer <id>   npm run -s token -- --admin   (local issuer, keys in ${dataDir}/issuer)`,
        `  DynamoDB  ${emulators.dynamodb}  (DynamoDB Local, data in ${dataDir}/dynamodb)`,
        `  SNS/SQS   ${emulators.snsSqs}  (fauxqs, data in ${dataDir}/sns-sqs)`,
        `  Topic     ${shop.provisioned.topicArn}`,
        "  Consumers fraud, inventory, email (SQS); analytics (SNS); stream-processor (orders stream)",
        `  Catalog   ${shop.seeded > 0 ? `${shop.seeded} sample products seeded` : "kept from the last run (npm start -- --fresh to reset)"}`,
        "Press Ctrl-C to stop.",
        "",
      ].join("\n"),
    );
  } catch (error) {
    console.error(
      `npm start: ${error instanceof LocalSetupError ? error.message : describe(error)}`,
    );
    await stop(1);
  }
}

function portFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new LocalSetupError(`${name} must be a port number from 1 to 65535, got "${raw}"`);
  }
  return port;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

main().catch((error: unknown) => {
  console.error(`npm start: ${error instanceof LocalSetupError ? error.message : describe(error)}`);
  process.exit(1);
});
