/**
 * Turns whatever an operation threw into the runner's exit code and a one-paragraph reason that
 * names the stack and the operation. Pure apart from reading the error object.
 */
import { CommandError, ConcurrentUpdateError, StackNotFoundError } from "@pulumi/pulumi/automation";
import { ExitCode, RunnerError } from "./errors";
import { describeRun } from "./workspace";

/** Pulumi CLI exit codes (pkg/cmd/pulumi/cmd/exit_codes.go, CLI >= 3.227). */
const CLI_CONFIGURATION_ERROR = 2;
const CLI_STACK_NOT_FOUND = 6;
const CLI_NO_CHANGES_EXPECTED = 7;
const CLI_CANCELLED = 8;

/**
 * stderr texts of configuration problems that the CLI reports with a generic exit code; the
 * program reports a bad config value as "invalid configuration: <key> ..." (index.ts).
 */
const CONFIGURATION_PATTERNS = [
  /invalid configuration: /,
  /incorrect passphrase/i,
  /passphrase must be set/i,
  /missing required configuration (variable|key)/i,
  /configuration key .* is not namespaced/i,
  /could not parse .*config/i,
];

export interface Failure {
  exitCode: ExitCode;
  cancelled: boolean;
  message: string;
}

export interface FailureContext {
  operation: string;
  stack: string;
  expectNoChanges: boolean;
  /** The user asked to cancel (SIGINT/SIGTERM). */
  cancelRequested: boolean;
  /** Error diagnostics the engine reported during the run (already plain text). */
  diagnostics: string[];
}

interface CommandResultLike {
  stdout?: string;
  stderr?: string;
  code?: number;
}

export function stripFormatting(text: string): string {
  // ANSI escapes, and Pulumi's own colour tags such as <{%reset%}>
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "").replace(/<\{%[^%]*%\}>/g, "");
}

function commandResultOf(err: unknown): CommandResultLike | undefined {
  if (!(err instanceof CommandError)) return undefined;
  return (err as unknown as { commandResult?: CommandResultLike }).commandResult;
}

/** The "error: …" lines of the CLI's stderr, else its last line. */
function stderrReason(stderr: string): string | undefined {
  const lines = stripFormatting(stderr)
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const errors = lines.filter((l) => /^error:/i.test(l)).map((l) => l.replace(/^error:\s*/i, ""));
  if (errors.length > 0) return unique(errors).join("; ");
  return lines[lines.length - 1];
}

/**
 * One line from several messages: formatting, stack-trace frames, blank lines and repeats dropped
 * (the engine reports a program's exception both as a diagnostic and on stderr).
 */
export function condense(messages: string[]): string {
  const lines: string[] = [];
  for (const message of messages) {
    for (const raw of stripFormatting(message).split("\n")) {
      const line = raw.trim().replace(/^error:\s*/i, "");
      if (line === "" || /^at\s/.test(line)) continue;
      if (lines.some((seen) => seen.includes(line))) continue;
      for (let i = lines.length - 1; i >= 0; i--) if (line.includes(lines[i]!)) lines.splice(i, 1);
      lines.push(line);
    }
  }
  return lines.join(" ");
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

export function classifyFailure(err: unknown, ctx: FailureContext): Failure {
  const what = describeRun(ctx.operation, ctx.stack);
  if (err instanceof RunnerError) {
    return { exitCode: err.exitCode, cancelled: err.cancelled, message: err.message };
  }
  const result = commandResultOf(err);
  const stderr = result?.stderr ?? "";
  const code = result?.code;
  const cliReason = stderrReason(stderr);
  const detail = (fallback: string) => {
    const text = condense([...ctx.diagnostics, ...(cliReason ? [cliReason] : [])]);
    return text !== "" ? text : fallback;
  };

  if (code === CLI_CANCELLED || (ctx.cancelRequested && result !== undefined)) {
    return { exitCode: ExitCode.Failure, cancelled: true, message: `${what} cancelled` };
  }
  if (code === CLI_NO_CHANGES_EXPECTED || /no changes were expected/i.test(stderr)) {
    if (ctx.expectNoChanges) {
      return {
        exitCode: ExitCode.ChangesFound,
        cancelled: false,
        message: `${what}: --expect-no-changes, but the stack has changes pending`,
      };
    }
  }
  if (err instanceof StackNotFoundError || code === CLI_STACK_NOT_FOUND) {
    return { exitCode: ExitCode.Usage, cancelled: false, message: `${what}: the stack does not exist (${detail("not found")})` };
  }
  if (err instanceof ConcurrentUpdateError) {
    return {
      exitCode: ExitCode.Failure,
      cancelled: false,
      message: `${what} failed: another operation is running on this stack (${detail("concurrent update")})`,
    };
  }
  if (code === CLI_CONFIGURATION_ERROR || CONFIGURATION_PATTERNS.some((p) => p.test(stderr))) {
    return { exitCode: ExitCode.Usage, cancelled: false, message: `${what}: configuration error: ${detail("see above")}` };
  }
  if (result !== undefined) {
    return { exitCode: ExitCode.Failure, cancelled: false, message: `${what} failed: ${detail(`pulumi exited with ${code}`)}` };
  }
  const text = err instanceof Error ? err.message : String(err);
  return { exitCode: ExitCode.Failure, cancelled: ctx.cancelRequested, message: `${what} failed: ${text}` };
}
