import * as z from "zod";
import { formatPath } from "../shared/issues";

/** Limits that keep one order inside a single DynamoDB transaction (100 items). */
export const MAX_LINES_PER_ORDER = 50;
export const MAX_QUANTITY_PER_LINE = 1000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.:@+-]*$/;

/**
 * The order request as a client sends it, whatever the channel (GraphQL input or REST
 * body, once its fields are renamed). Parsing it is the one place its rules live.
 */
export const orderRequestSchema = z.object(
  {
    customerId: z
      .string({ error: "is required" })
      .trim()
      .min(1, "is required")
      .max(128, "must be at most 128 characters")
      .regex(idPattern, "may contain only letters, digits and _ . : @ + -"),
    items: z
      .array(
        z.object({
          productId: z
            .string({ error: "is required" })
            .trim()
            .min(1, "is required")
            .max(64, "must be at most 64 characters"),
          quantity: z
            .number({ error: "must be a whole number" })
            .int("must be a whole number")
            .min(1, "must be at least 1")
            .max(MAX_QUANTITY_PER_LINE, `must be at most ${MAX_QUANTITY_PER_LINE}`),
        }),
        { error: "must be a list of items" },
      )
      .min(1, "must contain at least one item")
      .max(MAX_LINES_PER_ORDER, `must contain at most ${MAX_LINES_PER_ORDER} items`),
    idempotencyKey: z
      .string()
      .min(1, "must not be empty")
      .max(MAX_IDEMPOTENCY_KEY_LENGTH, `must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`)
      .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")
      .optional(),
  },
  { error: "must be a JSON object" },
);

export interface OrderRequest {
  readonly customerId: string;
  /** One line per product, sorted by product id; quantities of repeated products summed. */
  readonly items: readonly { readonly productId: string; readonly quantity: number }[];
  readonly idempotencyKey?: string;
}

export type OrderRequestParse =
  | { readonly ok: true; readonly request: OrderRequest }
  | { readonly ok: false; readonly field: string; readonly reason: string };

/**
 * Validates an order request and normalizes it. A product listed twice becomes one line,
 * since a cart that adds the same thing twice means the sum, and a transaction may touch
 * each product only once.
 */
export function parseOrderRequest(input: unknown): OrderRequestParse {
  const parsed = orderRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      field: issue ? formatPath(issue.path) || "input" : "input",
      reason: issue?.message ?? "is not valid",
    };
  }
  const quantities = new Map<string, number>();
  for (const { productId, quantity } of parsed.data.items) {
    quantities.set(productId, (quantities.get(productId) ?? 0) + quantity);
  }
  for (const [productId, quantity] of quantities) {
    if (quantity > MAX_QUANTITY_PER_LINE) {
      return {
        ok: false,
        field: "items",
        reason: `quantity of ${productId} must be at most ${MAX_QUANTITY_PER_LINE} in total`,
      };
    }
  }
  const items = [...quantities]
    .map(([productId, quantity]) => ({ productId, quantity }))
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
  const { customerId, idempotencyKey } = parsed.data;
  return {
    ok: true,
    request:
      idempotencyKey === undefined ? { customerId, items } : { customerId, items, idempotencyKey },
  };
}
