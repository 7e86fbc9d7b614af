/** Money is always integer cents with an ISO-4217 currency; never a float. */
export interface Money {
  readonly amountCents: number;
  readonly currency: Currency;
}

export const CURRENCY = "USD";
export type Currency = typeof CURRENCY;

export function cents(amountCents: number, currency: Currency = CURRENCY): Money {
  if (!Number.isSafeInteger(amountCents)) {
    throw new RangeError(`money must be a whole number of cents, got ${amountCents}`);
  }
  return { amountCents, currency };
}

/** Dollars as a decimal number, for the REST wire format the old system used. */
export function toDecimal(amountCents: number): number {
  return Math.round(amountCents) / 100;
}

/** "$12.34": for people (emails, playground), never for arithmetic. */
export function formatMoney(money: Money): string {
  const sign = money.amountCents < 0 ? "-" : "";
  const abs = Math.abs(money.amountCents);
  const whole = Math.floor(abs / 100).toLocaleString("en-US");
  return `${sign}$${whole}.${String(abs % 100).padStart(2, "0")}`;
}
