/**
 * ECR's repository-name rule (CreateRepository): 2..256 characters, path segments of lowercase
 * letters and digits joined by single ".", "_" or "-", grouped by "/". Shared by the program,
 * which names the repository after its config, and the tools, which take a name on the command line.
 */
export const REPOSITORY_NAME_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** The rule a repository name breaks, or undefined when ECR accepts it. */
export function repositoryNameProblem(name: string): string | undefined {
  if (name.length >= 2 && name.length <= 256 && REPOSITORY_NAME_PATTERN.test(name)) return undefined;
  return (
    `${JSON.stringify(name)} must be 2..256 characters of lowercase letters and digits, separated by single ` +
    `".", "_" or "-" and grouped by "/" (${REPOSITORY_NAME_PATTERN.source})`
  );
}
