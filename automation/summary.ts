/**
 * What a run reports: the human summary printed at the end, and the JSON result for --json.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { OutputMap } from "@pulumi/pulumi/automation";
import type { ExitCode, RunResult } from "./errors";

export interface ChangeCounts {
  create: number;
  update: number;
  delete: number;
  same: number;
  replace: number;
}

/** The machine-readable result written by --json. */
export interface RunReport {
  stack: string;
  operation: string;
  result: RunResult;
  exitCode: ExitCode;
  changes: ChangeCounts;
  /** Stack outputs after the run (current outputs for preview); secret values are masked. */
  outputs: Record<string, unknown>;
  error?: string;
}

export const SECRET_MASK = "[secret]";

export function noChanges(): ChangeCounts {
  return { create: 0, update: 0, delete: 0, same: 0, replace: 0 };
}

/**
 * Counts from the engine's resourceChanges map (keys are step operations: "create", "same",
 * "replace", …). Imports count as creations; the create/delete halves of a replacement are
 * already counted once as "replace".
 */
export function countChanges(resourceChanges: Record<string, number> | undefined): ChangeCounts {
  const counts = noChanges();
  for (const [op, n] of Object.entries(resourceChanges ?? {})) {
    switch (op) {
      case "create":
      case "import":
        counts.create += n;
        break;
      case "update":
        counts.update += n;
        break;
      case "delete":
        counts.delete += n;
        break;
      case "same":
        counts.same += n;
        break;
      case "replace":
        counts.replace += n;
        break;
      default:
        // create-replacement, delete-replaced, read, refresh, discard…: covered above or not a change
        break;
    }
  }
  return counts;
}

export function hasChanges(counts: ChangeCounts): boolean {
  return counts.create + counts.update + counts.delete + counts.replace > 0;
}

export function plainOutputs(outputs: OutputMap | undefined): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  for (const [key, output] of Object.entries(outputs ?? {})) {
    plain[key] = output.secret ? SECRET_MASK : output.value;
  }
  return plain;
}

const VERB: Record<string, string> = {
  preview: "preview",
  up: "up",
  refresh: "refresh",
  destroy: "destroy",
  outputs: "outputs",
};

export function formatSummary(report: RunReport): string {
  const lines: string[] = [];
  const status =
    report.result === "succeeded"
      ? "succeeded"
      : report.result === "unexpected-changes"
        ? "found changes (--expect-no-changes)"
        : report.result;
  lines.push(`${VERB[report.operation] ?? report.operation} of stack ${report.stack}: ${status} (exit ${report.exitCode})`);
  if (report.operation !== "outputs") {
    const c = report.changes;
    const planned = report.operation === "preview" || report.result === "unexpected-changes";
    lines.push(
      planned
        ? `Planned changes: ${c.create} to create, ${c.update} to update, ${c.delete} to delete, ` +
            `${c.replace} to replace, ${c.same} unchanged`
        : `Resources: ${c.create} created, ${c.update} updated, ${c.delete} deleted, ` +
            `${c.replace} replaced, ${c.same} unchanged`,
    );
  }
  const keys = Object.keys(report.outputs).sort();
  if (keys.length > 0) {
    lines.push(report.operation === "preview" ? "Outputs (current, before this preview):" : "Outputs:");
    for (const key of keys) lines.push(`  ${key}: ${JSON.stringify(report.outputs[key])}`);
  } else if (report.operation !== "preview") {
    lines.push("Outputs: none");
  }
  return lines.join("\n");
}

export function writeJsonReport(file: string, report: RunReport): void {
  const target = path.resolve(file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, `${JSON.stringify(report, null, 2)}\n`);
}
