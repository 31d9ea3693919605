/**
 * ECR's documented filter matching (User Guide, "Filters to choose which repositories are
 * scanned"): a filter without `*` matches every repository name that contains it; a filter with
 * `*` must match the whole name, each `*` standing for zero or more characters. Every other
 * character, `.` included, is literal.
 */

/** Whether a registry scanning filter matches a repository name. */
export function filterMatches(filter: string, repositoryName: string): boolean {
  if (!filter.includes("*")) return repositoryName.includes(filter);
  const pattern = filter
    .split("*")
    .map((literal) => literal.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${pattern}$`, "s").test(repositoryName);
}

/** A filter without `*` is a substring match, so it covers more repositories than its own name. */
export function isSubstringFilter(filter: string): boolean {
  return !filter.includes("*");
}
