/**
 * The CI stack runner:
 *
 *   npm run stack -- <preview|up|refresh|destroy|outputs> --stack NAME
 *                    [--config key=value ...] [--expect-no-changes] [--json FILE]
 *
 * Engine progress goes to stdout as it happens, then a summary; runner notices and errors go to
 * stderr. Exit codes: 0 success, 1 failure or cancelled, 2 usage or configuration error,
 * 3 --expect-no-changes found changes. See args.ts for the full usage text.
 */
import { USAGE, parseRunnerArgs, peekArgs } from "./args";
import { Cancellation } from "./cancellation";
import { ExitCode, RunnerError, resultFor } from "./errors";
import { runOperation } from "./operations";
import { formatSummary, noChanges, writeJsonReport, type RunReport } from "./summary";
import { describeRun } from "./workspace";

const notice = (text: string) => process.stderr.write(`stack-runner: ${text}\n`);

function finish(report: RunReport, jsonFile: string | undefined): never {
  process.stdout.write(`\n${formatSummary(report)}\n`);
  if (report.error) notice(report.error);
  if (jsonFile) {
    try {
      writeJsonReport(jsonFile, report);
    } catch (err) {
      notice(`${describeRun(report.operation, report.stack)}: could not write ${jsonFile}: ${(err as Error).message}`);
      if (report.exitCode === ExitCode.Success) process.exit(ExitCode.Failure);
    }
  }
  process.exit(report.exitCode);
}

async function main(argv: string[]): Promise<void> {
  let args;
  try {
    args = parseRunnerArgs(argv);
  } catch (err) {
    if (!(err instanceof RunnerError)) throw err;
    const peeked = peekArgs(argv);
    process.stderr.write(`stack-runner: ${err.message}\n\n${USAGE}\n`);
    if (peeked.jsonFile) {
      const report: RunReport = {
        stack: peeked.stack ?? "",
        operation: peeked.operation ?? "",
        result: resultFor(err.exitCode),
        exitCode: err.exitCode,
        changes: noChanges(),
        outputs: {},
        error: err.message,
      };
      try {
        writeJsonReport(peeked.jsonFile, report);
      } catch {
        // the usage error is what matters
      }
    }
    process.exit(err.exitCode);
  }
  if (!args) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(ExitCode.Success);
  }

  const what = describeRun(args.operation, args.stack);
  const cancellation = new Cancellation({
    onRequested: (signal) =>
      notice(`${what}: ${signal} received; cancelling and waiting for the engine to stop cleanly`),
  });
  cancellation.install();
  const report = await runOperation(args, process.env, cancellation, {
    write: (text) => process.stdout.write(text),
    notice,
  });
  finish(report, args.jsonFile);
}

main(process.argv.slice(2)).catch((err) => {
  // a bug in the runner itself, not an operation failure
  const peeked = peekArgs(process.argv.slice(2));
  notice(
    `${describeRun(peeked.operation ?? "operation", peeked.stack ?? "(unknown)")} failed: ` +
      `${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
  );
  process.exit(ExitCode.Failure);
});
