import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  SetSubscriptionAttributesCommand,
  type SNSClient,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import {
  type ConsumerName,
  consumers,
  type FailureQueueName,
  failureQueues,
  filterPolicyFor,
  type QueueName,
  type QueueSpec,
  queueSubscriptions,
  queues,
  type TableName,
  type TableSpec,
  tables,
  topic,
} from "../../infra/topology";

export interface LocalClients {
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
}

export interface ProvisionedQueue {
  readonly url: string;
  readonly arn: string;
  readonly deadLetterUrl: string;
}

export interface Provisioned {
  readonly tableNames: Record<TableName, string>;
  readonly topicArn: string;
  readonly queues: Record<QueueName, ProvisionedQueue>;
  readonly failureQueues: Record<FailureQueueName, { readonly url: string; readonly arn: string }>;
  /**
   * For each consumer subscribed to the topic directly: the private queue that stands in
   * for the subscription locally (same filter, SNS envelope kept, redrive to the DLQ).
   */
  readonly directSubscriptions: Partial<Record<ConsumerName, ProvisionedQueue>>;
}

/**
 * Creates every table, the topic, every queue with its DLQ and every subscription that
 * `infra/topology.ts` declares, with `prefix` before each name. Safe to run again: what
 * exists is kept, and queue and subscription attributes are brought up to date.
 */
export async function provisionTopology(
  clients: LocalClients,
  prefix: string,
): Promise<Provisioned> {
  const tableNames = {} as Record<TableName, string>;
  for (const [name, spec] of Object.entries(tables) as [TableName, TableSpec][]) {
    tableNames[name] = await ensureTable(clients.dynamodb, `${prefix}${spec.logicalName}`, spec);
  }

  const { TopicArn } = await clients.sns.send(
    new CreateTopicCommand({ Name: `${prefix}${topic.logicalName}` }),
  );
  if (!TopicArn) throw new Error("CreateTopic returned no ARN");

  const provisionedQueues = {} as Record<QueueName, ProvisionedQueue>;
  for (const [name, spec] of Object.entries(queues) as [QueueName, QueueSpec][]) {
    provisionedQueues[name] = await ensureQueue(clients.sqs, prefix, spec);
  }

  for (const subscription of queueSubscriptions) {
    await ensureSubscription(clients.sns, TopicArn, provisionedQueues[subscription.queue].arn, {
      FilterPolicy: JSON.stringify(filterPolicyFor(subscription.eventTypes)),
      RawMessageDelivery: String(subscription.rawMessageDelivery),
    });
  }

  const provisionedFailureQueues = {} as Provisioned["failureQueues"];
  for (const [name, spec] of Object.entries(failureQueues) as [
    FailureQueueName,
    { logicalName: string },
  ][]) {
    const url = await createOrUpdateQueue(clients.sqs, `${prefix}${spec.logicalName}`, {
      MessageRetentionPeriod: String(14 * 24 * 60 * 60),
    });
    provisionedFailureQueues[name] = { url, arn: await queueArn(clients.sqs, url) };
  }

  const directSubscriptions: Provisioned["directSubscriptions"] = {};
  for (const [name, consumer] of Object.entries(consumers) as [
    ConsumerName,
    (typeof consumers)[ConsumerName],
  ][]) {
    if (consumer.source.kind !== "sns") continue;
    const deadLetter = provisionedFailureQueues[consumer.source.deadLetter];
    const url = await createOrUpdateQueue(clients.sqs, `${prefix}${name}-subscription`, {
      VisibilityTimeout: String(consumer.timeoutSeconds),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: deadLetter.arn,
        maxReceiveCount: consumer.source.maxReceiveCount,
      }),
    });
    const arn = await queueArn(clients.sqs, url);
    await ensureSubscription(clients.sns, TopicArn, arn, {
      FilterPolicy: JSON.stringify(filterPolicyFor(consumer.source.eventTypes)),
      // Kept as the SNS envelope, which is what a Lambda subscriber receives.
      RawMessageDelivery: "false",
    });
    directSubscriptions[name] = { url, arn, deadLetterUrl: deadLetter.url };
  }

  return {
    tableNames,
    topicArn: TopicArn,
    queues: provisionedQueues,
    failureQueues: provisionedFailureQueues,
    directSubscriptions,
  };
}

/** An index's projection as DynamoDB takes it. */
function projectionOf(index: NonNullable<TableSpec["globalSecondaryIndexes"]>[number]) {
  return {
    ProjectionType: index.projection ?? "ALL",
    ...(index.nonKeyAttributes ? { NonKeyAttributes: [...index.nonKeyAttributes] } : {}),
  };
}

async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  spec: TableSpec,
): Promise<string> {
  const keys = new Map<string, AttributeDefinition>();
  const addKey = (key: { name: string; type: "S" | "N" }) =>
    keys.set(key.name, { AttributeName: key.name, AttributeType: key.type });
  addKey(spec.partitionKey);
  if (spec.sortKey) addKey(spec.sortKey);
  for (const index of spec.globalSecondaryIndexes ?? []) {
    addKey(index.partitionKey);
    addKey(index.sortKey);
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [...keys.values()],
        KeySchema: [
          { AttributeName: spec.partitionKey.name, KeyType: "HASH" },
          ...(spec.sortKey
            ? [{ AttributeName: spec.sortKey.name, KeyType: "RANGE" as const }]
            : []),
        ],
        ...(spec.globalSecondaryIndexes?.length
          ? {
              GlobalSecondaryIndexes: spec.globalSecondaryIndexes.map((index) => ({
                IndexName: index.indexName,
                KeySchema: [
                  { AttributeName: index.partitionKey.name, KeyType: "HASH" as const },
                  { AttributeName: index.sortKey.name, KeyType: "RANGE" as const },
                ],
                Projection: projectionOf(index),
              })),
            }
          : {}),
        ...(spec.stream
          ? { StreamSpecification: { StreamEnabled: true, StreamViewType: spec.stream } }
          : {}),
      }),
    );
    if (spec.timeToLiveAttribute) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: spec.timeToLiveAttribute, Enabled: true },
        }),
      );
    }
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    await addMissingIndexes(client, tableName, spec);
  }
  return tableName;
}

/**
 * Indexes the topology declares that a table kept from an earlier run does not have yet,
 * added in place (one at a time, as DynamoDB allows), so existing local data keeps working.
 */
async function addMissingIndexes(client: DynamoDBClient, tableName: string, spec: TableSpec) {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  for (const index of spec.globalSecondaryIndexes ?? []) {
    if (existing.has(index.indexName)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [index.partitionKey, index.sortKey].map((key) => ({
          AttributeName: key.name,
          AttributeType: key.type,
        })),
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: index.indexName,
              KeySchema: [
                { AttributeName: index.partitionKey.name, KeyType: "HASH" },
                { AttributeName: index.sortKey.name, KeyType: "RANGE" },
              ],
              Projection: projectionOf(index),
            },
          },
        ],
      }),
    );
  }
}

async function ensureQueue(
  client: SQSClient,
  prefix: string,
  spec: QueueSpec,
): Promise<ProvisionedQueue> {
  const deadLetterUrl = await createOrUpdateQueue(
    client,
    `${prefix}${spec.deadLetter.logicalName}`,
    {
      // Keep failed messages for the longest SQS allows, so they can be inspected and redriven.
      MessageRetentionPeriod: String(14 * 24 * 60 * 60),
    },
  );
  const deadLetterArn = await queueArn(client, deadLetterUrl);
  const url = await createOrUpdateQueue(client, `${prefix}${spec.logicalName}`, {
    VisibilityTimeout: String(spec.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: deadLetterArn,
      maxReceiveCount: spec.deadLetter.maxReceiveCount,
    }),
  });
  return { url, arn: await queueArn(client, url), deadLetterUrl };
}

async function createOrUpdateQueue(
  client: SQSClient,
  queueName: string,
  attributes: Record<string, string>,
): Promise<string> {
  try {
    const { QueueUrl } = await client.send(
      new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }),
    );
    if (QueueUrl) return QueueUrl;
  } catch (error) {
    // The queue exists with other attributes (the topology changed): update it in place.
    if (!(error instanceof Error) || !/QueueNameExists|QueueAlreadyExists/.test(error.name))
      throw error;
  }
  const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: queueName }));
  if (!QueueUrl) throw new Error(`queue ${queueName} has no URL`);
  await client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
  return QueueUrl;
}

async function queueArn(client: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${queueUrl} has no ARN`);
  return arn;
}

async function ensureSubscription(
  client: SNSClient,
  topicArn: string,
  endpoint: string,
  attributes: Record<string, string>,
): Promise<void> {
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: nextToken }),
    );
    const existing = page.Subscriptions?.find(
      (s) => s.Endpoint === endpoint && s.Protocol === "sqs",
    );
    if (existing?.SubscriptionArn) {
      for (const [AttributeName, AttributeValue] of Object.entries(attributes)) {
        await client.send(
          new SetSubscriptionAttributesCommand({
            SubscriptionArn: existing.SubscriptionArn,
            AttributeName,
            AttributeValue,
          }),
        );
      }
      return;
    }
    nextToken = page.NextToken;
  } while (nextToken);
  await client.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: "sqs",
      Endpoint: endpoint,
      Attributes: attributes,
    }),
  );
}
