/**
 * ECR's documented filter matching (User Guide, "Filters to choose which repositories are
 * scanned"): a filter without `*` matches every repository name that contains it; a filter with
 * `*` must match the whole name, each `*` standing for zero or more characters. Every other
 * character, `.` included, is literal.
 */

/** Whether a registry scanning filter matches a repository name. */
export function filterMatches(filter: string, repositoryName: string): boolean {
  if (!filter.includes("*")) return repositoryName.includes(filter);
  return globMatchesWhole(filter, repositoryName);
}

/**
 * `*` as zero or more characters, anchored at both ends. Greedy matching that backtracks only to
 * the last `*` takes at most length(pattern) × length(name) steps; a regular expression built from
 * the filter can take exponential time on filters with many `*`, and filters come from whoever
 * else writes the registry.
 */
function globMatchesWhole(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (n < name.length) {
    if (p < pattern.length && pattern[p] !== "*" && pattern[p] === name[n]) {
      p++;
      n++;
    } else if (p < pattern.length && pattern[p] === "*") {
      starAt = p++;
      resumeAt = n;
    } else if (starAt >= 0) {
      // let the last star swallow one more character and retry from there
      p = starAt + 1;
      n = ++resumeAt;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}

/** A filter without `*` is a substring match, so it covers more repositories than its own name. */
export function isSubstringFilter(filter: string): boolean {
  return !filter.includes("*");
}
