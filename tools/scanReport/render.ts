/**
 * Text and JSON output of scan-report. Pure: values in, strings out.
 */
import type { FailOn } from "./args";
import { errorName } from "./explain";
import type { FindingRow } from "./findings";
import type { Observation } from "./waitForScan";

/** Elapsed time as m:ss. */
function formatElapsed(elapsedMs: number): string {
  const seconds = Math.floor(elapsedMs / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/** One progress line per poll: the elapsed time and what the poll saw. */
export function renderProgress(elapsedMs: number, observation: Observation): string {
  const seen =
    observation.kind === "scan-not-found"
      ? "no scan yet (ScanNotFoundException)"
      : observation.kind === "call-failed"
        ? `the call failed (${errorName(observation.error)})`
        : observation.kind === "waiting" && observation.status === "ACTIVE"
          ? "ACTIVE, no findings yet"
          : observation.status;
  return `  [${formatElapsed(elapsedMs)}] ${seen}`;
}

export function renderCounts(counts: Record<string, number>): string[] {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const width = Math.max(...Object.keys(counts).map((s) => s.length));
  return [
    `Severity counts (${total} ${total === 1 ? "finding" : "findings"}):`,
    ...Object.entries(counts).map(([severity, count]) => `  ${severity.padEnd(width)}  ${count}`),
  ];
}

const COLUMNS: { title: string; cell(row: FindingRow): string }[] = [
  { title: "SEVERITY", cell: (r) => r.severity },
  { title: "NAME", cell: (r) => r.name },
  { title: "PACKAGE", cell: (r) => r.package ?? "-" },
  { title: "VERSION", cell: (r) => r.version ?? "-" },
  { title: "LINK", cell: (r) => r.link ?? "-" },
];

/** The findings table, rows in the order given; the last column is not padded. */
export function renderTable(rows: FindingRow[]): string[] {
  if (rows.length === 0) return ["No findings."];
  const cells = [COLUMNS.map((c) => c.title), ...rows.map((row) => COLUMNS.map((c) => c.cell(row)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  return cells.map((line) => line.map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]))).join("  "));
}

export function renderFailOn(failOn: FailOn, failing: number): string {
  return failing === 0
    ? `No finding at or above ${failOn} (--fail-on ${failOn}).`
    : `${failing} ${failing === 1 ? "finding" : "findings"} at or above ${failOn} (--fail-on ${failOn}).`;
}

export interface JsonReport {
  repository: string;
  imageTag?: string;
  imageDigest?: string;
  region: string;
  scanStatus: string;
  failOn: FailOn | null;
  counts: Record<string, number>;
  total: number;
  findings: FindingRow[];
}

/** The --json document: absent cells become null so every finding has the same keys. */
export function renderJson(report: JsonReport): string {
  const findings = report.findings.map((row) => ({
    severity: row.severity,
    name: row.name,
    package: row.package ?? null,
    version: row.version ?? null,
    link: row.link ?? null,
    source: row.source,
  }));
  return `${JSON.stringify({ ...report, findings }, null, 2)}\n`;
}
