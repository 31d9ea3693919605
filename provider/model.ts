/**
 * Domain types and ECR limits for the registry scanning rule.
 *
 * Pure data: no Pulumi and no AWS SDK imports, so the planning and validation code that uses it
 * can be tested on its own and copied cheaply into the serialized provider.
 */

export const SCAN_TYPES = ["BASIC", "ENHANCED"] as const;
export type ScanType = (typeof SCAN_TYPES)[number];

/** Frequencies a rule of ours may use. MANUAL exists in the API but is only the implied default. */
export const SCAN_FREQUENCIES = ["SCAN_ON_PUSH", "CONTINUOUS_SCAN"] as const;
export type ScanFrequency = (typeof SCAN_FREQUENCIES)[number];

/** Which rule frequencies each registry scan type supports (ECR API, scanFrequency docs). */
export const FREQUENCIES_BY_SCAN_TYPE: Record<ScanType, readonly string[]> = {
  BASIC: ["SCAN_ON_PUSH"],
  ENHANCED: ["SCAN_ON_PUSH", "CONTINUOUS_SCAN"],
};

/** Limits from the ECR service model. */
export const MAX_RULES = 2;
export const MAX_FILTERS_PER_RULE = 100;
export const MIN_FILTER_LENGTH = 1;
export const MAX_FILTER_LENGTH = 255;
/** The filter pattern as ECR's API model documents it; quoted in messages. */
export const FILTER_PATTERN = /^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$/;
/**
 * The same language, written so that it cannot backtrack: runs of [a-z0-9*] joined by single
 * separators. The documented form nests quantifiers, and a long value that fails only near its
 * end ("payments-service-repository-prod-V2") takes it minutes to reject.
 */
export const FILTER_PATTERN_LINEAR = /^[a-z0-9*]+(?:[._\-/][a-z0-9*]+)*$/;
/** ECR's only filter type. */
export const FILTER_TYPE = "WILDCARD";

/** A registry scanning rule as this project handles it: filter strings, all of type WILDCARD. */
export interface ScanningRule {
  scanFrequency: string;
  filters: string[];
}

/** The registry scanning configuration of one account and Region, normalized. */
export interface RegistryConfig {
  scanType: string;
  rules: ScanningRule[];
}

/** Checked, unwrapped inputs of a RegistryScanningRule, as the provider methods receive them. */
export interface RuleInputs {
  repositoryFilters: string[];
  scanFrequency: ScanFrequency;
  scanType: ScanType;
  allowScanTypeChange: boolean;
  region?: string;
}

/** What this resource owns in the registry: everything delete needs to undo its own part. */
export interface Ownership {
  ownedFilters: string[];
  adoptedFilters: string[];
  /** The registry scan type before this resource changed it; absent when it never did. */
  previousScanType?: ScanType;
}

/** Outputs stored in state. Delete and read receive these, never the inputs. */
export interface RuleState extends RuleInputs, Ownership {
  /** The Region the rule was applied in (the input, or the resolved default). */
  region: string;
  registryId: string;
}
