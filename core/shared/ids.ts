import { InvalidInputError } from "./errors";

/**
 * The longest id any client may send: far above every id the shop issues (UUIDs, product
 * codes) and far below DynamoDB's 2 KB key limit, so a key the database would refuse is
 * the client's mistake, answered as such, not a server error.
 */
export const MAX_ID_LENGTH = 128;

/** `id`, checked: non-empty, at most MAX_ID_LENGTH characters, no control characters. */
export function checkId(what: string, id: string): string {
  if (id.length === 0) throw new InvalidInputError(`${what} must not be empty`);
  if (id.length > MAX_ID_LENGTH) {
    throw new InvalidInputError(`${what} must be at most ${MAX_ID_LENGTH} characters`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  if (/[\u0000-\u001f\u007f]/.test(id)) {
    throw new InvalidInputError(`${what} must not contain control characters`);
  }
  return id;
}

/** Free text a client sends, checked against its limit. */
export function checkText(what: string, text: string, maxLength: number): string {
  if (text.length > maxLength) {
    throw new InvalidInputError(`${what} must be at most ${maxLength} characters`);
  }
  return text;
}
