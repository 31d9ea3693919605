/**
 * Ctrl-C handling: the first SIGINT (or SIGTERM) cancels the running operation cleanly and the
 * runner waits for the engine to stop; nothing is left half-written by the runner itself.
 *
 * The Pulumi CLI cancels gracefully on its first SIGINT and terminates on the second. A Ctrl-C in a
 * terminal reaches the CLI directly (same process group), and `npm run` forwards it to the runner a
 * second time, so the runner must not blindly forward it again. It forwards the interrupt (through
 * the Automation API's abort signal, which sends the CLI one SIGINT) only when the CLI has not
 * announced a cancellation of its own within a short grace period: the case of a signal sent to the
 * runner alone (`kill -INT <pid>`, a CI job timeout).
 *
 * `Stack.cancel()` is not used: it cancels an update recorded in a service backend, which the local
 * file backend does not support, and it would not stop the CLI process the runner is waiting for.
 */

/** What the CLI prints when it received an interrupt itself (pkg/backend/cancellation_scope.go). */
const CLI_SAW_INTERRUPT = /(\^C|SIGTERM|SIGINT) received; (cancelling|terminating)/;

export interface CancellationOptions {
  /** Called once, when the first signal arrives. */
  onRequested: (signal: NodeJS.Signals) => void;
  /** Milliseconds to let the CLI show it saw the interrupt itself before forwarding one. */
  graceMs?: number;
}

export class Cancellation {
  private readonly controller = new AbortController();
  private recentOutput = "";
  private requestedBy: NodeJS.Signals | undefined;
  private readonly handler = (signal: NodeJS.Signals) => this.request(signal);

  constructor(private readonly options: CancellationOptions) {}

  /** Passed to the Automation API operation; aborting it sends the CLI one SIGINT. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get requested(): boolean {
    return this.requestedBy !== undefined;
  }

  install(): void {
    process.on("SIGINT", this.handler);
    process.on("SIGTERM", this.handler);
  }

  uninstall(): void {
    process.off("SIGINT", this.handler);
    process.off("SIGTERM", this.handler);
  }

  /** Feed the CLI's output through here, so the runner can tell whether the CLI saw the interrupt. */
  observeOutput(text: string): void {
    this.recentOutput = (this.recentOutput + text).slice(-4096);
  }

  request(signal: NodeJS.Signals): void {
    if (this.requestedBy !== undefined) return; // duplicates (terminal + npm) and repeats: the CLI gets those itself
    this.requestedBy = signal;
    this.options.onRequested(signal);
    const timer = setTimeout(() => {
      if (!CLI_SAW_INTERRUPT.test(this.recentOutput)) this.controller.abort();
    }, this.options.graceMs ?? 1500);
    timer.unref();
  }
}
