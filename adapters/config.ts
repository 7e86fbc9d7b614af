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
  endpoints: z.object({
    dynamodb: z.url().optional(),
    sns: z.url().optional(),
    sqs: z.url().optional(),
  }),
  tables: z.object({
    products: z.string().min(3),
    orders: z.string().min(3),
    idempotency: z.string().min(3),
  }),
  orderEventsTopicArn: z.string().startsWith("arn:"),
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
    endpoints: {
      dynamodb: env.AWS_ENDPOINT_URL_DYNAMODB,
      sns: env.AWS_ENDPOINT_URL_SNS,
      sqs: env.AWS_ENDPOINT_URL_SQS,
    },
    tables: {
      products: env[RESOURCE_ENV.productsTable],
      orders: env[RESOURCE_ENV.ordersTable],
      idempotency: env[RESOURCE_ENV.idempotencyTable],
    },
    orderEventsTopicArn: env[RESOURCE_ENV.orderEventsTopic],
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
