import * as z from "zod";
import { EVENT_LIMITS } from "../shared/events";
import { CURRENCY } from "../shared/money";
import { MAX_STOCK_BUCKETS } from "./product";

/** The most a product may cost: $100,000.00. */
export const MAX_PRICE_CENTS = 10_000_000;
/** The most units a product may hold, and the most one adjustment may move. */
export const MAX_STOCK = 1_000_000;
/** Product ids are what orders and URLs carry: short, and safe in a path. */
export const MAX_PRODUCT_ID_LENGTH = 64;
const productIdPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Control characters, but for tab and line breaks (a description may have paragraphs). */
function hasControlCharacters(value: string): boolean {
  for (const char of value) {
    const code = char.charCodeAt(0);
    if ((code < 0x20 && char !== "\t" && char !== "\n" && char !== "\r") || code === 0x7f) {
      return true;
    }
  }
  return false;
}

const text = (max: number, min = 1) =>
  z
    .string({ error: "is required" })
    .trim()
    .min(min, "is required")
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !hasControlCharacters(value), "must not contain control characters");

export const productIdSchema = z
  .string({ error: "is required" })
  .trim()
  .min(1, "is required")
  .max(MAX_PRODUCT_ID_LENGTH, `must be at most ${MAX_PRODUCT_ID_LENGTH} characters`)
  .regex(
    productIdPattern,
    "may contain only letters, digits and _ . - (and start with one of the first two)",
  );

const priceSchema = z.object(
  {
    amountCents: z
      .number({ error: "must be a whole number of cents" })
      .int("must be a whole number of cents")
      .min(0, "must not be negative")
      .max(MAX_PRICE_CENTS, `must be at most ${MAX_PRICE_CENTS} cents`),
    currency: z.literal(CURRENCY, { error: `must be ${CURRENCY}, the shop's only currency` }),
  },
  { error: "must be an amount in cents and a currency" },
);

const stockSchema = z
  .number({ error: "must be a whole number" })
  .int("must be a whole number")
  .min(0, "must not be negative")
  .max(MAX_STOCK, `must be at most ${MAX_STOCK}`);

/** What describes a product; every catalog write checks it here. */
const describing = {
  name: text(EVENT_LIMITS.productNameLength),
  description: text(EVENT_LIMITS.descriptionLength, 0),
  category: text(EVENT_LIMITS.labelLength),
  brand: text(EVENT_LIMITS.labelLength),
  price: priceSchema,
};

export const productInputSchema = z.object(
  {
    id: productIdSchema.optional(),
    ...describing,
    description: describing.description.default(""),
    stock: stockSchema,
  },
  { error: "must be an object" },
);
export type ProductInput = z.infer<typeof productInputSchema>;

export const productUpdateSchema = z
  .object(
    {
      name: describing.name.optional(),
      description: describing.description.optional(),
      category: describing.category.optional(),
      brand: describing.brand.optional(),
      price: priceSchema.optional(),
      expectedVersion: z
        .number({ error: "is required: the version the change was made against" })
        .int("must be a whole number")
        .min(1, "must be at least 1"),
    },
    { error: "must be an object" },
  )
  .refine(
    (u) => [u.name, u.description, u.category, u.brand, u.price].some((v) => v !== undefined),
    { error: "must change at least one field", path: ["input"] },
  );
export type ProductUpdate = z.infer<typeof productUpdateSchema>;

export const stockAdjustmentSchema = z.object({
  productId: productIdSchema,
  delta: z
    .number({ error: "must be a whole number" })
    .int("must be a whole number")
    .refine((d) => d !== 0, "must not be 0")
    .refine((d) => Math.abs(d) <= MAX_STOCK, `must be between -${MAX_STOCK} and ${MAX_STOCK}`),
  reason: text(EVENT_LIMITS.reasonLength),
});
export type StockAdjustment = z.infer<typeof stockAdjustmentSchema>;

export const stockBucketsSchema = z.object({
  productId: productIdSchema,
  buckets: z
    .number({ error: "must be a whole number" })
    .int("must be a whole number")
    .min(0, "must not be negative")
    .max(MAX_STOCK_BUCKETS, `must be at most ${MAX_STOCK_BUCKETS}`),
});

/** A parse that failed, as the field it failed on and why, or the parsed value. */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly field: string; readonly reason: string };

export function parseWith<T>(schema: z.ZodType<T>, input: unknown): Parsed<T> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const path = issue?.path.map(String) ?? [];
  return {
    ok: false,
    field: path.length > 0 ? path.join(".") : "input",
    reason: issue?.message ?? "is not valid",
  };
}

/**
 * One row of a catalog file (`npm run catalog -- import`, JSON or CSV), checked: flat, with
 * the id required, since the id is what makes importing the same file twice change nothing.
 */
export function parseCatalogRow(row: unknown): Parsed<CatalogRow> {
  if (typeof row !== "object" || row === null || Array.isArray(row)) {
    return { ok: false, field: "row", reason: "must be an object" };
  }
  const flat = row as Record<string, unknown>;
  if (flat.id === undefined || flat.id === "") {
    return { ok: false, field: "id", reason: "is required" };
  }
  return parseWith(catalogRowSchema, {
    id: flat.id,
    name: flat.name,
    description: flat.description ?? "",
    category: flat.category,
    brand: flat.brand,
    price: { amountCents: flat.priceCents, currency: flat.currency ?? CURRENCY },
    stock: flat.stock,
  });
}
const catalogRowSchema = productInputSchema.required({ id: true });
export type CatalogRow = z.infer<typeof catalogRowSchema>;

/** A catalog row in its file shape, as `export` writes it. */
export interface CatalogFileRow {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly category: string;
  readonly brand: string;
  readonly priceCents: number;
  readonly currency: string;
  readonly stock: number;
}

/** A problem with one row of a catalog file; rows count from 1. */
export interface RowProblem {
  readonly row: number;
  readonly field: string;
  readonly reason: string;
}

/**
 * Every problem of a catalog file at once, each with its row number, so a person fixes the
 * file in one go: each row checked, and each id used once.
 */
export function checkCatalogRows(
  rows: readonly unknown[],
  firstRow = 1,
): { readonly rows: CatalogRow[]; readonly problems: RowProblem[] } {
  const checked: CatalogRow[] = [];
  const problems: RowProblem[] = [];
  const seen = new Map<string, number>();
  rows.forEach((raw, index) => {
    const row = firstRow + index;
    const parsed = parseCatalogRow(raw);
    if (!parsed.ok) {
      problems.push({ row, field: parsed.field, reason: parsed.reason });
      return;
    }
    const earlier = seen.get(parsed.value.id);
    if (earlier !== undefined) {
      problems.push({ row, field: "id", reason: `repeats the id of row ${earlier}` });
      return;
    }
    seen.set(parsed.value.id, row);
    checked.push(parsed.value);
  });
  return { rows: checked, problems };
}

/** A product as a catalog file holds it. */
export function toCatalogFileRow(product: {
  productId: string;
  name: string;
  description: string;
  category: string;
  brand: string;
  priceCents: number;
  currency: string;
  stock: number;
}): CatalogFileRow {
  return {
    id: product.productId,
    name: product.name,
    description: product.description,
    category: product.category,
    brand: product.brand,
    priceCents: product.priceCents,
    currency: product.currency,
    stock: product.stock,
  };
}
