/** One page of a list, each item with the opaque cursor that continues after it. */
export interface Page<T> {
  readonly edges: readonly { readonly node: T; readonly cursor: string }[];
  readonly hasNextPage: boolean;
}

export interface PageRequest {
  readonly first: number;
  readonly after?: string;
}

/** Most items a single page may hold, whatever a client asks for. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** The page a client asked for, with `first` clamped to 1..MAX_PAGE_SIZE. */
export function pageRequest(first?: number | null, after?: string | null): PageRequest {
  const size =
    first === null || first === undefined
      ? DEFAULT_PAGE_SIZE
      : Math.min(Math.max(Math.trunc(first), 1), MAX_PAGE_SIZE);
  return after ? { first: size, after } : { first: size };
}
