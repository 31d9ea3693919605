/** fast-check generators for registry configurations within ECR's limits, and for rule inputs. */
import * as fc from "fast-check";
import { FREQUENCIES_BY_SCAN_TYPE, MAX_FILTERS_PER_RULE, type RegistryConfig, type ScanType } from "../../provider/model";
import type { Desired } from "../../provider/plan";

/** Valid filters from a small alphabet, so that generated registries often share filters. */
export const filterArb = fc.stringMatching(/^[a-c0-1*]{1,3}(?:[-/.][a-c*]{1,2})?$/);

/** 1..N distinct filters; sometimes close to the 100-filter limit. */
const filterListArb = fc.oneof(
  { weight: 4, arbitrary: fc.uniqueArray(filterArb, { minLength: 1, maxLength: 6 }) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: MAX_FILTERS_PER_RULE - 3, max: MAX_FILTERS_PER_RULE })
      .map((n) => Array.from({ length: n }, (_, i) => `bulk-${i}`)),
  },
);

export const scanTypeArb = fc.constantFrom<ScanType>("BASIC", "ENHANCED");

/** A configuration ECR would accept: distinct frequencies valid for the scan type, non-empty rules. */
export const registryConfigArb: fc.Arbitrary<RegistryConfig> = scanTypeArb.chain((scanType) =>
  fc
    .subarray([...FREQUENCIES_BY_SCAN_TYPE[scanType]])
    .chain((frequencies) => fc.shuffledSubarray(frequencies, { minLength: frequencies.length }))
    .chain((frequencies) =>
      fc.tuple(...frequencies.map(() => filterListArb)).map((lists) => ({
        scanType,
        rules: frequencies.map((scanFrequency, i) => ({ scanFrequency, filters: lists[i] ?? [] })),
      })),
    ),
);

export const desiredArb: fc.Arbitrary<Desired> = scanTypeArb.chain((scanType) =>
  fc.record({
    repositoryFilters: fc.uniqueArray(filterArb, { minLength: 1, maxLength: 4 }).map((f) => [...f].sort()),
    scanFrequency: fc.constantFrom(...(FREQUENCIES_BY_SCAN_TYPE[scanType] as ("SCAN_ON_PUSH" | "CONTINUOUS_SCAN")[])),
    scanType: fc.constant(scanType),
    allowScanTypeChange: fc.boolean(),
  }),
);

/** Every (frequency, filter) pair in a configuration, for "nothing foreign was lost" checks. */
export function filterPairs(config: RegistryConfig): string[] {
  return config.rules.flatMap((rule) => rule.filters.map((filter) => `${rule.scanFrequency} ${filter}`));
}
