import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CfnOutput,
  CustomResource,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
} from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  type HttpRoute,
  HttpStage,
  LogGroupLogDestination,
  WebSocketApi,
  WebSocketStage,
} from "aws-cdk-lib/aws-apigatewayv2";
import { HttpUserPoolAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import {
  HttpLambdaIntegration,
  WebSocketLambdaIntegration,
} from "aws-cdk-lib/aws-apigatewayv2-integrations";
import {
  AllowedMethods,
  CacheCookieBehavior,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  Distribution,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ViewerProtocolPolicy,
} from "aws-cdk-lib/aws-cloudfront";
import { HttpOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import {
  AttributeType,
  BillingMode,
  type ITable,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from "aws-cdk-lib/aws-dynamodb";
import { Effect, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { type IFunction, StartingPosition } from "aws-cdk-lib/aws-lambda";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import { DynamoEventSource, SqsDlq, SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from "aws-cdk-lib/aws-s3";
import { CfnSchedule } from "aws-cdk-lib/aws-scheduler";
import { SubscriptionFilter, Topic, TracingConfig } from "aws-cdk-lib/aws-sns";
import {
  EmailSubscription,
  LambdaSubscription,
  SqsSubscription,
} from "aws-cdk-lib/aws-sns-subscriptions";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { type IndexSpec, LEGACY_CATEGORY_INDEX } from "../adapters/table-definitions";
import { CORS_POLICY } from "../api/cors";
import { PLAYGROUND_ASSETS } from "../api/playground-assets";
import { routesFor } from "../api/route-table";
import { EVENT_TYPE_ATTRIBUTE, type EventType } from "../core/shared/events";
import { ShopFirewall } from "./edge";
import { ShopIdentity } from "./identity";
import { Operations } from "./operations";
import { REPOSITORY_ROOT, ShopFunction } from "./shop-function";
import {
  type AccessSpec,
  apiFunction,
  CATALOG_LOADER_OUTPUTS,
  type ConsumerName,
  catalogLoaderFunction,
  consumers,
  type FailureQueueName,
  failureQueues,
  type QueueName,
  queueSubscriptions,
  queues,
  resourceEnvironment,
  SCALE,
  type TableName,
  type TableSpec,
  tables,
  topic,
  websocketFunction,
} from "./topology";

export interface ShopStackProps extends StackProps {
  /** The address order emails come from; it must be verified in SES. */
  readonly ordersEmailFrom?: string;
  /** Where alarm notifications go; without it, subscribe to the alarm topic yourself. */
  readonly alarmEmail?: string;
  /** Load the 50 sample products at deploy time, so a first deploy is a working shop. */
  readonly sampleCatalog?: boolean;
  /** Serve the GraphiQL playground at GET /graphql (off by default). */
  readonly playground?: boolean;
  /** Origins browsers may call the API from; any (`*`) by default. */
  readonly allowedOrigins?: readonly string[];
  /**
   * The migration switch: the REST order routes take the old clients' unauthenticated
   * requests again (no JWT authorizer on them; the api takes the customer they name).
   */
  readonly legacyOpenRest?: boolean;
  /**
   * Keep the products table's old category index beside the new one, for the first deploy of
   * a stack that has it (DynamoDB adds or removes one index per update).
   */
  readonly legacyCategoryIndex?: boolean;
  /**
   * The CloudFront web ACL to put in front of the API. When absent the stack makes its own,
   * which only works in us-east-1 (the app makes a separate us-east-1 stack otherwise).
   */
  readonly webAclArn?: string;
  /** Steady-state requests per second and burst of the API's default stage. */
  readonly apiThrottle?: { readonly rateLimit: number; readonly burstLimit: number };
}

const DEAD_LETTER_RETENTION = Duration.days(14);
/** The catalog a deploy with `-c sampleCatalog=true` loads. */
const SAMPLE_CATALOG_FILE = "catalog/sample-catalog.json";
/** Messages older than this are of no use to anyone; SQS's default is 4 days. */
const QUEUE_RETENTION = Duration.days(4);
/**
 * The modules Apollo Server imports (by these paths, on start) only for plugins
 * api/server.ts turns off: usage and schema reporting, federated tracing, the default
 * landing page. Left out of the api's bundle, where they would be the larger part of
 * Apollo's code.
 */
const APOLLO_UNLOADED_PLUGINS = [
  "./plugin/usageReporting/index.js",
  "./plugin/schemaReporting/index.js",
  "./plugin/inlineTrace/index.js",
  "./plugin/landingPage/default/index.js",
];

/**
 * The shop on AWS, built from `infra/topology.ts`: the same tables, topic, queues,
 * subscriptions and consumers that `npm start` provisions locally.
 */
export class ShopStack extends Stack {
  readonly tables = {} as Record<TableName, Table>;
  readonly queues = {} as Record<QueueName, Queue>;
  readonly deadLetterQueues = {} as Record<QueueName, Queue>;
  readonly failureQueues = {} as Record<FailureQueueName, Queue>;
  readonly functions = {} as Record<ConsumerName | "api" | "websocket", IFunction>;
  /** The catalog loader, when the stack loads the sample catalog. */
  catalogLoader?: IFunction;
  /** The API's routes that serve anonymous callers by design (no authorizer). */
  readonly openRoutes: HttpRoute[] = [];
  readonly topic: Topic;
  readonly alarmTopic: Topic;
  readonly api: HttpApi;
  /** GraphQL subscriptions: the WebSocket API and the stage clients connect to. */
  readonly webSocketApi: WebSocketApi;
  readonly webSocketStage: WebSocketStage;
  readonly identity: ShopIdentity;
  readonly distribution: Distribution;
  /** Where CloudFront writes its access logs. */
  edgeLogs?: Bucket;
  readonly ordersEmailFrom: string;

  constructor(scope: Construct, id: string, props: ShopStackProps = {}) {
    super(scope, id, props);
    this.ordersEmailFrom = props.ordersEmailFrom ?? "orders@shop.example.com";

    for (const [name, spec] of Object.entries(tables) as [TableName, TableSpec][]) {
      this.tables[name] = this.createTable(name, spec, props.legacyCategoryIndex === true);
    }
    this.identity = new ShopIdentity(this, "Identity");

    const topicKey = new Key(this, "OrderEventsKey", {
      description: "Encrypts the order events topic",
      enableKeyRotation: true,
    });
    this.topic = new Topic(this, "OrderEvents", {
      topicName: `${this.stackName}-${topic.logicalName}`,
      masterKey: topicKey,
      enforceSSL: true,
      // The topic records its own segment and hands the trace on to the queues and the
      // subscribed function, so a trace runs from the api to each consumer.
      tracingConfig: TracingConfig.ACTIVE,
    });

    for (const [name, spec] of Object.entries(queues) as [
      QueueName,
      (typeof queues)[QueueName],
    ][]) {
      const deadLetter = this.createQueue(`${name}DeadLetter`, DEAD_LETTER_RETENTION);
      this.deadLetterQueues[name] = deadLetter;
      this.queues[name] = new Queue(this, `${name}Queue`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: QUEUE_RETENTION,
        visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
        deadLetterQueue: { queue: deadLetter, maxReceiveCount: spec.deadLetter.maxReceiveCount },
      });
    }
    for (const name of Object.keys(failureQueues) as FailureQueueName[]) {
      this.failureQueues[name] = this.createQueue(name, DEAD_LETTER_RETENTION);
    }
    for (const subscription of queueSubscriptions) {
      this.topic.addSubscription(
        new SqsSubscription(this.queues[subscription.queue], {
          rawMessageDelivery: subscription.rawMessageDelivery,
          filterPolicy: filterPolicy(subscription.eventTypes),
          // Should SNS ever fail to deliver to the queue, the message waits in its DLQ.
          deadLetterQueue: this.deadLetterQueues[subscription.queue],
        }),
      );
    }

    // Created before the functions: those that answer WebSocket clients are told its
    // management endpoint.
    this.webSocketApi = new WebSocketApi(this, "WebSocketApi", {
      description: "GraphQL subscriptions (graphql-transport-ws): live order updates",
    });
    this.webSocketStage = new WebSocketStage(this, "WebSocketStage", {
      webSocketApi: this.webSocketApi,
      stageName: "live",
      autoDeploy: true,
      throttle: { rateLimit: 500, burstLimit: 1000 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(
          new LogGroup(this, "WebSocketAccessLogs", {
            retention: RetentionDays.THREE_MONTHS,
            removalPolicy: RemovalPolicy.DESTROY,
          }),
        ),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: "$context.requestId",
            connectionId: "$context.connectionId",
            routeKey: "$context.routeKey",
            eventType: "$context.eventType",
            status: "$context.status",
            ip: "$context.identity.sourceIp",
            requestTime: "$context.requestTime",
          }),
        ),
      },
    });

    const api = new ShopFunction(this, "ApiFunction", {
      serviceName: "shop-api",
      spec: apiFunction,
      environment: {
        ...this.functionEnvironment(apiFunction.access),
        PLAYGROUND: props.playground ? "on" : "off",
        ...(props.playground ? { PLAYGROUND_LIVE_URL: this.webSocketStage.url } : {}),
        LEGACY_OPEN_REST: props.legacyOpenRest ? "true" : "false",
        ALLOWED_ORIGINS: (props.allowedOrigins ?? ["*"]).join(","),
      },
      unbundledImports: APOLLO_UNLOADED_PLUGINS,
      ...(props.playground
        ? {
            extraFiles: Object.entries(PLAYGROUND_ASSETS).map(
              ([name, asset]) =>
                [`node_modules/${asset.pkg}/${asset.file}`, `playground/${name}`] as const,
            ),
          }
        : {}),
    });
    this.functions.api = api.fn;
    this.grant(api.fn, apiFunction.access);

    for (const [name, spec] of Object.entries(consumers) as [
      ConsumerName,
      (typeof consumers)[ConsumerName],
    ][]) {
      const { fn } = new ShopFunction(this, `${name}Function`, {
        serviceName: `shop-${name}`,
        spec,
        environment: this.functionEnvironment(spec.access),
      });
      this.functions[name] = fn;
      this.grant(fn, spec.access);
      const source = spec.source;
      switch (source.kind) {
        case "sqs":
          fn.addEventSource(
            new SqsEventSource(this.queues[source.queue], {
              batchSize: source.batchSize,
              maxConcurrency: source.maxConcurrency,
              ...(source.maxBatchingWindowSeconds > 0
                ? { maxBatchingWindow: Duration.seconds(source.maxBatchingWindowSeconds) }
                : {}),
              reportBatchItemFailures: true,
            }),
          );
          break;
        case "sns": {
          const deadLetter = this.failureQueues[source.deadLetter];
          // SNS invokes asynchronously: Lambda retries twice, then sends the event to the DLQ.
          fn.configureAsyncInvoke({
            retryAttempts: source.maxReceiveCount - 1,
            onFailure: new SqsDestination(deadLetter),
          });
          this.topic.addSubscription(
            new LambdaSubscription(fn, {
              filterPolicy: filterPolicy(source.eventTypes),
              deadLetterQueue: deadLetter,
            }),
          );
          break;
        }
        case "schedule":
          {
            // A role that may invoke exactly this function (not its versions too).
            const role = new Role(this, `${name}ScheduleRole`, {
              assumedBy: new ServicePrincipal("scheduler.amazonaws.com"),
            });
            role.addToPolicy(
              new PolicyStatement({
                actions: ["lambda:InvokeFunction"],
                resources: [fn.functionArn],
              }),
            );
            new CfnSchedule(this, `${name}Schedule`, {
              description: `Runs the ${name} every ${source.everyMinutes} minute(s)`,
              scheduleExpression: `rate(${source.everyMinutes} minute${source.everyMinutes > 1 ? "s" : ""})`,
              flexibleTimeWindow: { mode: "OFF" },
              // A missed run is not retried: the next one, a minute later, does the same work.
              target: {
                arn: fn.functionArn,
                roleArn: role.roleArn,
                retryPolicy: { maximumRetryAttempts: 0 },
              },
            });
          }
          break;
        case "dynamodb-stream":
          fn.addEventSource(
            new DynamoEventSource(this.tables[source.table] as ITable, {
              startingPosition: StartingPosition[source.startingPosition],
              batchSize: source.batchSize,
              ...(source.maxBatchingWindowSeconds > 0
                ? { maxBatchingWindow: Duration.seconds(source.maxBatchingWindowSeconds) }
                : {}),
              bisectBatchOnError: source.bisectBatchOnError,
              // Left out, each is -1 (unlimited): retried for as long as the stream keeps it.
              ...(source.maxRetryAttempts >= 0 ? { retryAttempts: source.maxRetryAttempts } : {}),
              ...(source.maxRecordAgeSeconds >= 0
                ? { maxRecordAge: Duration.seconds(source.maxRecordAgeSeconds) }
                : {}),
              onFailure: new SqsDlq(this.failureQueues[source.onFailure]),
              reportBatchItemFailures: true,
            }),
          );
          break;
      }
    }

    this.createWebSocketRoutes();
    if (props.sampleCatalog) this.loadSampleCatalog();

    this.api = this.createHttpApi(api.fn, props);
    this.distribution = this.createDistribution(props);

    const alarmKey = new Key(this, "AlarmsKey", {
      description: "Encrypts the alarm topic",
      enableKeyRotation: true,
    });
    const alarmTopic = new Topic(this, "Alarms", { masterKey: alarmKey, enforceSSL: true });
    this.alarmTopic = alarmTopic;
    // CloudWatch publishes alarms to the encrypted topic with this key.
    alarmKey.grantEncryptDecrypt(new ServicePrincipal("cloudwatch.amazonaws.com"));
    if (props.alarmEmail) alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));

    new Operations(this, "Operations", {
      api: this.api,
      apiFunction: this.functions.api,
      websocketFunction: this.functions.websocket,
      consumers: Object.fromEntries(
        (Object.keys(consumers) as ConsumerName[]).map((name) => [name, this.functions[name]]),
      ),
      streamConsumer: this.functions.streamProcessor,
      deadLetterQueues: {
        ...Object.fromEntries(
          Object.entries(this.deadLetterQueues).map(([n, q]) => [`${n}Dlq`, q]),
        ),
        ...this.failureQueues,
      },
      alarmTopic,
    });

    new CfnOutput(this, "ShopUrl", {
      value: `https://${this.distribution.distributionDomainName}`,
      description: "The API's base URL for clients, behind CloudFront and the firewall",
    });
    new CfnOutput(this, "ApiUrl", {
      value: this.api.apiEndpoint,
      description: "The HTTP API's own URL (no firewall); for operators",
    });
    new CfnOutput(this, "UserPoolId", {
      value: this.identity.userPool.userPoolId,
      description: "The Cognito user pool of customers and admins",
    });
    new CfnOutput(this, "UserPoolClientId", {
      value: this.identity.client.userPoolClientId,
      description: "The app client whose tokens the API accepts",
    });
    // What `npm run catalog -- --stack <name>` reads to load a catalog into this stack.
    const loaderEnvironment = this.functionEnvironment(catalogLoaderFunction.access);
    for (const [output, variable] of Object.entries(CATALOG_LOADER_OUTPUTS)) {
      new CfnOutput(this, output, {
        value: loaderEnvironment[variable] ?? "",
        description: `The ${variable} of the catalog loader (npm run catalog -- --stack)`,
      });
    }
    new CfnOutput(this, "AlarmTopicArn", {
      value: alarmTopic.topicArn,
      description: "Subscribe here for alarms",
    });
  }

  private createTable(name: TableName, spec: TableSpec, legacyCategoryIndex: boolean): Table {
    const key = (k: { name: string; type: "S" | "N" }) => ({
      name: k.name,
      type: k.type === "S" ? AttributeType.STRING : AttributeType.NUMBER,
    });
    const table = new Table(this, `${name}Table`, {
      partitionKey: key(spec.partitionKey),
      ...(spec.sortKey ? { sortKey: key(spec.sortKey) } : {}),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      ...(spec.stream ? { stream: StreamViewType[spec.stream] } : {}),
      ...(spec.timeToLiveAttribute ? { timeToLiveAttribute: spec.timeToLiveAttribute } : {}),
      removalPolicy: spec.retainOnDelete ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      deletionProtection: spec.retainOnDelete,
    });
    const indexes: readonly IndexSpec[] = [
      ...(spec.globalSecondaryIndexes ?? []),
      ...(spec.logicalName === "products" && legacyCategoryIndex ? [LEGACY_CATEGORY_INDEX] : []),
    ];
    for (const index of indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: key(index.partitionKey),
        sortKey: key(index.sortKey),
        projectionType: ProjectionType[index.projection ?? "ALL"],
        ...(index.nonKeyAttributes ? { nonKeyAttributes: [...index.nonKeyAttributes] } : {}),
      });
    }
    return table;
  }

  private createQueue(id: string, retentionPeriod: Duration): Queue {
    return new Queue(this, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod,
    });
  }

  /**
   * What a function is told: the variables of exactly the resources its access names, and
   * the mail settings where it sends mail.
   */
  /**
   * A custom resource backed by the catalog loader: on create (and whenever the sample file
   * changes) it adds the sample products that are missing, each with its history entry and
   * event; products already there, and the owner's changes to them, stay as they are.
   */
  private loadSampleCatalog(): void {
    const { fn } = new ShopFunction(this, "CatalogLoaderFunction", {
      serviceName: "shop-catalog-loader",
      spec: catalogLoaderFunction,
      environment: this.functionEnvironment(catalogLoaderFunction.access),
    });
    this.grant(fn, catalogLoaderFunction.access);
    this.catalogLoader = fn;
    new CustomResource(this, "SampleCatalog", {
      serviceToken: fn.functionArn,
      resourceType: "Custom::SampleCatalog",
      properties: {
        CatalogDigest: createHash("sha256")
          .update(readFileSync(join(REPOSITORY_ROOT, SAMPLE_CATALOG_FILE)))
          .digest("hex"),
      },
    });
  }

  /** The WebSocket API's routes, all to the function that speaks the protocol. */
  private createWebSocketRoutes(): void {
    const { fn } = new ShopFunction(this, "WebSocketFunction", {
      serviceName: "shop-websocket",
      spec: websocketFunction,
      environment: this.functionEnvironment(websocketFunction.access),
    });
    this.functions.websocket = fn;
    this.grant(fn, websocketFunction.access);
    for (const route of ["$connect", "$disconnect", "$default"]) {
      this.webSocketApi.addRoute(route, {
        integration: new WebSocketLambdaIntegration(`WebSocket${route.slice(1)}`, fn),
      });
    }
    new CfnOutput(this, "WebSocketUrl", {
      value: this.webSocketStage.url,
      description: "Where GraphQL subscriptions connect (graphql-transport-ws)",
    });
  }

  private functionEnvironment(access: AccessSpec): Record<string, string> {
    const tableNames = Object.fromEntries(
      Object.entries(this.tables).map(([name, table]) => [name, table.tableName]),
    ) as Record<TableName, string>;
    return {
      ...resourceEnvironment(access, {
        tables: tableNames,
        topicArn: this.topic.topicArn,
        identity: this.identity.tokenIssuer,
        websocketManagementUrl: this.webSocketStage.callbackUrl,
        failureQueueUrls: {
          analyticsDeadLetter: this.failureQueues.analyticsDeadLetter.queueUrl,
          streamFailures: this.failureQueues.streamFailures.queueUrl,
        },
      }),
      ...(access.sendEmail ? { MAILER: "ses", ORDERS_EMAIL_FROM: this.ordersEmailFrom } : {}),
    };
  }

  /** Exactly the access the topology declares for the function's code. */
  private grant(fn: IFunction, access: AccessSpec): void {
    for (const [name, actions] of Object.entries(access.tables) as [
      TableName,
      readonly string[],
    ][]) {
      const table = this.tables[name];
      fn.addToRolePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: actions.map((action) => `dynamodb:${action}`),
          resources: [
            table.tableArn,
            ...((tables[name] as TableSpec).globalSecondaryIndexes ?? []).map(
              (index) => `${table.tableArn}/index/${index.indexName}`,
            ),
          ],
        }),
      );
    }
    if (access.publish) this.topic.grantPublish(fn);
    for (const queue of access.sendsTo ?? []) this.failureQueues[queue].grantSendMessages(fn);
    if (access.topicAttributes) {
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ["sns:GetTopicAttributes"],
          resources: [this.topic.topicArn],
        }),
      );
    }
    if (access.sendEmail) {
      // Only as the configured sender (its address, or its verified domain).
      const from = this.ordersEmailFrom;
      const identity = (name: string) =>
        `arn:${this.partition}:ses:${this.region}:${this.account}:identity/${name}`;
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ["ses:SendEmail"],
          resources: [identity(from), identity(from.slice(from.indexOf("@") + 1))],
        }),
      );
    }
    // Posting to and closing the stage's connections (execute-api:ManageConnections).
    if (access.manageConnections) this.webSocketStage.grantManagementApiAccess(fn);
  }

  private createHttpApi(fn: IFunction, props: ShopStackProps): HttpApi {
    const api = new HttpApi(this, "HttpApi", {
      apiName: `${this.stackName}-api`,
      description: "The shop's GraphQL API and the old REST routes",
      createDefaultStage: false,
      // The same CORS policy as the function's own answers.
      corsPreflight: {
        allowOrigins: [...(props.allowedOrigins ?? ["*"])],
        allowMethods: CORS_POLICY.allowMethods.map((method) => CorsHttpMethod[method]),
        allowHeaders: [...CORS_POLICY.allowHeaders],
        exposeHeaders: [...CORS_POLICY.exposeHeaders],
        maxAge: Duration.seconds(CORS_POLICY.maxAgeSeconds),
      },
    });
    const accessLogs = new LogGroup(this, "ApiAccessLogs", {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new HttpStage(this, "DefaultStage", {
      httpApi: api,
      stageName: "$default",
      autoDeploy: true,
      throttle: props.apiThrottle ?? {
        rateLimit: SCALE.limits.apiRequestsPerSecond,
        burstLimit: SCALE.limits.apiBurst,
      },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.jsonWithStandardFields({
          caller: false,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: false,
        }),
      },
    });
    const integration = new HttpLambdaIntegration("ApiIntegration", fn);
    // Routes that serve only signed-in callers turn away a request without a valid token
    // here, before it reaches (and costs) the function, which checks it again anyway.
    const callersOnly = new HttpUserPoolAuthorizer("Callers", this.identity.userPool, {
      userPoolClients: [this.identity.client],
      identitySource: ["$request.header.Authorization"],
    });
    for (const route of routesFor({ playground: props.playground === true })) {
      const guarded = route.audience === "callers" && !props.legacyOpenRest;
      const [added] = api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        ...(guarded ? { authorizer: callersOnly } : {}),
      });
      if (!guarded && added) this.openRoutes.push(added);
    }
    return api;
  }

  /**
   * CloudFront before the API, carrying the firewall (a WAF web ACL cannot attach to an
   * HTTP API). By default nothing is cached and every header, query and method is passed
   * through. The catalog reads (`/products`, `/products/*`) are cached at the edge for as
   * long as the api's `cache-control` says (30 s), so however many clients read a page,
   * each edge asks the API for it about once per 30 s.
   */
  private createDistribution(props: ShopStackProps): Distribution {
    const webAclArn = props.webAclArn ?? new ShopFirewall(this, "Firewall").webAcl.attrArn;
    // CloudFront's standard logs need a bucket that takes ACLs; kept three months.
    const logs = new Bucket(this, "EdgeLogs", {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      // Kept when the stack goes (it empties itself within 90 days): deleting a bucket that
      // holds objects would need a custom-resource function just for that.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.edgeLogs = logs;
    const api = new HttpOrigin(`${this.api.apiId}.execute-api.${this.region}.${this.urlSuffix}`, {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
    });
    const catalogReads = {
      origin: api,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      // Only GET and HEAD are cached; any other verb still gets API Gateway's own 404, not
      // a CloudFront 403, so the API answers the same behind the edge as without it.
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: this.catalogCachePolicy(),
      // Preflight is not cached; API Gateway answers it from these headers.
      originRequestPolicy: OriginRequestPolicy.CORS_CUSTOM_ORIGIN,
    };
    return new Distribution(this, "Edge", {
      comment: `${this.stackName}: the shop's API behind the firewall`,
      webAclId: webAclArn,
      enableLogging: true,
      logBucket: logs as IBucket,
      logFilePrefix: "edge/",
      priceClass: PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin: api,
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
      additionalBehaviors: { "/products": catalogReads, "/products/*": catalogReads },
    });
  }

  /**
   * What the edge keys a catalog read on: the three query parameters the listing reads
   * (any other is left off, so it cannot split the cache), and Origin, because API Gateway
   * adds its CORS headers only to a request that has one, so an answer cached for `curl`
   * would fail a browser. No Authorization and no cookie: the catalog is the same for
   * everyone, and neither reaches the API from here. How long is the API's to say: an
   * answer without `cache-control` is not kept, and no answer longer than an hour. (Errors
   * follow CloudFront's own rule: kept 10 s, except a 404 that says `no-store`.)
   */
  private catalogCachePolicy(): CachePolicy {
    return new CachePolicy(this, "CatalogCache", {
      comment: "The catalog reads: as long as the API's cache-control says",
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.hours(1),
      queryStringBehavior: CacheQueryStringBehavior.allowList("category", "cursor", "limit"),
      headerBehavior: CacheHeaderBehavior.allowList("Origin"),
      cookieBehavior: CacheCookieBehavior.none(),
      // The edge compresses the JSON pages itself; the API sends them plain.
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
  }
}

function filterPolicy(eventTypes: readonly EventType[]) {
  return {
    [EVENT_TYPE_ATTRIBUTE]: SubscriptionFilter.stringFilter({ allowlist: [...eventTypes] }),
  };
}
