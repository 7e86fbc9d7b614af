import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { eventually } from "../../test/support/eventually";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../emulators/local-aws";
import type { LocalLogger } from "../process/console-logger";
import {
  IDLE_POLL_INTERVAL_MS,
  type StreamPollerOptions,
  startStreamPoller,
} from "./stream-poller";

const endpoints = inject("emulators");
const base = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
const dynamodb = new DynamoDBClient({ ...base, endpoint: endpoints.dynamodb });
const sqs = new SQSClient({ ...base, endpoint: endpoints.snsSqs });
const quiet: LocalLogger = { info: () => {}, warn: () => {}, error: () => {} };
let failures = "";

beforeAll(async () => {
  const { QueueUrl = "" } = await sqs.send(
    new CreateQueueCommand({ QueueName: `stream-failures-${randomUUID().slice(0, 8)}` }),
  );
  failures = QueueUrl;
});
afterAll(() => {
  dynamodb.destroy();
  sqs.destroy();
});

async function aTableWithAStream(): Promise<string> {
  const name = `stream-${randomUUID().slice(0, 8)}`;
  await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    }),
  );
  return name;
}

const write = (table: string, pk: string) =>
  dynamodb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk } } }));

/** A poller on the table whose streams client counts its requests, and what it delivered when. */
function poller(table: string, options: Partial<StreamPollerOptions> = {}) {
  const streams = new DynamoDBStreamsClient({ ...base, endpoint: endpoints.dynamodb });
  const calls = new Map<string, number>();
  streams.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? "?";
      calls.set(command, (calls.get(command) ?? 0) + 1);
      return next(args);
    },
    { step: "initialize", name: "countRequests" },
  );
  const delivered = new Map<string, number>();
  const started = startStreamPoller({
    name: "test",
    tableName: table,
    dynamodb,
    streams,
    sqs,
    batchSize: 100,
    timeoutSeconds: 10,
    startingPosition: "TRIM_HORIZON",
    bisectBatchOnError: false,
    maxRetryAttempts: -1,
    maxRecordAgeSeconds: -1,
    onFailureQueueUrl: failures,
    logger: quiet,
    handler: async (event) => {
      for (const record of event.Records) {
        const pk = record.dynamodb?.Keys?.pk?.S;
        if (pk) delivered.set(pk, Date.now());
      }
      return { batchItemFailures: [] };
    },
    ...options,
  });
  return {
    delivered,
    calls,
    async stop() {
      await started.stop();
      streams.destroy();
    },
  };
}

describe("the local DynamoDB stream event source", () => {
  it("reads an idle shard less and less often, at most once a second, and lists the shards rarely", async () => {
    const table = await aTableWithAStream();
    await write(table, "first");
    const reader = poller(table);
    await eventually(async () => reader.delivered.has("first"), Boolean, {
      timeoutMs: 3000,
      intervalMs: 10,
      what: "the first record",
    });
    // By now the waits have grown to the idle interval.
    await sleep(2000);
    const reads = reader.calls.get("GetRecordsCommand") ?? 0;
    const listings = reader.calls.get("DescribeStreamCommand") ?? 0;
    await sleep(4000);
    // Four seconds idle: about four reads (at a fixed 200 ms, twenty), and no listing.
    expect((reader.calls.get("GetRecordsCommand") ?? 0) - reads).toBeLessThanOrEqual(
      4000 / IDLE_POLL_INTERVAL_MS + 1,
    );
    expect((reader.calls.get("DescribeStreamCommand") ?? 0) - listings).toBe(0);
    await reader.stop();
  });

  it("reads at once again after records: the next change is seen well within the idle interval", async () => {
    const table = await aTableWithAStream();
    const reader = poller(table, { idlePollIntervalMs: 3000 });
    await sleep(1500);
    await write(table, "after-idle");
    await eventually(async () => reader.delivered.has("after-idle"), Boolean, {
      timeoutMs: 4000,
      intervalMs: 10,
      what: "the record after idling",
    });
    // An order's next change comes tens of milliseconds after the last one.
    await sleep(30);
    const written = Date.now();
    await write(table, "next");
    await eventually(async () => reader.delivered.has("next"), Boolean, {
      timeoutMs: 4000,
      intervalMs: 10,
      what: "the next record",
    });
    expect((reader.delivered.get("next") ?? 0) - written).toBeLessThan(1000);
    await reader.stop();
  });

  it("stops at once while it waits on an idle shard", async () => {
    const table = await aTableWithAStream();
    const reader = poller(table, { idlePollIntervalMs: 10_000 });
    await sleep(2000);
    const stopping = Date.now();
    await reader.stop();
    expect(Date.now() - stopping).toBeLessThan(500);
  });
});
