import type { SentEmail } from "../notifications/order-email";
import type { Order, OrderHistoryEntry } from "./order";
import type { EventHandling } from "./ports";

export interface TimelineEntry {
  readonly at: string;
  /** Who acted: api, stream-processor, fraud, inventory, email, analytics. */
  readonly source: string;
  readonly kind: string;
  readonly summary: string;
  readonly eventId?: string | undefined;
  /** The correlation id of the order's flow, which every entry belongs to. */
  readonly correlationId?: string | undefined;
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
  entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const { correlationId } = order;
  return correlationId ? entries.map((entry) => ({ ...entry, correlationId })) : entries;
}
