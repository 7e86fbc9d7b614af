import { SESv2Client } from "@aws-sdk/client-sesv2";
import { MailOutbox, OutboxMailer } from "../adapters/outbox-mailer";
import { SesMailer } from "../adapters/ses-mailer";
import { emailsAbout, renderOrderEmail } from "../core/notifications/order-email";
import { sqsConsumerHandler } from "./event-consumer";
import { type ConsumerRuntime, lazyHandler } from "./runtime";

/** Tells the customer about their order: confirmed, shipped, rejected or cancelled. */
export function createEmailHandler(runtime: ConsumerRuntime) {
  const { config, clients, logger } = runtime;
  const outbox = new MailOutbox(clients.dynamodb, config.tables.mailOutbox);
  const mailer =
    config.email.mailer === "ses"
      ? new SesMailer(
          new SESv2Client({
            region: config.region,
            ...(config.endpoints.ses ? { endpoint: config.endpoints.ses } : {}),
          }),
          outbox,
          config.email.from,
        )
      : new OutboxMailer(outbox);
  return sqsConsumerHandler(runtime, {
    accepts: ["order_confirmed", "order_shipped", "order_rejected", "order_cancelled"],
    async handle(event) {
      if (event.eventType === "order_created" || !emailsAbout(event.eventType)) return;
      const to = `${event.data.customerId}@${config.email.customerDomain}`;
      const result = await mailer.send(renderOrderEmail(event.eventType, event.data, to));
      logger.info(`email ${result}`, { orderId: event.data.orderId, eventType: event.eventType });
    },
  });
}

export const handler = lazyHandler("email", createEmailHandler);
