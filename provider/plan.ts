/**
 * Pure planning for the registry scanning rule: given the registry's current configuration and
 * what this resource owns, compute the one configuration to write.
 *
 * No I/O, no Pulumi, no AWS SDK. Every function returns a new value; inputs are never mutated.
 * Foreign rules and filters (everything this resource did not add) are carried over unchanged
 * and in their original order, so that applying and then removing our part gives back exactly
 * the configuration we started from.
 */
import {
  FREQUENCIES_BY_SCAN_TYPE,
  MAX_FILTERS_PER_RULE,
  MAX_RULES,
  type Ownership,
  type RegistryConfig,
  type RuleInputs,
  type ScanType,
  type ScanningRule,
} from "./model";

/**
 * A planned change that cannot be made; nothing may be written when one is raised.
 * A plain Error with a name, not a subclass: the provider is serialized into state, and the
 * serializer turns classes into functions that call Error without setting the message.
 */
export function planError(message: string): Error {
  const error = new Error(message);
  error.name = "PlanError";
  return error;
}

export const isPlanError = (error: unknown): error is Error => error instanceof Error && error.name === "PlanError";

/** The desired part of the registry: what a RegistryScanningRule's inputs ask for. */
export type Desired = Pick<RuleInputs, "repositoryFilters" | "scanFrequency" | "scanType" | "allowScanTypeChange">;

/** What an earlier apply recorded; absent on create. */
export interface Applied extends Ownership {
  scanFrequency: string;
}

export interface ApplyPlan extends Ownership {
  /** The configuration to write. */
  next: RegistryConfig;
  /** False when `next` equals the current configuration, so no write is needed. */
  changed: boolean;
}

const cloneConfig = (config: RegistryConfig): RegistryConfig => ({
  scanType: config.scanType,
  rules: config.rules.map((rule) => ({ scanFrequency: rule.scanFrequency, filters: [...rule.filters] })),
});

/** Order-insensitive comparison of two configurations (ECR does not guarantee rule order). */
export function sameConfig(a: RegistryConfig, b: RegistryConfig): boolean {
  const key = (config: RegistryConfig) =>
    JSON.stringify([
      config.scanType,
      config.rules.map((rule) => [rule.scanFrequency, [...rule.filters].sort()]).sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1)),
    ]);
  return key(a) === key(b);
}

/** The rule with the given frequency, if the registry has one. */
export function ruleFor(config: RegistryConfig, scanFrequency: string): ScanningRule | undefined {
  return config.rules.find((rule) => rule.scanFrequency === scanFrequency);
}

/** Removes filters from the rule of one frequency and drops that rule if it becomes empty. */
export function withoutFilters(config: RegistryConfig, scanFrequency: string, filters: readonly string[]): RegistryConfig {
  const next = cloneConfig(config);
  const rule = ruleFor(next, scanFrequency);
  if (!rule || filters.length === 0) return next;
  const before = rule.filters.length;
  rule.filters = rule.filters.filter((filter) => !filters.includes(filter));
  // only a rule that we emptied is dropped; a rule that was already empty is someone else's
  if (rule.filters.length === 0 && before > 0) next.rules = next.rules.filter((r) => r !== rule);
  return next;
}

/** Rules that still hold a filter this resource does not own (after our own filters were removed). */
function foreignRules(config: RegistryConfig): ScanningRule[] {
  return config.rules.filter((rule) => rule.filters.length > 0);
}

function describeRule(rule: ScanningRule): string {
  const shown = rule.filters.slice(0, 3).map((f) => JSON.stringify(f)).join(", ");
  const more = rule.filters.length > 3 ? `, and ${rule.filters.length - 3} more` : "";
  return `${rule.scanFrequency} rule with filters [${shown}${more}]`;
}

/**
 * Plans create (no `applied`) or update (`applied` = the previous outputs): removes what we
 * owned before, then adds the desired filters to the rule of the desired frequency. A desired
 * filter that is already there belongs to someone else and is adopted; one we add is owned.
 */
export function planApply(current: RegistryConfig, desired: Desired, applied?: Applied): ApplyPlan {
  const base = applied ? withoutFilters(current, applied.scanFrequency, applied.ownedFilters) : cloneConfig(current);
  const next = cloneConfig(base);

  let previousScanType = applied?.previousScanType;
  if (base.scanType !== desired.scanType) {
    const others = foreignRules(base);
    if (others.length > 0 && !desired.allowScanTypeChange) {
      throw planError(
        `the registry scan type is ${base.scanType} and this rule needs ${desired.scanType}, but the registry holds ` +
          `rules this resource does not own (${others.map(describeRule).join("; ")}); switching the scan type changes ` +
          `how they scan. Set allowScanTypeChange to true to switch anyway`,
      );
    }
    const incompatible = base.rules.filter(
      (rule) => !FREQUENCIES_BY_SCAN_TYPE[desired.scanType].includes(rule.scanFrequency),
    );
    if (incompatible.length > 0) {
      throw planError(
        `cannot switch the registry scan type from ${base.scanType} to ${desired.scanType}: the registry holds a ` +
          `${incompatible.map(describeRule).join("; ")}, which scan type ${desired.scanType} does not support ` +
          `(it allows only ${FREQUENCIES_BY_SCAN_TYPE[desired.scanType].join(", ")})`,
      );
    }
    // remember the type we found only the first time we change it; switching back clears it
    previousScanType = previousScanType ?? (base.scanType as ScanType);
    next.scanType = desired.scanType;
  }
  if (previousScanType === desired.scanType) previousScanType = undefined;

  let rule = ruleFor(next, desired.scanFrequency);
  const alreadyPresent = new Set(rule?.filters ?? []);
  const toAdd = desired.repositoryFilters.filter((filter) => !alreadyPresent.has(filter));
  if (!rule && toAdd.length > 0) {
    if (next.rules.length >= MAX_RULES) {
      throw planError(
        `cannot add a ${desired.scanFrequency} rule: the registry already has ${next.rules.length} rules ` +
          `(${next.rules.map(describeRule).join("; ")}) and the limit is ${MAX_RULES}`,
      );
    }
    rule = { scanFrequency: desired.scanFrequency, filters: [] };
    next.rules.push(rule);
  }
  if (rule) {
    const total = rule.filters.length + toAdd.length;
    if (total > MAX_FILTERS_PER_RULE) {
      throw planError(
        `cannot add ${toAdd.length} filter(s) to the ${desired.scanFrequency} rule: it already holds ` +
          `${rule.filters.length} filters, and the limit is ${MAX_FILTERS_PER_RULE} per rule`,
      );
    }
    rule.filters.push(...toAdd);
  }

  // our previously owned filters were stripped above, so whatever is still present belongs to
  // someone else: adopted, never removed by us
  const adoptedFilters = desired.repositoryFilters.filter((filter) => alreadyPresent.has(filter));
  const ownedFilters = desired.repositoryFilters.filter((filter) => !adoptedFilters.includes(filter));
  return {
    next,
    changed: !sameConfig(current, next),
    ownedFilters,
    adoptedFilters,
    ...(previousScanType ? { previousScanType } : {}),
  };
}

/**
 * Plans delete: removes only the filters this resource owns and restores the scan type it
 * changed, when no foreign rule is left. Returns undefined when there is nothing to write.
 */
export function planRemove(current: RegistryConfig, applied: Applied & { scanType: string }): RegistryConfig | undefined {
  const next = withoutFilters(current, applied.scanFrequency, applied.ownedFilters);
  if (
    applied.previousScanType &&
    next.scanType === applied.scanType &&
    next.scanType !== applied.previousScanType &&
    foreignRules(next).length === 0 &&
    next.rules.every((rule) => FREQUENCIES_BY_SCAN_TYPE[applied.previousScanType as ScanType].includes(rule.scanFrequency))
  ) {
    next.scanType = applied.previousScanType;
  }
  return sameConfig(current, next) ? undefined : next;
}

/** Filters of ours that are missing from the rule of our frequency (used to verify a write). */
export function missingFilters(config: RegistryConfig, scanFrequency: string, filters: readonly string[]): string[] {
  const present = new Set(ruleFor(config, scanFrequency)?.filters ?? []);
  return filters.filter((filter) => !present.has(filter));
}
