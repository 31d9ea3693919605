/**
 * Command-line arguments of `npm run scan-report`: parsing, validation and the Region fallback.
 * Every problem is a UsageError, which the entry point turns into exit code 2.
 */
import { parseArgs } from "node:util";

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

export class UsageError extends Error {
  override readonly name = "UsageError";
}

const DEFAULT_TIMEOUT_SECONDS = 600;
// ECR's repository name pattern and length (CreateRepository), Docker's tag grammar, and the OCI
// digest form `algorithm:hex`; checking them here turns a typo into a usage error, not an API error
const REPOSITORY_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST_PATTERN = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-f0-9]{32,}$/;

/** Parses argv (without the node and script paths); returns "help" for -h/--help. */
export function parseScanReportArgs(argv: string[], env: NodeJS.ProcessEnv): ScanReportOptions | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        repository: { type: "string" },
        tag: { type: "string" },
        digest: { type: "string" },
        region: { type: "string" },
        timeout: { type: "string" },
        "fail-on": { type: "string" },
        json: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return "help";

  const repository = values.repository;
  if (!repository) throw new UsageError("--repository is required");
  if (repository.length < 2 || repository.length > 256 || !REPOSITORY_PATTERN.test(repository)) {
    throw new UsageError(
      `--repository "${repository}" is not a valid ECR repository name ` +
        "(2 to 256 characters: lowercase letters, digits, and . _ - / between them)",
    );
  }
  return {
    repository,
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
    if (!TAG_PATTERN.test(tag)) throw new UsageError(`--tag "${tag}" is not a valid image tag`);
    return { imageTag: tag };
  }
  if (digest !== undefined) {
    if (!DIGEST_PATTERN.test(digest)) {
      throw new UsageError(`--digest "${digest}" is not an image digest (expected sha256:<64 hex digits>)`);
    }
    return { imageDigest: digest };
  }
  throw new UsageError("--tag or --digest is required");
}

function resolveRegion(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const region = flag || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError("no AWS Region: pass --region or set AWS_REGION (or AWS_DEFAULT_REGION)");
  return region;
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
