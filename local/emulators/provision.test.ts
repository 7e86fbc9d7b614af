import { DescribeTableCommand, DescribeTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
} from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ordersTable } from "../../adapters/table-definitions";
import { consumers, queueSubscriptions, queues, tables } from "../../infra/topology";
import { createTestShop, type TestShop } from "../../test/support/test-shop";
import { provisionTopology } from "./provision";
import { seedCatalogIfEmpty } from "./seed";

let shop: TestShop;

beforeAll(async () => {
  shop = await createTestShop({ catalog: "sample" });
});
afterAll(() => shop.destroy());

describe("provisioning from the topology", () => {
  it("creates each table with its keys, indexes, stream and TTL", async () => {
    const orders = await shop.local.dynamodb.send(
      new DescribeTableCommand({ TableName: shop.provisioned.tableNames.orders }),
    );
    expect(orders.Table?.KeySchema).toEqual([{ AttributeName: "orderId", KeyType: "HASH" }]);
    expect(orders.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(
      ordersTable.globalSecondaryIndexes.map((i) => i.indexName).sort(),
    );
    expect(orders.Table?.StreamSpecification).toEqual({
      StreamEnabled: true,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    });
    const ttl = await shop.local.dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: shop.provisioned.tableNames.idempotency }),
    );
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe(tables.idempotency.timeToLiveAttribute);
  });

  it("gives every queue a dead-letter queue after three receives", async () => {
    for (const name of Object.keys(queues) as (keyof typeof queues)[]) {
      const { Attributes } = await shop.local.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: shop.provisioned.queues[name].url,
          AttributeNames: ["All"],
        }),
      );
      expect(JSON.parse(Attributes?.RedrivePolicy ?? "{}")).toMatchObject({ maxReceiveCount: 3 });
      expect(Number(Attributes?.VisibilityTimeout)).toBe(queues[name].visibilityTimeoutSeconds);
    }
  });

  it("subscribes each queue with the topology's filter policy and raw delivery", async () => {
    const { Subscriptions = [] } = await shop.local.sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: shop.provisioned.topicArn }),
    );
    for (const spec of queueSubscriptions) {
      const subscription = Subscriptions.find(
        (s) => s.Endpoint === shop.provisioned.queues[spec.queue].arn,
      );
      const { Attributes } = await shop.local.sns.send(
        new GetSubscriptionAttributesCommand({ SubscriptionArn: subscription?.SubscriptionArn }),
      );
      expect(JSON.parse(Attributes?.FilterPolicy ?? "{}")).toEqual({
        event_type: [...spec.eventTypes],
      });
      expect(Attributes?.RawMessageDelivery).toBe("true");
    }
  });

  it("can run again without creating anything twice", async () => {
    const again = await provisionTopology(shop.local, shop.prefix);
    expect(again).toEqual(shop.provisioned);
    const { Subscriptions = [] } = await shop.local.sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: shop.provisioned.topicArn }),
    );
    const direct = Object.values(consumers).filter((c) => c.source.kind === "sns").length;
    expect(Subscriptions).toHaveLength(queueSubscriptions.length + direct);
  });

  it("seeds the 50 sample products once, and never over a catalog that has data", async () => {
    const { Items = [] } = await shop.local.document.send(
      new ScanCommand({ TableName: shop.provisioned.tableNames.products }),
    );
    expect(Items.map((p) => p.productId).sort()).toEqual(
      Array.from({ length: 50 }, (_, i) => `prod-${String(i + 1).padStart(4, "0")}`),
    );
    for (const item of Items) {
      expect(item).toMatchObject({
        name: expect.any(String),
        category: expect.any(String),
        brand: expect.any(String),
        description: expect.any(String),
        priceCents: expect.any(Number),
        stock: expect.any(Number),
      });
    }
    expect(
      await seedCatalogIfEmpty(shop.local.document, shop.provisioned.tableNames.products),
    ).toBe(0);
  });
});
