import { z } from "zod";
import { RESOURCE_ENV } from "./table-definitions";

/**
 * Everything the application reads from its environment, validated once at start-up.
 * Physical resource names arrive in the variables the topology names, so the CDK stack
 * and the local runtime set exactly the same ones.
 */
const configSchema = z.object({
  region: z.string().min(1),
  environment: z.enum(["local", "production"]),
  /** The GraphiQL playground at GET /graphql: on locally, off in production unless asked. */
  playground: z.boolean(),
  endpoints: z.object({
    dynamodb: z.url().optional(),
    sns: z.url().optional(),
    sqs: z.url().optional(),
    ses: z.url().optional(),
  }),
  tables: z.object({
    products: z.string().min(3),
    orders: z.string().min(3),
    idempotency: z.string().min(3),
    consumerIdempotency: z.string().min(3),
    orderHistory: z.string().min(3),
    analytics: z.string().min(3),
    mailOutbox: z.string().min(3),
    eventLog: z.string().min(3),
  }),
  orderEventsTopicArn: z.string().startsWith("arn:"),
  payment: z.object({
    latencyMs: z.coerce.number().int().min(0),
    declineRate: z.coerce.number().min(0).max(1),
    attemptTimeoutMs: z.coerce.number().int().positive(),
    maxAttempts: z.coerce.number().int().positive(),
  }),
  email: z.object({
    /** `outbox` locally (the outbox is the mailer); `ses` in the cloud. */
    mailer: z.enum(["outbox", "ses"]),
    from: z.string().min(3),
    customerDomain: z.string().min(1),
  }),
  queueUrls: z.object({
    fraud: z.string().optional(),
    inventory: z.string().optional(),
    email: z.string().optional(),
  }),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConfigError";
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse({
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
    environment: env.SHOP_ENVIRONMENT ?? "production",
    playground:
      env.PLAYGROUND === undefined || env.PLAYGROUND === ""
        ? (env.SHOP_ENVIRONMENT ?? "production") === "local"
        : env.PLAYGROUND === "on",
    endpoints: {
      dynamodb: env.AWS_ENDPOINT_URL_DYNAMODB,
      sns: env.AWS_ENDPOINT_URL_SNS,
      sqs: env.AWS_ENDPOINT_URL_SQS,
      ses: env.AWS_ENDPOINT_URL_SESV2,
    },
    tables: {
      products: env[RESOURCE_ENV.productsTable],
      orders: env[RESOURCE_ENV.ordersTable],
      idempotency: env[RESOURCE_ENV.idempotencyTable],
      consumerIdempotency: env[RESOURCE_ENV.consumerIdempotencyTable],
      orderHistory: env[RESOURCE_ENV.orderHistoryTable],
      analytics: env[RESOURCE_ENV.analyticsTable],
      mailOutbox: env[RESOURCE_ENV.mailOutboxTable],
      eventLog: env[RESOURCE_ENV.eventLogTable],
    },
    orderEventsTopicArn: env[RESOURCE_ENV.orderEventsTopic],
    payment: {
      latencyMs: env.PAYMENT_LATENCY_MS ?? 200,
      declineRate: env.PAYMENT_DECLINE_RATE ?? 0,
      attemptTimeoutMs: env.PAYMENT_TIMEOUT_MS ?? 10_000,
      maxAttempts: env.PAYMENT_MAX_ATTEMPTS ?? 3,
    },
    email: {
      mailer: env.MAILER ?? "outbox",
      from: env.ORDERS_EMAIL_FROM ?? "orders@shop.example.com",
      customerDomain: env.CUSTOMER_EMAIL_DOMAIN ?? "customers.example.com",
    },
    queueUrls: {
      fraud: env[RESOURCE_ENV.fraudQueue],
      inventory: env[RESOURCE_ENV.inventoryQueue],
      email: env[RESOURCE_ENV.emailQueue],
    },
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  }
  return parsed.data;
}
