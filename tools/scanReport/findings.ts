/**
 * Scan findings as one list: every page of DescribeImageScanFindings, basic `findings` and
 * Amazon Inspector's `enhancedFindings` merged into one row shape, ordered by severity, counted.
 */
import {
  paginateDescribeImageScanFindings,
  type DescribeImageScanFindingsCommandInput,
  type ECRClient,
  type EnhancedImageScanFinding,
  type ImageScanFinding,
} from "@aws-sdk/client-ecr";
import type { FailOn } from "./args";

export interface FindingRow {
  severity: string;
  /** CVE id or finding name. */
  name: string;
  package?: string;
  version?: string;
  link?: string;
  source: "basic" | "enhanced";
}

/** ECR's FindingSeverity values, most severe first; the counts always list these. */
const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED"];
/** Amazon Inspector adds UNTRIAGED; anything else sorts after it. */
const SEVERITY_ORDER = [...SEVERITIES, "UNTRIAGED"];

/** The largest page DescribeImageScanFindings allows, so large reports take fewest calls. */
const PAGE_SIZE = 1000;

/** Reads every page of findings and returns them as rows, in the service's order. */
export async function collectFindings(client: ECRClient, input: DescribeImageScanFindingsCommandInput): Promise<FindingRow[]> {
  const rows: FindingRow[] = [];
  // the paginator writes nextToken into the input it is given, so it gets a copy; stopOnSameToken
  // ends the loop should the service ever hand back the token it was sent
  const pages = paginateDescribeImageScanFindings({ client, pageSize: PAGE_SIZE, stopOnSameToken: true }, { ...input });
  for await (const page of pages) {
    rows.push(...(page.imageScanFindings?.findings ?? []).map(basicRow));
    rows.push(...(page.imageScanFindings?.enhancedFindings ?? []).map(enhancedRow));
  }
  return rows;
}

function basicRow(finding: ImageScanFinding): FindingRow {
  const attribute = (key: string) => finding.attributes?.find((a) => a.key === key)?.value;
  return {
    severity: finding.severity ?? "UNDEFINED",
    name: finding.name ?? "(unnamed)",
    package: attribute("package_name"),
    version: attribute("package_version"),
    link: finding.uri,
    source: "basic",
  };
}

function enhancedRow(finding: EnhancedImageScanFinding): FindingRow {
  const details = finding.packageVulnerabilityDetails;
  const packages = details?.vulnerablePackages ?? [];
  const joined = (values: (string | undefined)[]) => (values.some((v) => v) ? values.map((v) => v ?? "?").join(", ") : undefined);
  return {
    severity: finding.severity ?? "UNDEFINED",
    name: details?.vulnerabilityId ?? finding.title ?? finding.findingArn ?? "(unnamed)",
    // one finding can name several packages; keep them in one row, in the same order in both columns
    package: joined(packages.map((p) => p.name)),
    version: joined(packages.map((p) => (p.version && p.release ? `${p.version}-${p.release}` : p.version))),
    link: details?.sourceUrl ?? finding.remediation?.recommendation?.url ?? details?.referenceUrls?.[0],
    source: "enhanced",
  };
}

function rank(severity: string): number {
  const index = SEVERITY_ORDER.indexOf(severity);
  return index === -1 ? SEVERITY_ORDER.length : index;
}

/** Most severe first; ties by name, then package, so the output is stable. */
export function sortFindings(rows: FindingRow[]): FindingRow[] {
  const text = (a: string | undefined, b: string | undefined) => ((a ?? "") < (b ?? "") ? -1 : (a ?? "") > (b ?? "") ? 1 : 0);
  return [...rows].sort((a, b) => rank(a.severity) - rank(b.severity) || text(a.name, b.name) || text(a.package, b.package));
}

/** Count per severity: every ECR severity (zeros included), then any other that occurs, in severity order. */
export function countBySeverity(rows: FindingRow[]): Record<string, number> {
  const others = [...new Set(rows.map((r) => r.severity).filter((s) => !SEVERITIES.includes(s)))];
  others.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
  const counts: Record<string, number> = Object.fromEntries([...SEVERITIES, ...others].map((s) => [s, 0]));
  for (const row of rows) counts[row.severity] += 1;
  return counts;
}

/** Findings at or above the --fail-on level. */
export function atOrAbove(rows: FindingRow[], failOn: FailOn): FindingRow[] {
  return rows.filter((row) => rank(row.severity) <= rank(failOn));
}
