/**
 * Command-line arguments of `npm run push-sample-image`. Every problem is a UsageError, which the
 * entry point turns into exit code 2.
 */
import { checkRepository, checkTag, parseCommandLine, resolveRegion, UsageError } from "../common/args";

export { UsageError };

export const USAGE = "usage: npm run push-sample-image -- --repository NAME [--tag latest] [--region R]";

export interface PushOptions {
  repository: string;
  tag: string;
  region: string;
}

/** Parses argv (without the node and script paths); returns "help" for -h/--help. */
export function parsePushArgs(argv: string[], env: NodeJS.ProcessEnv): PushOptions | "help" {
  const values = parseCommandLine(argv, {
    repository: { type: "string" },
    tag: { type: "string", default: "latest" },
    region: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return "help";
  // checked before docker builds anything
  return {
    repository: checkRepository(values.repository),
    tag: checkTag(values.tag),
    region: resolveRegion(values.region, env),
  };
}
