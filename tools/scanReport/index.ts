/**
 * `npm run scan-report`: waits for the scan of one image, then prints its severity counts and a
 * table of every finding (optionally as JSON too).
 *
 * Exit codes: 0 no finding at or above --fail-on (or no --fail-on); 4 some are; 1 error, timeout
 * or a scan state that is not a result; 2 usage error.
 *
 * Progress, errors and explanations go to stderr; the report goes to stdout.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ECRClient } from "@aws-sdk/client-ecr";
import { imageRef, parseScanReportArgs, UsageError, USAGE, type ScanReportOptions } from "./args";
import { explainMissingScan } from "./coverage";
import { adviceFor, describeFailure, explainStatus } from "./explain";
import { atOrAbove, collectFindings, countBySeverity, sortFindings } from "./findings";
import { findImageDigest, readScanningConfiguration } from "./registry";
import { renderCounts, renderFailOn, renderJson, renderProgress, renderTable } from "./render";
import { systemClock, waitForScan, type Clock } from "./waitForScan";
import { quietSdkNodeVersionWarning } from "../../common/sdkNodeWarning";

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;
export const EXIT_FINDINGS = 4;

export interface ScanReportDeps {
  env: NodeJS.ProcessEnv;
  /** Writes one line of the report. */
  stdout(line: string): void;
  /** Writes one line of progress, error or explanation. */
  stderr(line: string): void;
  createClient(region: string): ECRClient;
  clock: Clock;
  pollIntervalSeconds: number;
  maxPollIntervalSeconds: number;
  writeFile(path: string, data: string): Promise<void>;
}

// read at each run, not at import: tests and callers may replace process.env in between
const defaultDeps = (): ScanReportDeps => ({
  env: process.env,
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  // no endpoint here, so the SDK honours AWS_ENDPOINT_URL_ECR (the emulator in tests)
  createClient: (region) => new ECRClient({ region }),
  clock: systemClock,
  // the SDK waiter's own defaults are 5 s to 120 s; a tighter ceiling keeps the progress lines coming
  pollIntervalSeconds: 5,
  maxPollIntervalSeconds: 30,
  writeFile: async (file, data) => {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    await fs.promises.writeFile(file, data);
  },
});

/** Runs scan-report on argv (without the node and script paths) and returns the exit code. */
export async function runScanReport(argv: string[], overrides: Partial<ScanReportDeps> = {}): Promise<number> {
  const deps = { ...defaultDeps(), ...overrides };
  let options: ScanReportOptions | "help";
  try {
    options = parseScanReportArgs(argv, deps.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    deps.stderr(`scan-report: ${error.message}`);
    for (const line of USAGE.split("\n")) deps.stderr(line);
    return EXIT_USAGE;
  }
  if (options === "help") {
    for (const line of USAGE.split("\n")) deps.stdout(line);
    return EXIT_OK;
  }
  return report(options, deps);
}

async function report(options: ScanReportOptions, deps: ScanReportDeps): Promise<number> {
  const { repository, imageId, region, timeoutSeconds, failOn } = options;
  const ref = imageRef(repository, imageId);
  const client = deps.createClient(region);
  const fail = (action: string, error: unknown) => {
    deps.stderr(describeFailure(action, error));
    const advice = adviceFor(error, repository, ref, region);
    if (advice) deps.stderr(advice);
    return EXIT_ERROR;
  };

  let digest: string | undefined;
  try {
    digest = await findImageDigest(client, repository, imageId);
  } catch (error) {
    return fail(`looking up image ${ref} (${region})`, error);
  }
  let configuration;
  try {
    configuration = await readScanningConfiguration(client);
  } catch (error) {
    return fail(`reading the registry scanning configuration (${region})`, error);
  }

  const input = { repositoryName: repository, imageId };
  const findingsAction = `reading scan findings for ${ref} (${region})`;
  deps.stderr(`Waiting for the ${configuration.scanType} scan of ${ref} in ${region} (timeout ${timeoutSeconds}s)`);
  const waited = await waitForScan({
    client,
    input,
    scanType: configuration.scanType,
    timeoutSeconds,
    pollIntervalSeconds: deps.pollIntervalSeconds,
    maxPollIntervalSeconds: deps.maxPollIntervalSeconds,
    clock: deps.clock,
    onPoll: (elapsedMs, observation) => deps.stderr(renderProgress(elapsedMs, observation)),
  });
  switch (waited.outcome) {
    case "error":
      return fail(findingsAction, waited.error);
    case "not-a-result":
      deps.stderr(`The scan of ${ref} in ${region} ended without a result: ${waited.status}`);
      if (waited.description) deps.stderr(`ECR says: ${waited.description}`);
      deps.stderr(explainStatus(waited.status));
      return EXIT_ERROR;
    case "timeout":
      if (waited.last.kind === "waiting") {
        deps.stderr(`Timed out: the scan of ${ref} in ${region} is still ${waited.last.status} after ${timeoutSeconds}s.`);
        deps.stderr("Run scan-report again later, or with a longer --timeout.");
      } else {
        deps.stderr(`Timed out: no scan of ${ref} in ${region} appeared within ${timeoutSeconds}s.`);
        for (const line of explainMissingScan(configuration, repository, region)) deps.stderr(line);
      }
      return EXIT_ERROR;
    case "done":
      break;
  }

  let rows;
  try {
    rows = sortFindings(await collectFindings(client, input));
  } catch (error) {
    return fail(findingsAction, error);
  }
  const counts = countBySeverity(rows);
  const failing = failOn ? atOrAbove(rows, failOn).length : 0;
  const digestNote = digest && "imageTag" in imageId ? ` (${digest})` : "";
  for (const line of [
    `Scan of ${ref}${digestNote} in ${region}: ${waited.status}`,
    "",
    ...renderCounts(counts),
    "",
    ...renderTable(rows),
    ...(failOn ? ["", renderFailOn(failOn, failing)] : []),
  ]) {
    deps.stdout(line);
  }

  if (options.jsonFile) {
    const json = renderJson({
      repository,
      imageTag: "imageTag" in imageId ? imageId.imageTag : undefined,
      imageDigest: digest ?? ("imageDigest" in imageId ? imageId.imageDigest : undefined),
      region,
      scanStatus: waited.status,
      failOn: failOn ?? null,
      counts,
      total: rows.length,
      findings: rows,
    });
    try {
      await deps.writeFile(options.jsonFile, json);
    } catch (error) {
      deps.stderr(describeFailure(`writing the JSON report to ${options.jsonFile}`, error));
      return EXIT_ERROR;
    }
  }
  return failing > 0 ? EXIT_FINDINGS : EXIT_OK;
}

if (require.main === module) {
  quietSdkNodeVersionWarning();
  void runScanReport(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
