/**
 * Waiting for a scan result, and nothing else: it polls DescribeImageScanFindings, reports each
 * poll, and says how the wait ended. Printing and paging belong to the callers.
 *
 * BASIC scans wait with the SDK's `waitUntilImageScanComplete`. ENHANCED scans poll here, because
 * with continuous scanning the status settles at ACTIVE, never COMPLETE, and the SDK waiter would
 * always time out (aws/aws-sdk#288).
 *
 * Time comes from an injected Clock: elapsed time and the timeout are measured with `now()`, and
 * the ENHANCED loop sleeps with `sleep()`. The SDK waiter sleeps on its own timers, so its delays
 * come from the poll interval parameters instead.
 */
import {
  DescribeImageScanFindingsCommand,
  waitUntilImageScanComplete,
  type DescribeImageScanFindingsCommandInput,
  type DescribeImageScanFindingsCommandOutput,
  type ECRClient,
} from "@aws-sdk/client-ecr";

export interface Clock {
  /** Milliseconds on any fixed scale. */
  now(): number;
  sleep(milliseconds: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
};

/** What one poll saw. */
export type Observation =
  | { kind: "scan-not-found" }
  | { kind: "waiting"; status: string }
  | { kind: "done"; status: string; description?: string }
  | { kind: "not-a-result"; status: string; description?: string }
  | { kind: "call-failed"; error: unknown };

/** How the wait ended. */
export type WaitOutcome =
  | { outcome: "done"; status: string; description?: string }
  | { outcome: "not-a-result"; status: string; description?: string }
  | { outcome: "error"; error: unknown }
  | { outcome: "timeout"; last: Observation };

export interface WaitOptions {
  client: ECRClient;
  input: DescribeImageScanFindingsCommandInput;
  /** Registry scan type: ENHANCED polls here, anything else uses the SDK waiter. */
  scanType: string;
  timeoutSeconds: number;
  /** First delay between polls; the SDK waiter backs off from here up to maxPollIntervalSeconds. */
  pollIntervalSeconds: number;
  maxPollIntervalSeconds: number;
  clock: Clock;
  onPoll(elapsedMs: number, observation: Observation): void;
}

// statuses that mean "ask again later"; ACTIVE joins them while it carries no findings yet
const IN_PROGRESS_STATUSES = ["IN_PROGRESS", "PENDING"];

/** Classifies one DescribeImageScanFindings response. */
function classifyResponse(response: DescribeImageScanFindingsCommandOutput): Observation {
  const status = response.imageScanStatus?.status;
  const description = response.imageScanStatus?.description;
  if (status === undefined) return { kind: "waiting", status: "no status yet" };
  if (IN_PROGRESS_STATUSES.includes(status)) return { kind: "waiting", status };
  if (status === "COMPLETE") return { kind: "done", status, description };
  if (status === "ACTIVE") {
    // continuous scanning reports ACTIVE from the start; the findings arriving is what makes it a result
    return response.imageScanFindings ? { kind: "done", status, description } : { kind: "waiting", status };
  }
  return { kind: "not-a-result", status, description };
}

function classifyError(error: unknown): Observation {
  // right after a push there is no scan yet; only the timeout can tell "not yet" from "never"
  const notYet = error instanceof Error && error.name === "ScanNotFoundException";
  return notYet ? { kind: "scan-not-found" } : { kind: "call-failed", error };
}

function isFinal(observation: Observation): boolean {
  return observation.kind === "done" || observation.kind === "not-a-result" || observation.kind === "call-failed";
}

function conclude(last: Observation): WaitOutcome {
  switch (last.kind) {
    case "done":
      return { outcome: "done", status: last.status, description: last.description };
    case "not-a-result":
      return { outcome: "not-a-result", status: last.status, description: last.description };
    case "call-failed":
      return { outcome: "error", error: last.error };
    case "scan-not-found":
    case "waiting":
      return { outcome: "timeout", last };
  }
}

/** Polls until a result, a state that is not a result, a failed call, or the timeout. */
export function waitForScan(options: WaitOptions): Promise<WaitOutcome> {
  return options.scanType === "ENHANCED" ? pollEnhanced(options) : waitWithSdkWaiter(options);
}

async function waitWithSdkWaiter(options: WaitOptions): Promise<WaitOutcome> {
  const { clock, timeoutSeconds } = options;
  const start = clock.now();
  const abort = new AbortController();
  const seen: { last?: Observation } = {};
  const observe = (observation: Observation) => {
    seen.last = observation;
    const elapsedMs = clock.now() - start;
    options.onPoll(elapsedMs, observation);
    // the waiter itself stops only on COMPLETE and FAILED and retries every thrown error, so
    // stop it on every other final state, and at the deadline of the injected clock
    const waiterStopsItself = observation.kind === "done" && observation.status === "COMPLETE";
    if (!waiterStopsItself && (isFinal(observation) || elapsedMs >= timeoutSeconds * 1000)) abort.abort();
  };
  // the waiter's only use of the client is send(DescribeImageScanFindingsCommand): watching it
  // gives the progress report and the reason the wait ended
  const watched = new Proxy(options.client, {
    get(target, property, receiver) {
      if (property !== "send") return Reflect.get(target, property, receiver);
      return async (command: DescribeImageScanFindingsCommand) => {
        try {
          const response = await target.send(command);
          observe(classifyResponse(response));
          return response;
        } catch (error) {
          observe(classifyError(error));
          throw error;
        }
      };
    },
  });
  // the SDK rejects a maximum wait not above the first delay, so short timeouts shorten the delays
  const minDelay = Math.min(options.pollIntervalSeconds, timeoutSeconds / 2);
  const maxDelay = Math.max(minDelay, Math.min(options.maxPollIntervalSeconds, timeoutSeconds));
  let failure: unknown;
  try {
    await waitUntilImageScanComplete(
      { client: watched, maxWaitTime: timeoutSeconds, minDelay, maxDelay, abortSignal: abort.signal },
      options.input,
    );
  } catch (error) {
    failure = error;
  }
  // the waiter throws on abort, timeout and FAILED alike: what it last saw says which; with no
  // poll at all, its own error is the answer
  return seen.last ? conclude(seen.last) : { outcome: "error", error: failure };
}

async function pollEnhanced(options: WaitOptions): Promise<WaitOutcome> {
  const { client, clock, input } = options;
  const start = clock.now();
  const timeoutMs = options.timeoutSeconds * 1000;
  for (;;) {
    let observation: Observation;
    try {
      observation = classifyResponse(await client.send(new DescribeImageScanFindingsCommand(input)));
    } catch (error) {
      observation = classifyError(error);
    }
    const elapsedMs = clock.now() - start;
    options.onPoll(elapsedMs, observation);
    if (isFinal(observation) || elapsedMs >= timeoutMs) return conclude(observation);
    await clock.sleep(Math.min(options.pollIntervalSeconds * 1000, timeoutMs - elapsedMs));
  }
}
