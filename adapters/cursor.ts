import { InvalidCursorError } from "../core/shared/errors";
import type { Page } from "../core/shared/page";

/**
 * Cursors are the DynamoDB key to continue after, as opaque base64url JSON. Decoding checks
 * that the key has exactly the expected string attributes, so a forged cursor is a clear
 * client error rather than a DynamoDB validation failure.
 */
/** No key this service writes is longer; a longer one in a cursor was not issued here. */
const MAX_KEY_LENGTH = 1024;

export function encodeCursor(key: Record<string, string>): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string, keyNames: readonly string[]): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch (cause) {
    throw new InvalidCursorError({ cause });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new InvalidCursorError();
  }
  const entries = Object.entries(parsed);
  const valid =
    entries.length === keyNames.length &&
    entries.every(
      ([name, value]) =>
        keyNames.includes(name) &&
        typeof value === "string" &&
        value.length > 0 &&
        value.length <= MAX_KEY_LENGTH,
    );
  if (!valid) throw new InvalidCursorError();
  return Object.fromEntries(entries) as Record<string, string>;
}

/**
 * A page from a query that asked for one item more than `first`: the extra item only
 * says that another page exists. Each item's cursor is its own key, which is exactly the
 * `ExclusiveStartKey` that continues after it; it is encoded only if someone reads it
 * (GraphQL asks for a cursor or two; REST for the last one).
 */
export function toPage<T>(
  items: readonly Record<string, unknown>[],
  first: number,
  keyNames: readonly string[],
  fromItem: (item: Record<string, unknown>) => T,
): Page<T> {
  return {
    edges: items.slice(0, first).map((item) => ({
      node: fromItem(item),
      get cursor() {
        return encodeCursor(Object.fromEntries(keyNames.map((name) => [name, String(item[name])])));
      },
    })),
    hasNextPage: items.length > first,
  };
}
