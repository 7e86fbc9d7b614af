import { type SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import type { EmailMessage } from "../core/notifications/order-email";
import type { Mailer } from "../core/notifications/ports";
import type { MailOutbox } from "./outbox-mailer";

/**
 * Sends through Amazon SES v2 and keeps a copy in the outbox. The outbox slot of the
 * (order, event type) is claimed first, so a message SES accepted is never sent again; a
 * claim whose send failed stays undelivered and is sent by the retry.
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly outbox: MailOutbox,
    private readonly from: string,
  ) {}

  async send(message: EmailMessage): Promise<"sent" | "duplicate"> {
    if (!(await this.outbox.claim(message, "ses", { retryUnsent: true }))) return "duplicate";
    const { MessageId } = await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: this.from,
        Destination: { ToAddresses: [message.to] },
        Content: {
          Simple: {
            Subject: { Data: message.subject, Charset: "UTF-8" },
            Body: {
              Text: { Data: message.text, Charset: "UTF-8" },
              Html: { Data: message.html, Charset: "UTF-8" },
            },
          },
        },
      }),
    );
    await this.outbox.markDelivered(message, MessageId ?? "unknown");
    return "sent";
  }
}
