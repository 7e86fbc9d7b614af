import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Validations } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { CachePolicy, OriginRequestPolicy } from "aws-cdk-lib/aws-cloudfront";
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { RESOURCE_ENV } from "../adapters/table-definitions";
import { CATALOG_MAX_AGE_SECONDS } from "../api/rest-routes";
import { API_ROUTES } from "../api/route-table";
import { createShopApp } from "./shop-app";
import { ShopStack } from "./shop-stack";
import {
  apiFunction,
  CATALOG_LOADER_OUTPUTS,
  type ConsumerName,
  catalogLoaderFunction,
  consumers,
  type FunctionSpec,
  queueSubscriptions,
  queues,
  resourceEnvironment,
  SCALE,
  type TableName,
  tables,
  websocketFunction,
} from "./topology";

/** Assertions read the template; bundling each function is tested separately. */
const SKIP_BUNDLING = { "aws:cdk:bundling-stacks": [] };

let template: Template;
let resources: Record<
  string,
  { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string }
>;

beforeAll(() => {
  const app = new App({ context: SKIP_BUNDLING });
  template = Template.fromStack(new ShopStack(app, "Shop"));
  resources = template.toJSON().Resources;
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const logicalIdOf = (prefix: string, type: string) => {
  const found = ofType(type).find(([id]) => id.startsWith(prefix));
  if (!found) throw new Error(`no ${type} named ${prefix}*`);
  return found[0];
};

/** The Lambda function of a topology entry, found by its Powertools service name. */
function functionFor(serviceName: string) {
  const found = ofType("AWS::Lambda::Function").find(
    ([, r]) =>
      (r.Properties.Environment as { Variables: Record<string, string> }).Variables
        .POWERTOOLS_SERVICE_NAME === serviceName,
  );
  if (!found) throw new Error(`no function for ${serviceName}`);
  return { id: found[0], properties: found[1].Properties };
}

const allFunctions: [string, FunctionSpec][] = [
  ["shop-api", apiFunction],
  ["shop-websocket", websocketFunction],
  ...Object.entries(consumers).map(
    ([name, spec]) => [`shop-${name}`, spec] as [string, FunctionSpec],
  ),
];

describe("the API", () => {
  it("routes /graphql, the REST routes and /health to the api function", () => {
    const httpApi = ofType("AWS::ApiGatewayV2::Api").find(
      ([, a]) => a.Properties.ProtocolType === "HTTP",
    )?.[0];
    const routeKeys = ofType("AWS::ApiGatewayV2::Route")
      .filter(([, r]) => (r.Properties.ApiId as { Ref?: string }).Ref === httpApi)
      .map(([, r]) => r.Properties.RouteKey);
    expect(routeKeys.sort()).toEqual(
      API_ROUTES.map((route) => `${route.method} ${route.path}`).sort(),
    );
    const api = functionFor("shop-api").id;
    template.hasResourceProperties("AWS::ApiGatewayV2::Integration", {
      IntegrationType: "AWS_PROXY",
      PayloadFormatVersion: "2.0",
      IntegrationUri: { "Fn::GetAtt": [api, "Arn"] },
    });
  });

  it("answers CORS as the old API did: any origin, the client's headers", () => {
    template.hasResourceProperties("AWS::ApiGatewayV2::Api", {
      ProtocolType: "HTTP",
      CorsConfiguration: {
        AllowOrigins: ["*"],
        AllowMethods: Match.arrayWith(["GET", "POST", "OPTIONS"]),
        AllowHeaders: Match.arrayWith(["Content-Type", "Idempotency-Key"]),
      },
    });
  });

  it("logs every request as JSON and throttles by default", () => {
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"requestId"'),
      },
      // Sized for the target order rate (SCALE); per caller, the firewall limits.
      DefaultRouteSettings: {
        ThrottlingRateLimit: SCALE.limits.apiRequestsPerSecond,
        ThrottlingBurstLimit: SCALE.limits.apiBurst,
      },
    });
  });
});

describe("who may call", () => {
  it("keeps customers and admins in a Cognito user pool with an admin group and one app client", () => {
    template.hasResourceProperties("AWS::Cognito::UserPool", {
      UsernameAttributes: ["email"],
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true }) },
      UserPoolAddOns: { AdvancedSecurityMode: "ENFORCED" },
    });
    template.hasResourceProperties("AWS::Cognito::UserPoolGroup", { GroupName: "admin" });
    template.hasResourceProperties("AWS::Cognito::UserPoolClient", { GenerateSecret: false });
  });

  it("tells the api function the pool's issuer, its client and its keys", () => {
    const variables = (
      functionFor("shop-api").properties.Environment as { Variables: Record<string, unknown> }
    ).Variables;
    const pool = logicalIdOf("IdentityUsers", "AWS::Cognito::UserPool");
    // The pool's provider URL is https://cognito-idp.<region>.amazonaws.com/<pool id>.
    expect(variables.AUTH_ISSUER).toEqual({ "Fn::GetAtt": [pool, "ProviderURL"] });
    expect(JSON.stringify(variables.AUTH_JWKS_URL)).toContain("/.well-known/jwks.json");
    expect(variables.AUTH_AUDIENCE).toEqual({
      Ref: logicalIdOf("IdentityUsersStorefront", "AWS::Cognito::UserPoolClient"),
    });
    expect(variables.LEGACY_OPEN_REST).toBe("false");
  });

  it("puts the JWT authorizer on the routes that serve only callers, and on no other", () => {
    const authorizer = logicalIdOf("HttpApiCallers", "AWS::ApiGatewayV2::Authorizer");
    template.hasResourceProperties("AWS::ApiGatewayV2::Authorizer", {
      AuthorizerType: "JWT",
      IdentitySource: ["$request.header.Authorization"],
    });
    for (const route of API_ROUTES) {
      const [, found] = ofType("AWS::ApiGatewayV2::Route").find(
        ([, r]) => r.Properties.RouteKey === `${route.method} ${route.path}`,
      ) ?? ["", undefined];
      const guarded = route.audience === "callers";
      expect(found?.Properties.AuthorizationType, route.path).toBe(guarded ? "JWT" : "NONE");
      if (guarded) expect(found?.Properties.AuthorizerId).toEqual({ Ref: authorizer });
    }
  });

  it("reopens the old REST contract only with -c legacyOpenRest=true", () => {
    const { stack } = createShopApp({ context: { ...SKIP_BUNDLING, legacyOpenRest: "true" } });
    const legacy = Template.fromStack(stack).toJSON().Resources as typeof resources;
    const types = Object.values(legacy)
      .filter((r) => r.Type === "AWS::ApiGatewayV2::Route")
      .map((r) => r.Properties.AuthorizationType);
    expect(new Set(types)).toEqual(new Set(["NONE"]));
    Template.fromStack(stack).hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ LEGACY_OPEN_REST: "true" }) },
    });
  });

  it("reserves the api function's concurrency, so a flood cannot starve the consumers", () => {
    expect(functionFor("shop-api").properties.ReservedConcurrentExecutions).toBe(
      apiFunction.reservedConcurrency,
    );
  });
});

describe("the firewall", () => {
  it("puts CloudFront before the API, with a web ACL: a rate limit per IP and AWS's common rules", () => {
    template.hasResourceProperties("AWS::WAFv2::WebACL", {
      Scope: "CLOUDFRONT",
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: "RatePerIp",
          Statement: { RateBasedStatement: Match.objectLike({ AggregateKeyType: "IP" }) },
          Action: {
            Block: Match.objectLike({ CustomResponse: Match.objectLike({ ResponseCode: 429 }) }),
          },
        }),
        Match.objectLike({
          Statement: {
            ManagedRuleGroupStatement: { VendorName: "AWS", Name: "AWSManagedRulesCommonRuleSet" },
          },
        }),
      ]),
    });
    const webAcl = logicalIdOf("FirewallWebAcl", "AWS::WAFv2::WebACL");
    template.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        WebACLId: { "Fn::GetAtt": [webAcl, "Arn"] },
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: "https-only",
          AllowedMethods: Match.arrayWith(["GET", "OPTIONS", "POST"]),
        }),
        Logging: Match.anyValue(),
      }),
    });
  });

  it("keeps the web ACL in a us-east-1 stack of its own when the shop is deployed elsewhere", () => {
    const { stack, firewall } = createShopApp(
      { context: SKIP_BUNDLING },
      { env: { account: "123456789012", region: "eu-west-1" } },
    );
    expect(firewall?.region).toBe("us-east-1");
    Template.fromStack(firewall as NonNullable<typeof firewall>).resourceCountIs(
      "AWS::WAFv2::WebACL",
      1,
    );
    const shop = Template.fromStack(stack);
    shop.resourceCountIs("AWS::WAFv2::WebACL", 0);
    shop.resourceCountIs("AWS::CloudFront::Distribution", 1);
  });
});

describe("the edge cache", () => {
  interface Behavior {
    PathPattern?: string;
    CachePolicyId: unknown;
    OriginRequestPolicyId?: unknown;
    AllowedMethods: string[];
    CachedMethods?: string[];
    Compress?: boolean;
  }
  function distribution() {
    const [, found] = ofType("AWS::CloudFront::Distribution")[0] ?? [];
    if (!found) throw new Error("no distribution");
    return found.Properties.DistributionConfig as {
      DefaultCacheBehavior: Behavior;
      CacheBehaviors?: Behavior[];
    };
  }
  function catalogPolicy() {
    const id = logicalIdOf("CatalogCache", "AWS::CloudFront::CachePolicy");
    const config = resources[id]?.Properties.CachePolicyConfig as {
      MinTTL: number;
      DefaultTTL: number;
      MaxTTL: number;
      ParametersInCacheKeyAndForwardedToOrigin: {
        QueryStringsConfig: { QueryStringBehavior: string; QueryStrings?: string[] };
        HeadersConfig: { HeaderBehavior: string; Headers?: string[] };
        CookiesConfig: { CookieBehavior: string };
        EnableAcceptEncodingGzip: boolean;
      };
    };
    return { id, config };
  }

  it("caches /products and /products/* with the catalog's policy, and nothing else", () => {
    const { DefaultCacheBehavior, CacheBehaviors = [] } = distribution();
    expect(DefaultCacheBehavior.CachePolicyId).toBe(CachePolicy.CACHING_DISABLED.cachePolicyId);
    expect(CacheBehaviors.map((b) => b.PathPattern).sort()).toEqual(["/products", "/products/*"]);
    const { id } = catalogPolicy();
    for (const behavior of CacheBehaviors) {
      expect(behavior.CachePolicyId).toEqual({ Ref: id });
      expect(behavior.CachedMethods ?? ["GET", "HEAD"]).toEqual(["GET", "HEAD"]);
      // Other verbs still reach API Gateway, which answers 404 as it does without the edge.
      expect(behavior.AllowedMethods).toEqual(DefaultCacheBehavior.AllowedMethods);
      expect(behavior.Compress).toBe(true);
    }
  });

  it("keys on category, cursor and limit only, forwards no Authorization, and keeps what the API says", () => {
    const { config } = catalogPolicy();
    const key = config.ParametersInCacheKeyAndForwardedToOrigin;
    expect(key.QueryStringsConfig.QueryStringBehavior).toBe("whitelist");
    expect([...(key.QueryStringsConfig.QueryStrings ?? [])].sort()).toEqual([
      "category",
      "cursor",
      "limit",
    ]);
    // Origin only: API Gateway's CORS headers depend on it.
    expect(key.HeadersConfig).toEqual({ HeaderBehavior: "whitelist", Headers: ["Origin"] });
    expect(key.CookiesConfig.CookieBehavior).toBe("none");
    expect(key.EnableAcceptEncodingGzip).toBe(true);
    // The origin request adds only what CORS preflight needs; none of it is Authorization.
    for (const behavior of distribution().CacheBehaviors ?? []) {
      expect(behavior.OriginRequestPolicyId).toBe(
        OriginRequestPolicy.CORS_CUSTOM_ORIGIN.originRequestPolicyId,
      );
    }
    // An answer without cache-control is not kept; one with it is kept as long as it says.
    expect(config.MinTTL).toBe(0);
    expect(config.DefaultTTL).toBe(0);
    expect(config.MaxTTL).toBeGreaterThanOrEqual(3 * CATALOG_MAX_AGE_SECONDS);
  });
});

describe("the playground", () => {
  it("is off by default, and with -c playground=on is served with its assets beside the bundle", () => {
    const api = functionFor("shop-api").properties.Environment as {
      Variables: Record<string, string>;
    };
    expect(api.Variables.PLAYGROUND).toBe("off");
    const { stack } = createShopApp({ context: { ...SKIP_BUNDLING, playground: "on" } });
    const withPlayground = Template.fromStack(stack);
    withPlayground.hasResourceProperties("AWS::ApiGatewayV2::Route", {
      RouteKey: "GET /graphql/assets/{file}",
    });
    withPlayground.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: "shop-api",
          PLAYGROUND: "on",
          // Its subscriptions go to the stack's WebSocket API.
          PLAYGROUND_LIVE_URL: {
            "Fn::Join": ["", Match.arrayWith([Match.stringLikeRegexp("^wss://")])],
          },
        }),
      },
    });
  });
});

describe("the functions", () => {
  it("are Node.js 22 on arm64, traced by Powertools Tracer, with the Powertools environment and a month of JSON logs", () => {
    for (const [serviceName] of allFunctions) {
      const { properties } = functionFor(serviceName);
      expect(properties).toMatchObject({
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
        Handler: "index.handler",
        TracingConfig: { Mode: "Active" },
        LoggingConfig: { LogFormat: "JSON" },
        Environment: {
          Variables: expect.objectContaining({
            POWERTOOLS_SERVICE_NAME: serviceName,
            POWERTOOLS_METRICS_NAMESPACE: "Shop",
            POWERTOOLS_TRACE_ENABLED: "true",
            POWERTOOLS_TRACER_CAPTURE_RESPONSE: "false",
            POWERTOOLS_TRACER_CAPTURE_ERROR: "true",
            POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS: "true",
            SHOP_ENVIRONMENT: "production",
            NODE_OPTIONS: "--enable-source-maps",
          }),
        },
      });
    }
    const retentions = ofType("AWS::Logs::LogGroup").map(([, r]) => r.Properties.RetentionInDays);
    expect(retentions.filter((days) => days === 30)).toHaveLength(allFunctions.length);
  });

  it("take memory, timeout and reserved concurrency from the topology", () => {
    for (const [serviceName, spec] of allFunctions) {
      const { properties } = functionFor(serviceName);
      expect(properties.MemorySize, serviceName).toBe(spec.memoryMb);
      expect(properties.Timeout, serviceName).toBe(spec.timeoutSeconds);
      expect(properties.ReservedConcurrentExecutions, serviceName).toBe(spec.reservedConcurrency);
    }
    // Not the old system's 128 MB / 5 s trap.
    const api = functionFor("shop-api").properties;
    expect(api.MemorySize).toBeGreaterThanOrEqual(1024);
    expect(api.Timeout).toBeGreaterThan(5);
  });

  it("are told exactly the resources their access in the topology names, and no others", () => {
    const resourceVariables = new Set<string>(Object.values(RESOURCE_ENV));
    for (const [serviceName, spec] of allFunctions) {
      const variables = (
        functionFor(serviceName).properties.Environment as { Variables: Record<string, unknown> }
      ).Variables;
      const told = Object.keys(variables).filter((name) => resourceVariables.has(name));
      const expected = Object.keys(
        resourceEnvironment(spec.access, {
          tables: Object.fromEntries(Object.keys(tables).map((t) => [t, t])) as Record<
            TableName,
            string
          >,
          topicArn: "topic",
          identity: { issuer: "issuer", audience: "audience", jwksUrl: "jwks" },
          websocketManagementUrl: "https://websocket",
          failureQueueUrls: { analyticsDeadLetter: "dlq", streamFailures: "failures" },
        }),
      );
      expect(told.sort(), serviceName).toEqual(expected.sort());
    }
    const email = (
      functionFor("shop-email").properties.Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(email.MAILER).toBe("ses");
    expect(
      (functionFor("shop-fraud").properties.Environment as { Variables: Record<string, unknown> })
        .Variables.MAILER,
    ).toBeUndefined();
  });
});

describe("the data", () => {
  it("keeps every table on demand, encrypted, with point-in-time recovery", () => {
    const all = ofType("AWS::DynamoDB::Table");
    expect(all).toHaveLength(Object.keys(tables).length);
    for (const [, table] of all) {
      expect(table.Properties).toMatchObject({
        BillingMode: "PAY_PER_REQUEST",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      });
    }
  });

  it("streams the orders table with both images and indexes orders by customer", () => {
    template.hasResourceProperties("AWS::DynamoDB::Table", {
      KeySchema: [{ AttributeName: "orderId", KeyType: "HASH" }],
      StreamSpecification: { StreamViewType: "NEW_AND_OLD_IMAGES" },
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({
          IndexName: "byCustomer",
          KeySchema: [
            { AttributeName: "customerId", KeyType: "HASH" },
            { AttributeName: "createdAt", KeyType: "RANGE" },
          ],
        }),
      ]),
    });
    // The reconciler's sparse indexes hold keys only.
    for (const index of ["byOwed", "byPending"]) {
      template.hasResourceProperties("AWS::DynamoDB::Table", {
        GlobalSecondaryIndexes: Match.arrayWith([
          Match.objectLike({ IndexName: index, Projection: { ProjectionType: "KEYS_ONLY" } }),
        ]),
      });
    }
  });

  it("indexes products by category with keys and `archived` only, the old index kept on request", () => {
    const categoryIndexes = (stackTemplate: Template) => {
      const [products] = Object.values(
        stackTemplate.findResources("AWS::DynamoDB::Table", {
          Properties: { KeySchema: [{ AttributeName: "productId", KeyType: "HASH" }] },
        }),
      );
      const properties = products?.Properties as
        | { GlobalSecondaryIndexes?: { IndexName: string }[] }
        | undefined;
      return properties?.GlobalSecondaryIndexes ?? [];
    };
    // An order's stock write changes no projected attribute, so it never writes the index.
    expect(categoryIndexes(template)).toEqual([
      expect.objectContaining({
        IndexName: "byCategoryListing",
        Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["archived"] },
      }),
    ]);
    const { stack } = createShopApp({ context: { ...SKIP_BUNDLING, legacyCategoryIndex: "true" } });
    expect(categoryIndexes(Template.fromStack(stack)).map((index) => index.IndexName)).toEqual([
      "byCategoryListing",
      "byCategory",
    ]);
  });

  it("retains the business data tables when the stack is deleted", () => {
    for (const [name, spec] of Object.entries(tables) as [
      TableName,
      (typeof tables)[TableName],
    ][]) {
      const id = logicalIdOf(`${name}Table`, "AWS::DynamoDB::Table");
      expect(resources[id]?.DeletionPolicy, name).toBe(spec.retainOnDelete ? "Retain" : "Delete");
    }
  });
});

describe("the messaging", () => {
  it("traces the events topic actively, so a trace follows an event to each consumer", () => {
    template.hasResourceProperties("AWS::SNS::Topic", {
      TopicName: Match.stringLikeRegexp("order-events$"),
      TracingConfig: "Active",
    });
  });

  it("encrypts the topic and every queue, and refuses anything but TLS", () => {
    for (const [, topic] of ofType("AWS::SNS::Topic"))
      expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    for (const [, queue] of ofType("AWS::SQS::Queue"))
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    const denyInsecure = Match.objectLike({
      Effect: "Deny",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    const topicPolicies = ofType("AWS::SNS::TopicPolicy");
    const queuePolicies = ofType("AWS::SQS::QueuePolicy");
    expect(queuePolicies).toHaveLength(ofType("AWS::SQS::Queue").length);
    for (const [, policy] of [...topicPolicies, ...queuePolicies]) {
      expect(JSON.stringify(policy.Properties)).toContain('"aws:SecureTransport":"false"');
    }
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      PolicyDocument: { Statement: Match.arrayWith([denyInsecure]) },
    });
  });

  it("gives each queue a DLQ after 3 receives and a visibility of at least six consumer timeouts", () => {
    for (const [name, spec] of Object.entries(queues)) {
      const queue = resources[logicalIdOf(`${name}Queue`, "AWS::SQS::Queue")]?.Properties;
      expect(queue?.RedrivePolicy).toMatchObject({ maxReceiveCount: 3 });
      const consumer = Object.values(consumers).find(
        (c) => c.source.kind === "sqs" && c.source.queue === name,
      );
      expect(queue?.VisibilityTimeout).toBe(spec.visibilityTimeoutSeconds);
      expect(spec.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(
        6 * (consumer?.timeoutSeconds ?? 0),
      );
    }
  });

  it("subscribes every queue with its filter policy, raw delivery and a redrive policy", () => {
    for (const subscription of queueSubscriptions) {
      const queueId = logicalIdOf(`${subscription.queue}Queue`, "AWS::SQS::Queue");
      template.hasResourceProperties("AWS::SNS::Subscription", {
        Protocol: "sqs",
        Endpoint: { "Fn::GetAtt": [queueId, "Arn"] },
        RawMessageDelivery: true,
        FilterPolicy: { event_type: [...subscription.eventTypes] },
        RedrivePolicy: Match.anyValue(),
      });
    }
  });

  it("subscribes analytics to the topic directly, filtered, with a DLQ and two retries", () => {
    const analytics = functionFor("shop-analytics").id;
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "lambda",
      Endpoint: { "Fn::GetAtt": [analytics, "Arn"] },
      FilterPolicy: { event_type: ["order_created", "stock_adjusted"] },
      RedrivePolicy: Match.anyValue(),
    });
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: { Ref: analytics },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it("feeds the SQS consumers with partial batch responses, batch size, window and concurrency", () => {
    for (const [name, spec] of Object.entries(consumers)) {
      if (spec.source.kind !== "sqs") continue;
      template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
        FunctionName: { Ref: functionFor(`shop-${name}`).id },
        EventSourceArn: {
          "Fn::GetAtt": [logicalIdOf(`${spec.source.queue}Queue`, "AWS::SQS::Queue"), "Arn"],
        },
        BatchSize: spec.source.batchSize,
        ScalingConfig: { MaximumConcurrency: spec.source.maxConcurrency },
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        ...(spec.source.maxBatchingWindowSeconds > 0
          ? { MaximumBatchingWindowInSeconds: spec.source.maxBatchingWindowSeconds }
          : {}),
      });
    }
  });

  it("reads the orders stream with bisection, retrying a record for as long as the stream keeps it", () => {
    const source = consumers.streamProcessor.source;
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionName: { Ref: functionFor("shop-streamProcessor").id },
      EventSourceArn: {
        "Fn::GetAtt": [logicalIdOf("ordersTable", "AWS::DynamoDB::Table"), "StreamArn"],
      },
      StartingPosition: source.startingPosition,
      BatchSize: source.batchSize,
      BisectBatchOnFunctionError: true,
      // Absent: unlimited (-1), as the topology asks.
      MaximumRetryAttempts: Match.absent(),
      MaximumRecordAgeInSeconds: Match.absent(),
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      DestinationConfig: {
        OnFailure: {
          Destination: { "Fn::GetAtt": [logicalIdOf("streamFailures", "AWS::SQS::Queue"), "Arn"] },
        },
      },
    });
  });
});

describe("least privilege", () => {
  /** The DynamoDB actions each table gets in a function's policy, by table. */
  function dynamoGrants(serviceName: string): Record<string, string[]> {
    const role = (functionFor(serviceName).properties.Role as { "Fn::GetAtt": [string] })[
      "Fn::GetAtt"
    ][0];
    const policy = ofType("AWS::IAM::Policy").find(([, p]) =>
      JSON.stringify(p.Properties.Roles).includes(role),
    );
    if (!policy) throw new Error(`no policy for ${serviceName}`);
    const statements = (
      policy[1].Properties.PolicyDocument as {
        Statement: { Action: string | string[]; Resource: unknown }[];
      }
    ).Statement;
    const grants: Record<string, string[]> = {};
    for (const statement of statements) {
      // The stream event source's own read access is not the code's; leave it out.
      const actions = [statement.Action]
        .flat()
        .filter((a) => a.startsWith("dynamodb:") && !/Stream|GetRecords|GetShardIterator/.test(a));
      if (actions.length === 0) continue;
      const tableIds = [
        ...JSON.stringify(statement.Resource).matchAll(/"(\w+Table[0-9A-F]{8})"/g),
      ].map((m) => m[1]);
      for (const id of new Set(tableIds)) {
        const name = Object.keys(tables).find((t) => id?.startsWith(`${t}Table`)) ?? "unknown";
        grants[name] = [
          ...(grants[name] ?? []),
          ...actions.map((a) => a.slice("dynamodb:".length)),
        ].sort();
      }
    }
    return grants;
  }

  it("grants each function exactly the table actions its code uses", () => {
    for (const [serviceName, spec] of allFunctions) {
      const declared = Object.fromEntries(
        Object.entries(spec.access.tables).map(([table, actions]) => [
          table,
          [...(actions ?? [])].sort(),
        ]),
      );
      expect(dynamoGrants(serviceName), serviceName).toEqual(declared);
    }
  });

  it("lets only the api and the stream processor publish, and only the email consumer send mail", () => {
    for (const [serviceName, spec] of allFunctions) {
      const role = (functionFor(serviceName).properties.Role as { "Fn::GetAtt": [string] })[
        "Fn::GetAtt"
      ][0];
      const policy = JSON.stringify(
        ofType("AWS::IAM::Policy").find(([, p]) =>
          JSON.stringify(p.Properties.Roles).includes(role),
        )?.[1],
      );
      expect(policy.includes('"sns:Publish"'), serviceName).toBe(spec.access.publish === true);
      expect(policy.includes('"ses:SendEmail"'), serviceName).toBe(spec.access.sendEmail === true);
      expect(policy, serviceName).not.toMatch(/"dynamodb:\*"|"sqs:\*"|"sns:\*"/);
    }
  });
});

describe("operations", () => {
  const alarmMetrics = () => ofType("AWS::CloudWatch::Alarm").map(([, a]) => a.Properties);

  it("alarms on every DLQ's depth, API 5xx and p99 latency, consumer errors and stream iterator age", () => {
    const alarms = alarmMetrics();
    const deadLetterQueues = ofType("AWS::SQS::Queue").filter(
      ([, q]) => !q.Properties.RedrivePolicy,
    );
    const depthAlarms = alarms.filter((a) => a.MetricName === "ApproximateNumberOfMessagesVisible");
    expect(depthAlarms).toHaveLength(deadLetterQueues.length);
    expect(alarms.some((a) => a.MetricName === "5xx" && a.Namespace === "AWS/ApiGateway")).toBe(
      true,
    );
    expect(alarms.some((a) => a.MetricName === "Latency" && a.ExtendedStatistic === "p99")).toBe(
      true,
    );
    expect(alarms.filter((a) => a.MetricName === "Errors")).toHaveLength(allFunctions.length);
    expect(alarms.some((a) => a.MetricName === "IteratorAge")).toBe(true);
    expect(
      alarms.some((a) => a.MetricName === "OldestOwedEventAge" && a.Namespace === "Shop"),
    ).toBe(true);
    for (const alarm of alarms) expect(alarm.AlarmActions).toHaveLength(1);
  });

  it("has a dashboard and outputs the API URL and the topic ARN", () => {
    template.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
    template.hasOutput("ApiUrl", { Value: Match.anyValue() });
    template.hasOutput("OrderEventsTopicArn", {
      Value: { Ref: logicalIdOf("OrderEvents", "AWS::SNS::Topic") },
    });
  });
});

describe("the stack and the topology", () => {
  it("agree: every consumer has its function, event source, filter, batch size, memory, timeout and concurrency", () => {
    for (const [name, spec] of Object.entries(consumers) as [
      ConsumerName,
      (typeof consumers)[ConsumerName],
    ][]) {
      const fn = functionFor(`shop-${name}`);
      expect(fn.properties.MemorySize).toBe(spec.memoryMb);
      expect(fn.properties.Timeout).toBe(spec.timeoutSeconds);
      expect(fn.properties.ReservedConcurrentExecutions).toBe(
        (spec as FunctionSpec).reservedConcurrency,
      );
      const mappings = ofType("AWS::Lambda::EventSourceMapping").filter(
        ([, m]) => (m.Properties.FunctionName as { Ref: string }).Ref === fn.id,
      );
      const subscriptions = ofType("AWS::SNS::Subscription").filter(([, s]) =>
        JSON.stringify(s.Properties.Endpoint).includes(fn.id),
      );
      if (spec.source.kind === "sns") {
        expect(mappings, name).toHaveLength(0);
        expect(
          subscriptions.map(([, s]) => s.Properties.FilterPolicy),
          name,
        ).toEqual([{ event_type: [...spec.source.eventTypes] }]);
      } else if (spec.source.kind === "schedule") {
        expect(mappings, name).toHaveLength(0);
        const schedules = ofType("AWS::Scheduler::Schedule").filter(([, s]) =>
          JSON.stringify(s.Properties.Target).includes(fn.id),
        );
        expect(
          schedules.map(([, s]) => s.Properties.ScheduleExpression),
          name,
        ).toEqual([
          `rate(${spec.source.everyMinutes} minute${spec.source.everyMinutes > 1 ? "s" : ""})`,
        ]);
      } else {
        expect(mappings, name).toHaveLength(1);
        expect(mappings[0]?.[1].Properties.BatchSize, name).toBe(spec.source.batchSize);
      }
    }
    // The consumers, the api and the WebSocket function.
    expect(ofType("AWS::Lambda::Function")).toHaveLength(Object.keys(consumers).length + 2);
  });
});

describe("loading a catalog", () => {
  it("gives npm run catalog -- --stack the loader's resources as outputs, one per variable", () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const [output, variable] of Object.entries(CATALOG_LOADER_OUTPUTS)) {
      expect(outputs[output], output).toBeDefined();
      expect(Object.values(RESOURCE_ENV)).toContain(variable);
    }
    const names = {
      tables: Object.fromEntries(Object.keys(tables).map((t) => [t, t])) as Record<
        TableName,
        string
      >,
      topicArn: "topic",
      failureQueueUrls: { analyticsDeadLetter: "", streamFailures: "" },
    };
    expect(Object.values(CATALOG_LOADER_OUTPUTS).sort()).toEqual(
      Object.keys(resourceEnvironment(catalogLoaderFunction.access, names)).sort(),
    );
  });

  it("has no sample catalog unless asked", () => {
    expect(ofType("Custom::SampleCatalog")).toHaveLength(0);
  });

  it("with -c sampleCatalog=true, loads the sample catalog at deploy time through the catalog loader", () => {
    const { app, stack } = createShopApp({
      context: { ...SKIP_BUNDLING, sampleCatalog: "true" },
      outdir: mkdtempSync(join(tmpdir(), "nag-")),
    });
    // cdk-nag checks the loader like every other function.
    expect(() => app.synth()).not.toThrow();
    const withCatalog = Template.fromStack(stack);
    const loader = Object.entries(withCatalog.toJSON().Resources as typeof resources).find(
      ([, r]) =>
        r.Type === "AWS::Lambda::Function" &&
        (r.Properties.Environment as { Variables: Record<string, string> }).Variables
          .POWERTOOLS_SERVICE_NAME === "shop-catalog-loader",
    );
    if (!loader) throw new Error("no catalog loader function");
    withCatalog.hasResourceProperties("Custom::SampleCatalog", {
      ServiceToken: { "Fn::GetAtt": [loader[0], "Arn"] },
      CatalogDigest: Match.stringLikeRegexp("^[0-9a-f]{64}$"),
    });
    const variables = (loader[1].Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;
    for (const variable of Object.values(CATALOG_LOADER_OUTPUTS)) {
      expect(variables[variable], variable).toBeDefined();
    }
  });
});

describe("cdk-nag", () => {
  it("finds nothing unacknowledged in the app (AwsSolutions and Serverless packs)", () => {
    const { app } = createShopApp({
      context: SKIP_BUNDLING,
      outdir: mkdtempSync(join(tmpdir(), "nag-")),
    });
    expect(() => app.synth()).not.toThrow();
  });

  it("passes with the deploy-time settings too: alarm email and sender address", () => {
    const { app, stack } = createShopApp({
      context: {
        ...SKIP_BUNDLING,
        alarmEmail: "ops@example.com",
        ordersEmailFrom: "shop@mail.example.org",
      },
      outdir: mkdtempSync(join(tmpdir(), "nag-")),
    });
    expect(() => app.synth()).not.toThrow();
    const withSettings = Template.fromStack(stack);
    withSettings.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "ops@example.com",
    });
    expect(JSON.stringify(withSettings.toJSON())).toContain(":identity/mail.example.org");
  });

  it("would fail the synth without the acknowledgments, so the check is real", () => {
    const outdir = mkdtempSync(join(tmpdir(), "nag-"));
    const app = new App({ context: SKIP_BUNDLING, outdir });
    new ShopStack(app, "Shop");
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    expect(() => app.synth()).toThrow();
    const report = JSON.parse(readFileSync(join(outdir, "validation-report.json"), "utf8")) as {
      pluginReports: { violations: { ruleName: string }[] }[];
    };
    const rules = report.pluginReports.flatMap((r) => r.violations.map((v) => v.ruleName));
    expect(rules).toContain("AwsSolutions-APIG4");
  });
});
