/** A value's path as a reader writes it: `items[0].quantity`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) =>
      typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`,
    )
    .join("");
}

/** Issues named in one line, beyond which the rest are only counted. */
const MAX_ISSUES_NAMED = 5;

/**
 * Every problem a schema found, each at its path, on one line: a log line that names only
 * the first problem, without where it is, leaves the reader to guess the rest.
 */
export function describeIssues(
  issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[],
): string {
  const named = issues
    .slice(0, MAX_ISSUES_NAMED)
    .map((issue) => `${formatPath(issue.path) || "(the whole value)"}: ${issue.message}`);
  const more = issues.length - named.length;
  return `${named.join("; ")}${more > 0 ? `; and ${more} more` : ""}`;
}
