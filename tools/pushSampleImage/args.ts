/**
 * Command-line arguments of `npm run push-sample-image`. Every problem is a UsageError, which the
 * entry point turns into exit code 2.
 */
import { parseArgs } from "node:util";
import { checkRepository, checkTag, resolveRegion, UsageError } from "../common/args";

export { UsageError };

export const USAGE = "usage: npm run push-sample-image -- --repository NAME [--tag latest] [--region R]";

export interface PushOptions {
  repository: string;
  tag: string;
  region: string;
}


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
  // checked before docker builds anything
  return {
    repository: checkRepository(values.repository),
    tag: checkTag(values.tag),
    region: resolveRegion(values.region, env),
  };
}
