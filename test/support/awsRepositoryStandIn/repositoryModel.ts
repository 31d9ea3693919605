/**
 * The `aws:ecr/repository:Repository` schema as far as the stand-in supports it: input checks,
 * defaults, and which changes update in place and which replace. Pure; no gRPC, no AWS SDK.
 *
 * Follows pulumi-aws 7.x (the bridged terraform-provider-aws `aws_ecr_repository`): `name` and
 * `encryptionConfigurations` (and the per-resource `region`) force a new repository; the image
 * tag mutability, scan-on-push setting, `forceDelete` and tags update in place.
 */
import { UNKNOWN, containsUnknown, type PropertyMap } from "./protocol";

export const REPOSITORY_TYPE = "aws:ecr/repository:Repository";

/** ECR's CreateRepository `repositoryName` constraint (API reference), anchored. */
export const REPOSITORY_NAME_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
export const REPOSITORY_NAME_MIN = 2;
export const REPOSITORY_NAME_MAX = 256;
export const REPOSITORY_NAME_RULE =
  `${REPOSITORY_NAME_MIN} to ${REPOSITORY_NAME_MAX} characters: lowercase letters and digits, ` +
  `optionally separated by single ".", "_" or "-", in path components separated by "/" ` +
  `(pattern ${REPOSITORY_NAME_PATTERN.source})`;

export const IMAGE_TAG_MUTABILITIES = ["MUTABLE", "IMMUTABLE", "MUTABLE_WITH_EXCLUSION", "IMMUTABLE_WITH_EXCLUSION"];
export const ENCRYPTION_TYPES = ["AES256", "KMS", "KMS_DSSE"];

export const SUPPORTED_INPUTS = [
  "name",
  "forceDelete",
  "imageTagMutability",
  "imageScanningConfiguration",
  "encryptionConfigurations",
  "tags",
  "region",
] as const;

/** Inputs whose change replaces the repository. */
export const REPLACE_ON_CHANGE = ["name", "encryptionConfigurations", "region"] as const;
/** Inputs whose change updates the repository in place. */
export const UPDATE_IN_PLACE = ["imageTagMutability", "imageScanningConfiguration", "forceDelete", "tags"] as const;

export interface CheckFailure {
  property: string;
  reason: string;
}

export function repositoryNameProblem(name: string): string | undefined {
  if (name.length < REPOSITORY_NAME_MIN || name.length > REPOSITORY_NAME_MAX || !REPOSITORY_NAME_PATTERN.test(name)) {
    return `invalid ECR repository name ${JSON.stringify(name)}: a repository name must be ${REPOSITORY_NAME_RULE}`;
  }
  return undefined;
}

/** Validates inputs the way the real provider's schema does; unknown values are not judged. */
export function checkInputs(news: PropertyMap): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const key of Object.keys(news)) {
    if (!(SUPPORTED_INPUTS as readonly string[]).includes(key)) {
      failures.push({
        property: key,
        reason: `the AWS stand-in for tests does not support the input "${key}" (supported: ${SUPPORTED_INPUTS.join(", ")})`,
      });
    }
  }
  const name = news.name;
  if (name !== UNKNOWN) {
    if (typeof name !== "string") {
      failures.push({ property: "name", reason: `name must be a string, got ${JSON.stringify(name)}` });
    } else {
      const problem = repositoryNameProblem(name);
      if (problem) failures.push({ property: "name", reason: problem });
    }
  }
  const mutability = news.imageTagMutability;
  if (mutability !== undefined && mutability !== UNKNOWN && !IMAGE_TAG_MUTABILITIES.includes(String(mutability))) {
    failures.push({
      property: "imageTagMutability",
      reason: `expected imageTagMutability to be one of ${IMAGE_TAG_MUTABILITIES.join(", ")}, got ${JSON.stringify(mutability)}`,
    });
  }
  const encryption = news.encryptionConfigurations;
  if (Array.isArray(encryption)) {
    encryption.forEach((entry, i) => {
      const type = (entry as PropertyMap | null)?.encryptionType;
      if (type !== undefined && type !== UNKNOWN && !ENCRYPTION_TYPES.includes(String(type))) {
        failures.push({
          property: `encryptionConfigurations[${i}].encryptionType`,
          reason: `expected encryptionType to be one of ${ENCRYPTION_TYPES.join(", ")}, got ${JSON.stringify(type)}`,
        });
      }
    });
  }
  const forceDelete = news.forceDelete;
  if (forceDelete !== undefined && forceDelete !== UNKNOWN && typeof forceDelete !== "boolean") {
    failures.push({ property: "forceDelete", reason: `forceDelete must be a boolean, got ${JSON.stringify(forceDelete)}` });
  }
  const tags = news.tags;
  if (tags !== undefined && tags !== UNKNOWN && (typeof tags !== "object" || tags === null || Array.isArray(tags))) {
    failures.push({ property: "tags", reason: `tags must be a map of strings, got ${JSON.stringify(tags)}` });
  }
  return failures;
}

export interface EncryptionConfiguration {
  encryptionType: string;
  kmsKey: string;
}

/** Values with the provider's defaults filled in, so that "absent" and "default" compare equal. */
export function normalized(key: string, value: unknown): unknown {
  if (value === UNKNOWN || containsUnknown(value)) return value;
  switch (key) {
    case "imageTagMutability":
      return value ?? "MUTABLE";
    case "forceDelete":
      return value ?? false;
    case "tags":
      return value ?? {};
    case "imageScanningConfiguration":
      return { scanOnPush: Boolean((value as PropertyMap | undefined)?.scanOnPush) };
    case "encryptionConfigurations": {
      const list = Array.isArray(value) && value.length > 0 ? value : [{}];
      return list.map((e) => ({
        encryptionType: (e as PropertyMap).encryptionType ?? "AES256",
        kmsKey: (e as PropertyMap).kmsKey ?? "",
      }));
    }
    default:
      return value;
  }
}

export function sameValue(key: string, a: unknown, b: unknown): boolean {
  const x = normalized(key, a);
  const y = normalized(key, b);
  if (containsUnknown(x) || containsUnknown(y)) return false;
  return JSON.stringify(sortKeys(x)) === JSON.stringify(sortKeys(y));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value as PropertyMap)
        .sort()
        .map((k) => [k, sortKeys((value as PropertyMap)[k])]),
    );
  }
  return value;
}

export interface RepositoryDiff {
  replaces: string[];
  updates: string[];
}

/**
 * Compares new inputs with the old ones (old inputs when the engine sends them, else old outputs).
 * `region` only counts when the new inputs set it, since the old outputs always carry one.
 */
export function diffInputs(olds: PropertyMap, news: PropertyMap, ignoreChanges: string[] = []): RepositoryDiff {
  const replaces: string[] = [];
  const updates: string[] = [];
  for (const key of REPLACE_ON_CHANGE) {
    if (ignoreChanges.includes(key)) continue;
    if (key === "region" && news.region === undefined) continue;
    if (!sameValue(key, olds[key], news[key])) replaces.push(key);
  }
  for (const key of UPDATE_IN_PLACE) {
    if (ignoreChanges.includes(key)) continue;
    if (!sameValue(key, olds[key], news[key])) updates.push(key);
  }
  return { replaces, updates };
}
