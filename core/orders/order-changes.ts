import { cents, formatMoney } from "../shared/money";
import { type Order, type OrderHistoryEntry, unitsIn } from "./order";

export interface OrderChange {
  readonly eventName: "INSERT" | "MODIFY" | "REMOVE";
  readonly oldImage?: Order | undefined;
  readonly newImage?: Order | undefined;
}

export interface ChangeEffects {
  /** The events this change put in the order's outbox: the stream publishes them. */
  readonly owedEventIds: readonly string[];
  readonly history: readonly OrderHistoryEntry[];
}

/**
 * What one change to the orders table means: the events it owes (the table is the outbox
 * of every event, each written with the change that owes it) and the entries of the
 * order's history.
 */
export function effectsOf(change: OrderChange): ChangeEffects {
  const { oldImage, newImage } = change;
  const history: OrderHistoryEntry[] = [];

  if (change.eventName === "REMOVE" && oldImage) {
    history.push({
      ...entryBase(oldImage, `${pad(oldImage.version)}-deleted`),
      change: "DELETED",
      summary: "Order deleted",
    });
    return { owedEventIds: [], history };
  }
  if (!newImage) return { owedEventIds: [], history };
  const owedBefore = new Set(Object.keys(oldImage?.owed ?? {}));
  const owedEventIds = Object.keys(newImage.owed ?? {}).filter((id) => !owedBefore.has(id));

  if (change.eventName === "INSERT") {
    const units = unitsIn(newImage);
    history.push({
      ...entryBase(newImage),
      change: "CREATED",
      summary: `Order placed: ${units} units, ${formatMoney(cents(newImage.totalCents))}`,
      toStatus: newImage.status,
    });
  }

  if (change.eventName === "MODIFY" && oldImage) {
    if (!oldImage.fraudAssessment && newImage.fraudAssessment) {
      const { score, decision, reasons } = newImage.fraudAssessment;
      history.push({
        ...entryBase(newImage),
        change: "FRAUD_ASSESSED",
        summary: `Fraud score ${score} (${decision})${reasons.length ? `: ${reasons.join("; ")}` : ""}`,
      });
    }
    if (oldImage.status !== newImage.status) {
      history.push({
        ...entryBase(newImage),
        change: "STATUS_CHANGED",
        summary: `${oldImage.status} -> ${newImage.status}${newImage.statusReason ? `: ${newImage.statusReason}` : ""}`,
        fromStatus: oldImage.status,
        toStatus: newImage.status,
      });
    }
    if (!oldImage.stockReleased && newImage.stockReleased) {
      const units = unitsIn(newImage);
      history.push({
        ...entryBase(newImage),
        change: "STOCK_RELEASED",
        summary: `${units} units returned to stock`,
      });
    }
  }
  return { owedEventIds, history: distinctIds(history) };
}

/**
 * One change may make several entries (an assessment and the decision it led to, written
 * together): the first keeps the version's id, the others follow it (`000002`, `000002-2`),
 * so each is kept and they sort in the order they were made.
 */
function distinctIds(entries: OrderHistoryEntry[]): OrderHistoryEntry[] {
  const seen = new Map<string, number>();
  return entries.map((entry) => {
    const count = (seen.get(entry.entryId) ?? 0) + 1;
    seen.set(entry.entryId, count);
    return count === 1 ? entry : { ...entry, entryId: `${entry.entryId}-${count}` };
  });
}

function pad(version: number): string {
  return String(version).padStart(6, "0");
}

function entryBase(order: Order, entryId = pad(order.version)) {
  return { orderId: order.orderId, entryId, at: order.updatedAt, actor: order.updatedBy ?? "api" };
}
