/**
 * Command-line arguments of `npm run scan-report`: parsing, validation and the Region fallback.
 * Every problem is a UsageError, which the entry point turns into exit code 2.
 */
import { checkRepository, checkTag, parseCommandLine, resolveRegion, UsageError } from "../common/args";

export { UsageError };

export const USAGE =
  "usage: npm run scan-report -- --repository NAME (--tag T | --digest D) [--region R] [--timeout 600]\n" +
  "                              [--fail-on LOW|MEDIUM|HIGH|CRITICAL] [--json FILE]";

/** Severities --fail-on accepts, lowest first. */
export const FAIL_ON_LEVELS = ["LOW", "MEDIUM", "HIGH", "CRITICAL"] as const;
export type FailOn = (typeof FAIL_ON_LEVELS)[number];

export type ImageId = { imageTag: string } | { imageDigest: string };

export interface ScanReportOptions {
  repository: string;
  imageId: ImageId;
  region: string;
  timeoutSeconds: number;
  /** Absent: findings never fail the run. */
  failOn?: FailOn;
  jsonFile?: string;
}


const DEFAULT_TIMEOUT_SECONDS = 600;
// the OCI digest form `algorithm:hex`: a typo is a usage error, not an API error
const DIGEST_PATTERN = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-f0-9]{32,}$/;

/** Parses argv (without the node and script paths); returns "help" for -h/--help. */
export function parseScanReportArgs(argv: string[], env: NodeJS.ProcessEnv): ScanReportOptions | "help" {
  const values = parseCommandLine(argv, {
    repository: { type: "string" },
    tag: { type: "string" },
    digest: { type: "string" },
    region: { type: "string" },
    timeout: { type: "string" },
    "fail-on": { type: "string" },
    json: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return "help";

  return {
    repository: checkRepository(values.repository),
    imageId: imageIdOf(values.tag, values.digest),
    region: resolveRegion(values.region, env),
    timeoutSeconds: timeoutOf(values.timeout),
    failOn: failOnOf(values["fail-on"]),
    jsonFile: values.json,
  };
}

/** `repo:tag` or `repo@digest`, as people write image references. */
export function imageRef(repository: string, imageId: ImageId): string {
  return "imageTag" in imageId ? `${repository}:${imageId.imageTag}` : `${repository}@${imageId.imageDigest}`;
}

function imageIdOf(tag: string | undefined, digest: string | undefined): ImageId {
  if (tag !== undefined && digest !== undefined) throw new UsageError("give either --tag or --digest, not both");
  if (tag !== undefined) {
    return { imageTag: checkTag(tag) };
  }
  if (digest !== undefined) {
    if (!DIGEST_PATTERN.test(digest)) {
      throw new UsageError(`--digest "${digest}" is not an image digest (expected sha256:<64 hex digits>)`);
    }
    return { imageDigest: digest };
  }
  throw new UsageError("--tag or --digest is required");
}

function timeoutOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_SECONDS;
  const seconds = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(seconds > 0)) throw new UsageError(`--timeout must be a whole number of seconds above 0, got "${value}"`);
  return seconds;
}

function failOnOf(value: string | undefined): FailOn | undefined {
  if (value === undefined) return undefined;
  const level = FAIL_ON_LEVELS.find((l) => l === value.toUpperCase());
  if (!level) throw new UsageError(`--fail-on must be one of ${FAIL_ON_LEVELS.join(", ")}, got "${value}"`);
  return level;
}
