import type { SentEmail } from "./email";
import type { Order, OrderHistoryEntry } from "./order";

/** What one consumer did with one event of an order. */
export interface EventHandling {
  readonly orderId: string;
  readonly at: string;
  readonly consumer: string;
  readonly eventId: string;
  readonly eventType: string;
  /** processed; duplicate (seen before); skipped (not for this consumer); failed (will be retried); published. */
  readonly outcome: "processed" | "duplicate" | "skipped" | "failed" | "published";
  readonly detail?: string | undefined;
}

/** Where consumers note what they did, and where the timeline reads it from. */
export interface EventLog {
  record(entry: EventHandling): Promise<void>;
  forOrder(orderId: string): Promise<readonly EventHandling[]>;
}

export interface TimelineEntry {
  readonly at: string;
  /** Who acted: api, stream-processor, fraud, inventory, email, analytics. */
  readonly source: string;
  readonly kind: string;
  readonly summary: string;
  readonly eventId?: string | undefined;
}

/**
 * One order's story across the system, oldest first: the changes the orders stream
 * recorded, what each consumer did with each event (including failures that were
 * retried), the fraud assessment and the emails sent.
 */
export function buildTimeline(
  order: Order,
  history: readonly OrderHistoryEntry[],
  handling: readonly EventHandling[],
  emails: readonly SentEmail[],
): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...history.map((entry) => ({
      at: entry.at,
      source: entry.actor,
      kind: entry.change,
      summary: entry.summary,
    })),
    ...handling.map((h) => ({
      at: h.at,
      source: h.consumer,
      kind: `EVENT_${h.outcome.toUpperCase()}`,
      summary: `${h.outcome} ${h.eventType}${h.detail ? `: ${h.detail}` : ""}`,
      eventId: h.eventId,
    })),
    ...emails.map((mail) => ({
      at: mail.sentAt,
      source: "email",
      kind: "EMAIL_SENT",
      summary: `"${mail.subject}" to ${mail.to}`,
    })),
  ];
  if (order.fraudAssessment && !history.some((e) => e.change === "FRAUD_ASSESSED")) {
    const { score, decision, assessedAt } = order.fraudAssessment;
    entries.push({
      at: assessedAt,
      source: "fraud",
      kind: "FRAUD_ASSESSED",
      summary: `Fraud score ${score} (${decision})`,
    });
  }
  return entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}
