/**
 * Command-line arguments of `npm run push-sample-image`. Every problem is a UsageError, which the
 * entry point turns into exit code 2.
 */
import { parseArgs } from "node:util";

export const USAGE = "usage: npm run push-sample-image -- --repository NAME [--tag latest] [--region R]";

export interface PushOptions {
  repository: string;
  tag: string;
  region: string;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}

// ECR's repository name pattern and Docker's tag grammar: a typo fails here, before docker builds
const REPOSITORY_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Parses argv (without the node and script paths); returns "help" for -h/--help. */
export function parsePushArgs(argv: string[], env: NodeJS.ProcessEnv): PushOptions | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        repository: { type: "string" },
        tag: { type: "string", default: "latest" },
        region: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return "help";
  const { repository, tag } = values;
  if (!repository) throw new UsageError("--repository is required");
  if (repository.length < 2 || repository.length > 256 || !REPOSITORY_PATTERN.test(repository)) {
    throw new UsageError(
      `--repository "${repository}" is not a valid ECR repository name ` +
        "(2 to 256 characters: lowercase letters, digits, and . _ - / between them)",
    );
  }
  if (!TAG_PATTERN.test(tag)) throw new UsageError(`--tag "${tag}" is not a valid image tag`);
  const region = values.region || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError("no AWS Region: pass --region or set AWS_REGION (or AWS_DEFAULT_REGION)");
  return { repository, tag, region };
}
