import type { EventType, OrderStatusChangedData } from "../shared/events";
import { cents, formatMoney } from "../shared/money";

export interface EmailMessage {
  readonly orderId: string;
  readonly eventType: EventType;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** A message as the outbox keeps it. */
export interface SentEmail extends EmailMessage {
  readonly sentAt: string;
  /** Which mailer sent it: `outbox` locally, `ses` in the cloud. */
  readonly via: string;
}

/** The events a customer hears about. */
export const CUSTOMER_EMAIL_EVENTS = [
  "order_confirmed",
  "order_shipped",
  "order_rejected",
  "order_cancelled",
] as const satisfies readonly EventType[];
export type CustomerEmailEvent = (typeof CUSTOMER_EMAIL_EVENTS)[number];

/** What each of them says. */
const TEMPLATES: Record<CustomerEmailEvent, { subject: string; lead: string }> = {
  order_confirmed: {
    subject: "Your order is confirmed",
    lead: "Thank you! Your payment went through and your order is confirmed.",
  },
  order_shipped: {
    subject: "Your order is on its way",
    lead: "Good news: your order has shipped.",
  },
  order_rejected: {
    subject: "We could not accept your order",
    lead: "We are sorry: we could not accept your order, and you have not been charged.",
  },
  order_cancelled: {
    subject: "Your order is cancelled",
    lead: "Your order has been cancelled. If you were charged, the amount will be refunded.",
  },
};

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

/** Renders the customer's message about an order event, as text and as HTML. */
export function renderOrderEmail(
  eventType: CustomerEmailEvent,
  order: OrderStatusChangedData,
  to: string,
): EmailMessage {
  const template = TEMPLATES[eventType];
  const total = formatMoney(cents(order.totalCents));
  const lines = order.items.map(
    (line) => `${line.quantity} x ${line.productName} (${formatMoney(cents(line.lineTotalCents))})`,
  );
  const reason = order.reason ? `Reason: ${order.reason}` : undefined;
  const subject = `${template.subject} (order ${order.orderId})`;
  const text = [
    template.lead,
    "",
    `Order ${order.orderId}`,
    ...lines.map((line) => `  ${line}`),
    `Total: ${total}`,
    ...(reason ? ["", reason] : []),
  ].join("\n");
  const html = [
    `<!doctype html><html><body style="font-family:sans-serif">`,
    `<p>${escapeHtml(template.lead)}</p>`,
    `<h2>Order ${escapeHtml(order.orderId)}</h2>`,
    `<ul>${lines.map((line) => `<li>${escapeHtml(line)}</li>`).join("")}</ul>`,
    `<p><strong>Total: ${escapeHtml(total)}</strong></p>`,
    reason ? `<p>${escapeHtml(reason)}</p>` : "",
    `</body></html>`,
  ].join("");
  return { orderId: order.orderId, eventType, to, subject, text, html };
}
