import { describe, expect, it } from "vitest";
import { cents, formatMoney, toDecimal } from "./money";

describe("money", () => {
  it("formats cents for people with thousands separators", () => {
    expect(formatMoney(cents(123456789))).toBe("$1,234,567.89");
    expect(formatMoney(cents(5))).toBe("$0.05");
    expect(formatMoney(cents(-250))).toBe("-$2.50");
  });

  it("turns cents into the decimal dollars of the old wire format without float drift", () => {
    expect(toDecimal(19999)).toBe(199.99);
    expect(toDecimal(10)).toBe(0.1);
    expect(toDecimal(3 * 1999)).toBe(59.97);
  });

  it("refuses fractions of a cent", () => {
    expect(() => cents(10.5)).toThrow(RangeError);
  });
});
