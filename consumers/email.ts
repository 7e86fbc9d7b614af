import { SESv2Client } from "@aws-sdk/client-sesv2";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { sdkClientSettings } from "../adapters/aws-clients";
import { type Environment, readConfig, serviceLocation } from "../adapters/config";
import { type HandlerOverrides, lazyHandler } from "../adapters/handler-builder";
import { MailOutbox, OutboxMailer } from "../adapters/outbox-mailer";
import { SesMailer } from "../adapters/ses-mailer";
import { traced } from "../adapters/tracing";
import { renderOrderEmail } from "../core/notifications/order-email";
import { sqsConsumerHandler } from "./event-consumer";
import { createEventConsumerRuntime, eventConsumerSettings } from "./runtime";
import { CONSUMER_EVENTS } from "./subscriptions";

/** Builds the email consumer: tells the customer their order was confirmed, shipped, rejected or cancelled. */
export function buildHandler(env: Environment, overrides: HandlerOverrides = {}) {
  const config = readConfig(env, (vars) => ({
    ...eventConsumerSettings(vars),
    outboxTable: vars.resource("mailOutboxTable"),
    /** `outbox` locally (the outbox is the mailer); `ses` in the cloud. */
    mailer: vars.oneOf("MAILER", ["outbox", "ses"], "outbox"),
    ses: serviceLocation(vars, "SESV2"),
    from: vars.text("ORDERS_EMAIL_FROM", "orders@shop.example.com"),
    customerDomain: vars.text("CUSTOMER_EMAIL_DOMAIN", "customers.example.com"),
  }));
  const runtime = createEventConsumerRuntime("email", config, overrides);
  const outbox = new MailOutbox(runtime.dynamodb.document, config.outboxTable);
  const mailer =
    config.mailer === "ses"
      ? new SesMailer(
          traced(new SESv2Client({ ...config.ses, ...sdkClientSettings(config.sdk) })),
          outbox,
          config.from,
        )
      : new OutboxMailer(outbox);
  return sqsConsumerHandler(runtime, {
    accepts: CONSUMER_EVENTS.email,
    async handle(event) {
      const to = `${event.data.customerId}@${config.customerDomain}`;
      const result = await mailer.send(renderOrderEmail(event.eventType, event.data, to));
      runtime.logger.info(`email ${result}`, {
        orderId: event.data.orderId,
        eventType: event.eventType,
      });
    },
  });
}

export const handler = lazyHandler<SQSEvent, SQSBatchResponse>(buildHandler);
