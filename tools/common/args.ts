/** Argument checks both command-line tools share. Every problem is a UsageError (exit code 2). */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { repositoryNameProblem } from "../../common/repositoryName";

export class UsageError extends Error {
  override readonly name = "UsageError";
}

type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

/** Strict option parsing (no positionals); node's parse errors become UsageErrors. */
export function parseCommandLine<T extends OptionsConfig>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: false, options }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

// Docker's tag grammar: a typo fails as a usage error, not as an API or docker error
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function checkRepository(repository: string | undefined): string {
  if (!repository) throw new UsageError("--repository is required");
  const problem = repositoryNameProblem(repository);
  if (problem) throw new UsageError(`--repository ${problem}`);
  return repository;
}

export function checkTag(tag: string): string {
  if (!TAG_PATTERN.test(tag)) throw new UsageError(`--tag "${tag}" is not a valid image tag`);
  return tag;
}

/** --region, else AWS_REGION, else AWS_DEFAULT_REGION, as the AWS CLI and SDKs resolve it. */
export function resolveRegion(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const region = flag || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError("no AWS Region: pass --region or set AWS_REGION (or AWS_DEFAULT_REGION)");
  return region;
}
