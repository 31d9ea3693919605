/**
 * The runner's exit codes and the one error type that carries them.
 */

export const ExitCode = {
  /** The operation succeeded (and, with --expect-no-changes, found nothing to change). */
  Success: 0,
  /** Any other failure: the operation failed, was cancelled, or no Pulumi CLI was found. */
  Failure: 1,
  /** Usage or configuration error: bad arguments, a malformed --config, no passphrase, unknown stack. */
  Usage: 2,
  /** --expect-no-changes found changes. */
  ChangesFound: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export type RunResult = "succeeded" | "failed" | "cancelled" | "unexpected-changes" | "invalid-usage";

export function resultFor(exitCode: ExitCode, cancelled = false): RunResult {
  if (cancelled) return "cancelled";
  switch (exitCode) {
    case ExitCode.Success:
      return "succeeded";
    case ExitCode.Usage:
      return "invalid-usage";
    case ExitCode.ChangesFound:
      return "unexpected-changes";
    default:
      return "failed";
  }
}

/** A failure the runner reports with its own message and exit code. */
export class RunnerError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly cancelled = false,
  ) {
    super(message);
    this.name = "RunnerError";
  }
}

export class UsageError extends RunnerError {
  constructor(message: string) {
    super(message, ExitCode.Usage);
    this.name = "UsageError";
  }
}
