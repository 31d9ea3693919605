/**
 * Input validation for `check`: every rule a RegistryScanningRule input must satisfy, applied
 * before any AWS call so that `pulumi preview` fails on bad input.
 *
 * Returns one failure per property. Each reason names the offending value and the rule it breaks.
 * Values not known yet (preview of a value computed from another resource) are not judged.
 */
import {
  FILTER_PATTERN,
  FILTER_PATTERN_LINEAR,
  FILTER_TYPE,
  FREQUENCIES_BY_SCAN_TYPE,
  MAX_FILTER_LENGTH,
  MAX_FILTERS_PER_RULE,
  MIN_FILTER_LENGTH,
  SCAN_FREQUENCIES,
  SCAN_TYPES,
  type RuleInputs,
  type ScanFrequency,
  type ScanType,
} from "./model";

/** The engine's placeholder for a value that is not known during preview. */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface InputFailure {
  property: string;
  reason: string;
}

/** Input names the resource accepts; `__provider` is Pulumi's own. */
export const INPUT_NAMES = ["repositoryFilters", "scanFrequency", "scanType", "allowScanTypeChange", "region"] as const;
const RESERVED_INPUT_NAMES = ["__provider"];

const FILTER_RULE =
  `must match ${FILTER_PATTERN.source} (lowercase letters, digits and "*", joined by single ".", "_", "-" or "/") ` +
  `and be ${MIN_FILTER_LENGTH}..${MAX_FILTER_LENGTH} characters long`;

const isUnknown = (value: unknown) => value === UNKNOWN_VALUE;

/** The reason a single filter item is invalid, or undefined when it is a valid WILDCARD filter. */
export function filterProblem(item: unknown): string | undefined {
  if (isUnknown(item)) return undefined;
  if (typeof item === "object" && item !== null && "filterType" in item) {
    const filterType = (item as { filterType?: unknown }).filterType;
    if (filterType !== FILTER_TYPE) {
      return `has filter type ${JSON.stringify(filterType)}; the only filter type is ${FILTER_TYPE}, and filters are given as plain strings`;
    }
  }
  if (typeof item !== "string") {
    return `${JSON.stringify(item)} must be a plain string (its filter type is always ${FILTER_TYPE})`;
  }
  if (item.length < MIN_FILTER_LENGTH || item.length > MAX_FILTER_LENGTH || !FILTER_PATTERN_LINEAR.test(item)) {
    return `${JSON.stringify(item)} ${FILTER_RULE}`;
  }
  return undefined;
}

function checkFilters(value: unknown): string | undefined {
  if (isUnknown(value)) return undefined;
  if (!Array.isArray(value)) {
    return `${JSON.stringify(value) ?? "undefined"} must be a list of 1..${MAX_FILTERS_PER_RULE} filter strings`;
  }
  const problems = value.flatMap((item, index) => {
    const problem = filterProblem(item);
    return problem ? [`item ${index}: ${problem}`] : [];
  });
  if (problems.length > 0) return problems.join("; ");
  const distinct = new Set(value.filter((item) => !isUnknown(item)));
  const hasUnknown = value.some(isUnknown);
  if (distinct.size === 0 && !hasUnknown) {
    return `[] must hold at least 1 filter`;
  }
  if (distinct.size > MAX_FILTERS_PER_RULE) {
    return `has ${distinct.size} distinct filters; a registry scanning rule holds at most ${MAX_FILTERS_PER_RULE}`;
  }
  return undefined;
}

function checkEnum(value: unknown, allowed: readonly string[], manualNote: boolean): string | undefined {
  if (value === undefined || isUnknown(value) || allowed.includes(value as string)) return undefined;
  const note =
    manualNote && value === "MANUAL"
      ? "; MANUAL is what repositories matched by no rule get, not a rule of its own"
      : "";
  return `${JSON.stringify(value)} must be one of ${allowed.join(", ")}${note}`;
}

/** Validates raw inputs; returns normalized inputs (defaults applied, filters de-duplicated and sorted). */
export function checkInputs(news: Record<string, unknown>): { inputs: RuleInputs; failures: InputFailure[] } {
  const failures: InputFailure[] = [];
  const fail = (property: string, reason: string | undefined) => {
    if (reason) failures.push({ property, reason });
  };

  for (const name of Object.keys(news)) {
    if (!(INPUT_NAMES as readonly string[]).includes(name) && !RESERVED_INPUT_NAMES.includes(name)) {
      fail(name, `is not an input of RegistryScanningRule; the inputs are ${INPUT_NAMES.join(", ")}`);
    }
  }

  fail("repositoryFilters", checkFilters(news.repositoryFilters));
  fail("scanFrequency", checkEnum(news.scanFrequency, SCAN_FREQUENCIES, true));
  fail("scanType", checkEnum(news.scanType, SCAN_TYPES, false));

  const scanType = (news.scanType ?? "BASIC") as ScanType;
  const scanFrequency = (news.scanFrequency ?? "SCAN_ON_PUSH") as ScanFrequency;
  const combinationKnown =
    !failures.some((f) => f.property === "scanType" || f.property === "scanFrequency") &&
    !isUnknown(scanType) &&
    !isUnknown(scanFrequency);
  if (combinationKnown && !FREQUENCIES_BY_SCAN_TYPE[scanType].includes(scanFrequency)) {
    fail(
      "scanFrequency",
      `${JSON.stringify(scanFrequency)} is not supported by scan type ${scanType}; ${scanType} allows only ` +
        FREQUENCIES_BY_SCAN_TYPE[scanType].join(", "),
    );
  }

  const allow = news.allowScanTypeChange;
  if (allow !== undefined && !isUnknown(allow) && typeof allow !== "boolean") {
    fail("allowScanTypeChange", `${JSON.stringify(allow)} must be true or false`);
  }

  const region = news.region;
  if (region !== undefined && !isUnknown(region) && (typeof region !== "string" || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region))) {
    fail("region", `${JSON.stringify(region)} must be an AWS Region code such as ap-northeast-1`);
  }

  const filters = Array.isArray(news.repositoryFilters)
    ? [...new Set(news.repositoryFilters as string[])].sort()
    : (news.repositoryFilters as string[]);
  const inputs = {
    repositoryFilters: filters,
    scanFrequency,
    scanType,
    allowScanTypeChange: (allow ?? false) as boolean,
    region: region as string | undefined,
  };
  // a missing value stays missing: the engine cannot carry a property whose value is undefined
  const present = Object.entries(inputs).filter(([, value]) => value !== undefined);
  return { inputs: Object.fromEntries(present) as unknown as RuleInputs, failures };
}
