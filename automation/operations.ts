/**
 * Runs one operation on one stack through the Automation API: streams the engine's progress as
 * it happens, counts the changes, collects the outputs, and maps every outcome to an exit code.
 */
import type { EngineEvent, OutputMap, Stack } from "@pulumi/pulumi/automation";
import type { RunnerArgs } from "./args";
import type { Cancellation } from "./cancellation";
import { ExitCode, RunnerError, resultFor } from "./errors";
import { classifyFailure, stripFormatting } from "./failures";
import { countChanges, noChanges, plainOutputs, type ChangeCounts, type RunReport } from "./summary";
import { describeRun, locatePulumi, openStack, workspaceEnv, type Env } from "./workspace";

export interface RunIO {
  /** The engine's progress and the runner's own progress lines. */
  write(text: string): void;
  /** Runner notices (not the engine's output). */
  notice(text: string): void;
}

interface Outcome {
  changes: ChangeCounts;
  outputs?: OutputMap;
}

class EngineRun {
  readonly diagnostics: string[] = [];
  resourceChanges: Record<string, number> | undefined;

  constructor(
    private readonly io: RunIO,
    private readonly cancellation: Cancellation,
  ) {}

  /** Options shared by preview, up, refresh and destroy. */
  options() {
    return {
      onOutput: (text: string) => {
        this.cancellation.observeOutput(text);
        this.io.write(text);
      },
      onEvent: (event: EngineEvent) => {
        const diagnostic = event.diagnosticEvent;
        if (diagnostic && diagnostic.severity === "error" && !diagnostic.ephemeral) {
          this.diagnostics.push(stripFormatting(diagnostic.message).trim());
        }
        if (event.summaryEvent) this.resourceChanges = event.summaryEvent.resourceChanges;
      },
      signal: this.cancellation.signal,
    };
  }
}

function checkNotCancelled(cancellation: Cancellation, what: string): void {
  if (cancellation.requested) throw new RunnerError(`${what} cancelled`, ExitCode.Failure, true);
}

async function runOnStack(stack: Stack, args: RunnerArgs, run: EngineRun, cancellation: Cancellation, io: RunIO) {
  const what = describeRun(args.operation, args.stack);
  const expectNoChanges = args.expectNoChanges;
  checkNotCancelled(cancellation, what);
  switch (args.operation) {
    case "preview": {
      const result = await stack.preview({ ...run.options(), expectNoChanges });
      return { changes: countChanges(result.changeSummary) } satisfies Outcome;
    }
    case "up": {
      if (expectNoChanges) {
        // pulumi up --expect-no-changes applies the changes before it fails; preview first so a
        // pending change stops the run before anything is written
        io.notice(`${what}: --expect-no-changes: previewing first; nothing is applied if changes are found`);
        await stack.preview({ ...run.options(), expectNoChanges: true });
        checkNotCancelled(cancellation, what);
      }
      const result = await stack.up({ ...run.options(), expectNoChanges });
      return { changes: countChanges(result.summary.resourceChanges), outputs: result.outputs } satisfies Outcome;
    }
    case "refresh": {
      if (expectNoChanges) {
        io.notice(`${what}: --expect-no-changes: previewing the refresh first; nothing is written if changes are found`);
        await stack.refresh({ ...run.options(), previewOnly: true, expectNoChanges: true });
        checkNotCancelled(cancellation, what);
      }
      const result = await stack.refresh({ ...run.options(), expectNoChanges });
      return { changes: countChanges(result.summary.resourceChanges) } satisfies Outcome;
    }
    case "destroy": {
      const result = await stack.destroy({ ...run.options() });
      return { changes: countChanges(result.summary.resourceChanges) } satisfies Outcome;
    }
    case "outputs":
      return { changes: noChanges() } satisfies Outcome;
  }
}

/** Runs the operation; never throws: every outcome becomes a report with its exit code. */
export async function runOperation(args: RunnerArgs, env: Env, cancellation: Cancellation, io: RunIO): Promise<RunReport> {
  const what = describeRun(args.operation, args.stack);
  const run = new EngineRun(io, cancellation);
  let stack: Stack | undefined;
  try {
    // configuration first (cheap, exit 2), then the CLI
    const envVars = workspaceEnv(env, args.operation, args.stack);
    const pulumiCommand = await locatePulumi(env, args.operation, args.stack);
    checkNotCancelled(cancellation, what);
    io.notice(`${what}: pulumi ${pulumiCommand.version?.version ?? "(unknown version)"} (${pulumiCommand.command})`);
    stack = await openStack({ ...args, envVars, pulumiCommand });
    const outcome = await runOnStack(stack, args, run, cancellation, io);
    const outputs = outcome.outputs ?? (await stack.outputs());
    return {
      stack: args.stack,
      operation: args.operation,
      result: resultFor(ExitCode.Success),
      exitCode: ExitCode.Success,
      changes: outcome.changes,
      outputs: plainOutputs(outputs),
    };
  } catch (err) {
    const failure = classifyFailure(err, {
      operation: args.operation,
      stack: args.stack,
      expectNoChanges: args.expectNoChanges,
      cancelRequested: cancellation.requested,
      diagnostics: run.diagnostics,
    });
    let outputs: OutputMap | undefined;
    if (stack && failure.exitCode !== ExitCode.Usage) {
      outputs = await stack.outputs().catch(() => undefined);
    }
    return {
      stack: args.stack,
      operation: args.operation,
      result: resultFor(failure.exitCode, failure.cancelled),
      exitCode: failure.exitCode,
      changes: countChanges(run.resourceChanges),
      outputs: plainOutputs(outputs),
      error: failure.message,
    };
  }
}
