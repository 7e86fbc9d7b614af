import { InvalidInputError } from "./errors";

/**
 * One page of a list, in the list's order, each item with the opaque cursor that points at
 * it: a page continues after its last cursor, or before its first.
 */
export interface Page<T> {
  readonly edges: readonly { readonly node: T; readonly cursor: string }[];
  /**
   * Whether items follow the page. A page read backward says false: finding out would take
   * another read, and Relay allows a server that cannot tell cheaply to say false.
   */
  readonly hasNextPage: boolean;
  /** Whether items come before the page: known for a page read backward, false otherwise. */
  readonly hasPreviousPage?: boolean;
}

/** The `first` items after the cursor `after`, or from the list's start. */
export interface ForwardPageRequest {
  readonly first: number;
  readonly after?: string;
}

/** The `last` items before the cursor `before`, or at the list's end. */
export interface BackwardPageRequest {
  readonly last: number;
  readonly before?: string;
}

export type PageRequest = ForwardPageRequest | BackwardPageRequest;

/** Relay's paging arguments as a client gives them (GraphQL gives a left-out one as null). */
export interface PageArgs {
  readonly first?: number | null | undefined;
  readonly after?: string | null | undefined;
  readonly last?: number | null | undefined;
  readonly before?: string | null | undefined;
}

/** Most items a single page may hold, whatever a client asks for. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** A page size a client asked for, clamped to 1..MAX_PAGE_SIZE; DEFAULT_PAGE_SIZE when absent. */
export function pageSize(size?: number | null): number {
  return size === null || size === undefined
    ? DEFAULT_PAGE_SIZE
    : Math.min(Math.max(Math.trunc(size), 1), MAX_PAGE_SIZE);
}

/**
 * The page a client asked for with Relay's arguments: forward with `first` and `after`, or
 * backward with `last` and `before` (the size clamped by `pageSize`). A request that mixes
 * the two directions is refused: its meaning is unclear, and Relay discourages it.
 */
export function pageRequest(
  first?: number | null,
  after?: string | null,
  last?: number | null,
  before?: string | null,
): PageRequest {
  const given = (value: unknown) => value !== null && value !== undefined;
  const backward = given(last) || given(before);
  if (backward && (given(first) || given(after))) {
    throw new InvalidInputError(
      "page forward with first and after, or backward with last and before, not both ways at once",
    );
  }
  if (backward) return before ? { last: pageSize(last), before } : { last: pageSize(last) };
  return after ? { first: pageSize(first), after } : { first: pageSize(first) };
}

/**
 * A page read walking the list backward (the item nearest the cursor first, then one more
 * than the page needs), put back in the list's order: the extra item it read tells whether
 * items come before the page.
 */
export function readBackward<T>(read: Page<T>): Page<T> {
  return {
    edges: [...read.edges].reverse(),
    hasPreviousPage: read.hasNextPage,
    hasNextPage: false,
  };
}
