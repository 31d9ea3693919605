/**
 * Why a scan may never appear: which registry scanning rules and filters cover a repository,
 * evaluated with ECR's documented matching (provider/filterMatching.ts), not with the emulator's.
 * Pure: takes the configuration already read, returns the lines to print.
 */
import { filterMatches, isSubstringFilter } from "../../provider/filterMatching";
import { FREQUENCIES_BY_SCAN_TYPE } from "../../provider/model";
import type { ScanningConfiguration } from "./registry";

/** Frequencies that make ECR scan by itself under a scan type (MANUAL never does). */
function automaticFrequencies(scanType: string): readonly string[] {
  return (FREQUENCIES_BY_SCAN_TYPE as Record<string, readonly string[] | undefined>)[scanType] ?? [];
}

/** The likely reason no scan appeared, then every rule and filter with its verdict for the repository. */
export function explainMissingScan(config: ScanningConfiguration, repository: string, region: string): string[] {
  const automatic = automaticFrequencies(config.scanType);
  const covering = config.rules.filter(
    (rule) => automatic.includes(rule.scanFrequency) && rule.filters.some((f) => filterMatches(f, repository)),
  );
  return [
    ...likelyReason(config.scanType, covering.map((r) => r.scanFrequency), repository),
    ...describeRules(config, repository, region),
  ];
}

function likelyReason(scanType: string, coveringFrequencies: string[], repository: string): string[] {
  const enhanced = scanType === "ENHANCED";
  if (coveringFrequencies.length === 0) {
    return [
      `Likely reason: no rule covers repository "${repository}", so ECR does not scan its images by itself.`,
      enhanced
        ? "Under ENHANCED scanning, a repository that no filter matches is not scanned at all."
        : "Under BASIC scanning, a repository that no SCAN_ON_PUSH filter matches is scanned only when " +
          "someone starts a scan (StartImageScan).",
    ];
  }
  // ECR User Guide: when a continuous and a scan-on-push rule both match, continuous scanning wins
  const continuous = enhanced && coveringFrequencies.includes("CONTINUOUS_SCAN");
  const effective = continuous ? "CONTINUOUS_SCAN" : coveringFrequencies[0];
  const precedence =
    continuous && coveringFrequencies.includes("SCAN_ON_PUSH") ? " (continuous scanning wins when both rules match)" : "";
  return [
    `A ${effective} rule covers repository "${repository}"${precedence}, yet no scan appeared: the image may have ` +
      "been pushed before the rule covered the repository, or the scanner has not started yet.",
    enhanced
      ? "Push the image again, or check the repository's coverage in Amazon Inspector."
      : "Start a scan (StartImageScan) or push the image again.",
  ];
}

function describeRules(config: ScanningConfiguration, repository: string, region: string): string[] {
  const registry = config.registryId ? ` of registry ${config.registryId}` : "";
  const count = config.rules.length === 1 ? "1 rule" : `${config.rules.length} rules`;
  const end = config.rules.length ? ":" : ".";
  const lines = [`Registry scanning configuration${registry} in ${region}: ${config.scanType}, ${count}${end}`];
  const automatic = automaticFrequencies(config.scanType);
  for (const rule of config.rules) {
    const unused = automatic.includes(rule.scanFrequency) ? "" : ` (no automatic scans under ${config.scanType})`;
    lines.push(`  ${rule.scanFrequency}${unused}${rule.filters.length ? ":" : ": no filters"}`);
    const width = Math.max(...rule.filters.map((f) => f.length + 2));
    for (const filter of rule.filters) {
      const verdict = filterMatches(filter, repository) ? "matches       " : "does not match";
      const why = isSubstringFilter(filter) ? 'no "*": matches names that contain it' : 'has "*": must match the whole name';
      lines.push(`    ${`"${filter}"`.padEnd(width)}  ${verdict}  (${why})`);
    }
  }
  return lines;
}
