import type { EmailMessage, SentEmail } from "./order-email";

/** Reads what was sent, for people checking what the shop told its customers. */
export interface SentEmailReader {
  forOrder(orderId: string): Promise<SentEmail[]>;
  recent(limit: number): Promise<SentEmail[]>;
}

/** Sends mail. Sending one (order, event type) twice sends one message. */
export interface Mailer {
  send(message: EmailMessage): Promise<"sent" | "duplicate">;
}
