import assert from "node:assert/strict";
import {
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  ECRClient,
  ECRServiceException,
  GetRegistryScanningConfigurationCommand,
  ImageNotFoundException,
  RepositoryNotFoundException,
  ScanNotFoundException,
  type DescribeImageScanFindingsCommandInput,
  type DescribeImageScanFindingsCommandOutput,
  type EnhancedImageScanFinding,
  type FindingSeverity,
  type ImageScanFinding,
  type RegistryScanningRule,
  type ScanFrequency,
  type ScanStatus,
  type ScanType,
} from "@aws-sdk/client-ecr";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import { runScanReport } from "../../tools/scanReport";
import type { Clock } from "../../tools/scanReport/waitForScan";

// created in before() and restored in after(), so other files of this mocha process get a clean ECRClient
let ecr: AwsClientStub<ECRClient>;

const REGION = "ap-northeast-1";
const REPOSITORY = "fa-083";
const DIGEST = `sha256:${"d".repeat(64)}`;
const ARGS = ["--repository", REPOSITORY, "--tag", "latest", "--region", REGION];
const WAITING_BASIC = `Waiting for the BASIC scan of fa-083:latest in ${REGION} (timeout 600s)`;
const WAITING_ENHANCED = `Waiting for the ENHANCED scan of fa-083:latest in ${REGION} (timeout 600s)`;
const COMPLETE = { status: "COMPLETE", description: "The scan was completed successfully." } as const;

type Answer = Partial<DescribeImageScanFindingsCommandOutput>;

/** A clock that moves only when told to, or when slept on. */
class FakeClock implements Clock {
  private time = 0;
  readonly sleeps: number[] = [];
  now(): number {
    return this.time;
  }
  async sleep(milliseconds: number): Promise<void> {
    this.sleeps.push(milliseconds);
    this.time += milliseconds;
  }
  advance(milliseconds: number): void {
    this.time += milliseconds;
  }
}

interface Run {
  code: number;
  out: string[];
  err: string[];
  files: Map<string, string>;
  regions: string[];
}

async function scanReport(
  argv: string[],
  options: {
    clock?: FakeClock;
    pollIntervalSeconds?: number;
    env?: NodeJS.ProcessEnv;
    writeFile?: (path: string, data: string) => Promise<void>;
  } = {},
): Promise<Run> {
  const run: Run = { code: -1, out: [], err: [], files: new Map(), regions: [] };
  run.code = await runScanReport(argv, {
    env: options.env ?? {},
    stdout: (line) => run.out.push(line),
    stderr: (line) => run.err.push(line),
    createClient: (region) => {
      run.regions.push(region);
      return new ECRClient({ region });
    },
    clock: options.clock ?? new FakeClock(),
    // the BASIC path sleeps inside the SDK waiter on real timers: keep those delays at a millisecond
    pollIntervalSeconds: options.pollIntervalSeconds ?? 0.001,
    maxPollIntervalSeconds: options.pollIntervalSeconds ?? 0.001,
    writeFile:
      options.writeFile ??
      (async (path, data) => {
        run.files.set(path, data);
      }),
  });
  return run;
}

function imageExists(): void {
  ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST, imageTags: ["latest"] }] });
}

function registry(scanType: ScanType, rules: RegistryScanningRule[] = []): void {
  ecr.on(GetRegistryScanningConfigurationCommand).resolves({
    registryId: "123456789012",
    scanningConfiguration: { scanType, rules },
  });
}

function rule(scanFrequency: ScanFrequency, ...filters: string[]): RegistryScanningRule {
  return { scanFrequency, repositoryFilters: filters.map((filter) => ({ filter, filterType: "WILDCARD" })) };
}

/**
 * DescribeImageScanFindings: polls (no maxResults) get the next of `polls` (the last one repeats)
 * after the clock moves by `stepMs`; paging calls (maxResults set) get `page`.
 */
function scanAnswers(
  polls: (Answer | Error)[],
  options: { page?: Answer; clock?: FakeClock; stepMs?: number } = {},
): void {
  let poll = 0;
  ecr.on(DescribeImageScanFindingsCommand).callsFake(async (input: DescribeImageScanFindingsCommandInput) => {
    if (input.maxResults !== undefined) return options.page;
    if (poll > 0) options.clock?.advance(options.stepMs ?? 0);
    const answer = polls[Math.min(poll++, polls.length - 1)];
    if (answer instanceof Error) throw answer;
    return answer;
  });
}

/** Every poll answers ScanNotFoundException and takes `stepMs` on the clock, the first one too. */
function noScanEver(clock: FakeClock, stepMs: number): void {
  ecr.on(DescribeImageScanFindingsCommand).callsFake(async () => {
    clock.advance(stepMs);
    throw scanNotFound();
  });
}

function findingsCalls(): DescribeImageScanFindingsCommandInput[] {
  return ecr.commandCalls(DescribeImageScanFindingsCommand).map((call) => call.args[0].input);
}

function basic(name: string, severity: FindingSeverity, pkg?: string, version?: string, uri?: string): ImageScanFinding {
  const attributes = [
    ...(version ? [{ key: "package_version", value: version }] : []),
    ...(pkg ? [{ key: "package_name", value: pkg }] : []),
    { key: "CVSS2_SCORE", value: "7.5" },
  ];
  return { name, severity, uri, attributes };
}

function scanNotFound(): ScanNotFoundException {
  return new ScanNotFoundException({
    message: "Image scan does not exist for the image with '{imageDigest:'null', imageTag:'latest'}'",
    $metadata: {},
  });
}

const THREE_BASIC = [
  basic("CVE-2024-0001", "MEDIUM", "openssl", "1.0.2k", "https://nvd.nist.gov/vuln/detail/CVE-2024-0001"),
  basic("CVE-2024-0002", "CRITICAL", "glibc", "2.26", "https://nvd.nist.gov/vuln/detail/CVE-2024-0002"),
  basic("ALAS2-2024-001", "HIGH"),
];
const THREE_BASIC_REPORT = [
  `Scan of fa-083:latest (${DIGEST}) in ${REGION}: COMPLETE`,
  "",
  "Severity counts (3 findings):",
  "  CRITICAL       1",
  "  HIGH           1",
  "  MEDIUM         1",
  "  LOW            0",
  "  INFORMATIONAL  0",
  "  UNDEFINED      0",
  "",
  "SEVERITY  NAME            PACKAGE  VERSION  LINK",
  "CRITICAL  CVE-2024-0002   glibc    2.26     https://nvd.nist.gov/vuln/detail/CVE-2024-0002",
  "HIGH      ALAS2-2024-001  -        -        -",
  "MEDIUM    CVE-2024-0001   openssl  1.0.2k   https://nvd.nist.gov/vuln/detail/CVE-2024-0001",
];

describe("scan-report", () => {
  before(() => {
    ecr = mockClient(ECRClient);
  });
  beforeEach(() => ecr.reset());
  after(() => ecr.restore());

  describe("a BASIC scan", () => {
    it("waits with the SDK waiter until COMPLETE, showing status and elapsed time, then prints counts and the table", async () => {
      // GIVEN
      const clock = new FakeClock();
      imageExists();
      registry("BASIC");
      const done: Answer = { imageScanStatus: COMPLETE, imageScanFindings: { findings: THREE_BASIC } };
      scanAnswers([{ imageScanStatus: { status: "IN_PROGRESS" } }, { imageScanStatus: { status: "IN_PROGRESS" } }, done], {
        page: done,
        clock,
        stepMs: 5000,
      });
      // WHEN
      const run = await scanReport(ARGS, { clock });
      // THEN
      assert.equal(run.code, 0);
      assert.deepEqual(run.err, [WAITING_BASIC, "  [0:00] IN_PROGRESS", "  [0:05] IN_PROGRESS", "  [0:10] COMPLETE"]);
      assert.deepEqual(run.out, THREE_BASIC_REPORT);
      // three polls by the waiter, then one page read with the largest page size
      assert.deepEqual(
        findingsCalls().map((input) => input.maxResults),
        [undefined, undefined, undefined, 1000],
      );
      assert.deepEqual(findingsCalls()[0], { repositoryName: REPOSITORY, imageId: { imageTag: "latest" } });
      assert.deepEqual(ecr.commandCalls(DescribeImagesCommand)[0].args[0].input, {
        repositoryName: REPOSITORY,
        imageIds: [{ imageTag: "latest" }],
      });
    });

    it("looks the image up by digest when --digest is given", async () => {
      imageExists();
      registry("BASIC");
      const done: Answer = { imageScanStatus: COMPLETE, imageScanFindings: { findings: [] } };
      scanAnswers([done], { page: done });

      const run = await scanReport(["--repository", REPOSITORY, "--digest", DIGEST, "--region", REGION]);

      assert.equal(run.code, 0);
      assert.deepEqual(findingsCalls()[0], { repositoryName: REPOSITORY, imageId: { imageDigest: DIGEST } });
      assert.deepEqual(run.out, [
        `Scan of fa-083@${DIGEST} in ${REGION}: COMPLETE`,
        "",
        "Severity counts (0 findings):",
        "  CRITICAL       0",
        "  HIGH           0",
        "  MEDIUM         0",
        "  LOW            0",
        "  INFORMATIONAL  0",
        "  UNDEFINED      0",
        "",
        "No findings.",
      ]);
    });
  });

  describe("states that are not a result", () => {
    const explanations: Record<string, string> = {
      SCAN_ELIGIBILITY_EXPIRED:
        "Amazon Inspector no longer scans this image: its enhanced-scanning duration (the ECR re-scan " +
        "duration set in Amazon Inspector, counted from the push or the last pull) has run out, so there " +
        "are no current findings. Push or pull the image again, or lengthen the re-scan duration.",
      UNSUPPORTED_IMAGE:
        "The scanner does not support this image: its operating system, package manager or media type " +
        "is not one the scan type covers. Scanning it again will not help; use a supported base image.",
      LIMIT_EXCEEDED:
        "A scanning limit was reached, so the image was not scanned: basic scanning allows one scan per " +
        "image every 24 hours (a scan on push counts) and 100,000 scans per account and Region every " +
        "24 hours. Try again after the limit resets.",
      FINDINGS_UNAVAILABLE:
        "ECR has no findings to return for this image: the scanner's results are not available (with " +
        "enhanced scanning, Amazon Inspector may have closed them). Try again later, or look the image " +
        "up in Amazon Inspector.",
      FAILED:
        "The scan failed. The description above gives ECR's reason. Fix the image if needed and start a " +
        "new scan; basic scanning allows one scan per image every 24 hours.",
    };
    for (const scanType of ["BASIC", "ENHANCED"] as const) {
      for (const [status, explanation] of Object.entries(explanations) as [ScanStatus, string][]) {
        it(`explains ${status} under ${scanType} scanning, stops polling and exits 1`, async () => {
          imageExists();
          registry(scanType);
          scanAnswers([{ imageScanStatus: { status, description: `ECR's own words about ${status}.` } }]);

          const run = await scanReport(ARGS);

          assert.equal(run.code, 1);
          assert.deepEqual(run.err, [
            scanType === "BASIC" ? WAITING_BASIC : WAITING_ENHANCED,
            `  [0:00] ${status}`,
            `The scan of fa-083:latest in ${REGION} ended without a result: ${status}`,
            `ECR says: ECR's own words about ${status}.`,
            explanation,
          ]);
          assert.deepEqual(run.out, []);
          assert.equal(findingsCalls().length, 1);
        });
      }
    }

    it("explains an image that is not found, without waiting", async () => {
      ecr.on(DescribeImagesCommand).rejects(
        new ImageNotFoundException({
          message: "The image with imageId {imageDigest:'null', imageTag:'latest'} does not exist within the repository with name 'fa-083'",
          $metadata: {},
        }),
      );

      const run = await scanReport(ARGS);

      assert.equal(run.code, 1);
      assert.deepEqual(run.err, [
        `looking up image fa-083:latest (${REGION}): ImageNotFoundException: The image with imageId ` +
          "{imageDigest:'null', imageTag:'latest'} does not exist within the repository with name 'fa-083'",
        `Image not found: repository "fa-083" in ${REGION} has no image fa-083:latest. ` +
          "Check the tag or digest, or push the image first (npm run push-sample-image).",
      ]);
      assert.equal(findingsCalls().length, 0);
    });

    it("explains a repository that is not found, without waiting", async () => {
      ecr.on(DescribeImagesCommand).rejects(
        new RepositoryNotFoundException({
          message: "The repository with name 'fa-083' does not exist in the registry with id '123456789012'",
          $metadata: {},
        }),
      );

      const run = await scanReport(ARGS);

      assert.equal(run.code, 1);
      assert.deepEqual(run.err, [
        `looking up image fa-083:latest (${REGION}): RepositoryNotFoundException: The repository with name ` +
          "'fa-083' does not exist in the registry with id '123456789012'",
        `Repository not found: there is no repository "fa-083" in this account's registry in ${REGION}. ` +
          "Check the name and the Region (--region, AWS_REGION).",
      ]);
      assert.equal(findingsCalls().length, 0);
    });

    it("stops waiting when the repository disappears during the wait", async () => {
      imageExists();
      registry("BASIC");
      scanAnswers([
        { imageScanStatus: { status: "IN_PROGRESS" } },
        new RepositoryNotFoundException({
          message: "The repository with name 'fa-083' does not exist in the registry with id '123456789012'",
          $metadata: { requestId: "0c6f3b7e-2a4d-4f1e-9d55-8d3f1c2b7a10" },
        }),
      ]);

      const run = await scanReport(ARGS);

      assert.equal(run.code, 1);
      assert.deepEqual(run.err, [
        WAITING_BASIC,
        "  [0:00] IN_PROGRESS",
        "  [0:00] the call failed (RepositoryNotFoundException)",
        `reading scan findings for fa-083:latest (${REGION}): RepositoryNotFoundException: The repository with ` +
          "name 'fa-083' does not exist in the registry with id '123456789012' " +
          "(request id 0c6f3b7e-2a4d-4f1e-9d55-8d3f1c2b7a10)",
        `Repository not found: there is no repository "fa-083" in this account's registry in ${REGION}. ` +
          "Check the name and the Region (--region, AWS_REGION).",
      ]);
      assert.equal(findingsCalls().length, 2);
    });

    it("names the IAM actions it needs when access is denied", async () => {
      imageExists();
      ecr.on(GetRegistryScanningConfigurationCommand).rejects(
        new ECRServiceException({
          name: "AccessDeniedException",
          $fault: "client",
          message: "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:GetRegistryScanningConfiguration",
          $metadata: { requestId: "r-1" },
        }),
      );

      const run = await scanReport(ARGS);

      assert.equal(run.code, 1);
      assert.deepEqual(run.err, [
        `reading the registry scanning configuration (${REGION}): AccessDeniedException: User: ` +
          "arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:GetRegistryScanningConfiguration (request id r-1)",
        "Access denied: scan-report needs the IAM actions ecr:DescribeImageScanFindings, ecr:DescribeImages, " +
          "ecr:GetRegistryScanningConfiguration.",
      ]);
    });
  });

  describe("ENHANCED scanning", () => {
    it("treats ACTIVE with findings as done, polling on the injected clock until they arrive", async () => {
      const clock = new FakeClock();
      imageExists();
      registry("ENHANCED", [rule("CONTINUOUS_SCAN", "fa-*")]);
      const active: Answer = {
        imageScanStatus: { status: "ACTIVE", description: "Continuous scan is selected and image is being continuously monitored." },
        imageScanFindings: { findings: [basic("CVE-2024-0003", "LOW", "bash", "4.2.46")] },
      };
      scanAnswers([{ imageScanStatus: { status: "PENDING" } }, { imageScanStatus: { status: "ACTIVE" } }, active], { page: active });

      const run = await scanReport(ARGS, { clock, pollIntervalSeconds: 5 });

      assert.equal(run.code, 0);
      assert.deepEqual(run.err, [WAITING_ENHANCED, "  [0:00] PENDING", "  [0:05] ACTIVE, no findings yet", "  [0:10] ACTIVE"]);
      assert.deepEqual(clock.sleeps, [5000, 5000]);
      assert.equal(run.out[0], `Scan of fa-083:latest (${DIGEST}) in ${REGION}: ACTIVE`);
      assert.equal(run.out.at(-1), "LOW       CVE-2024-0003  bash     4.2.46   -");
    });

    it("merges basic findings and enhanced findings into one table sorted by severity", async () => {
      imageExists();
      registry("ENHANCED");
      const enhancedFindings: EnhancedImageScanFinding[] = [
        {
          severity: "UNTRIAGED",
          title: "GHSA-7rjr-3q55-vv33",
        },
        {
          severity: "HIGH",
          title: "CVE-2024-2511 - openssl-libs, openssl",
          packageVulnerabilityDetails: {
            vulnerabilityId: "CVE-2024-2511",
            vulnerablePackages: [
              { name: "openssl-libs", version: "1.0.2k", release: "26.amzn2" },
              { name: "openssl", version: "1.0.2k" },
            ],
          },
          remediation: { recommendation: { url: "https://alas.aws.amazon.com/AL2/ALAS-2024-2502.html" } },
        },
        {
          severity: "CRITICAL",
          packageVulnerabilityDetails: {
            vulnerabilityId: "CVE-2023-38545",
            sourceUrl: "https://nvd.nist.gov/vuln/detail/CVE-2023-38545",
            vulnerablePackages: [{ name: "curl", version: "7.79.1", release: "1.amzn2.0.1" }],
          },
        },
      ];
      const findings = [
        basic("CVE-2022-37434", "MEDIUM", "zlib", "1.2.7", "https://nvd.nist.gov/vuln/detail/CVE-2022-37434"),
        basic("CVE-2024-0001", "HIGH", "bash", "4.2.46", "https://nvd.nist.gov/vuln/detail/CVE-2024-0001"),
      ];
      const active: Answer = { imageScanStatus: { status: "ACTIVE" }, imageScanFindings: { findings, enhancedFindings } };
      scanAnswers([active], { page: active });

      const run = await scanReport(ARGS);

      assert.equal(run.code, 0);
      assert.deepEqual(run.out, [
        `Scan of fa-083:latest (${DIGEST}) in ${REGION}: ACTIVE`,
        "",
        "Severity counts (5 findings):",
        "  CRITICAL       1",
        "  HIGH           2",
        "  MEDIUM         1",
        "  LOW            0",
        "  INFORMATIONAL  0",
        "  UNDEFINED      0",
        "  UNTRIAGED      1",
        "",
        "SEVERITY   NAME                 PACKAGE                VERSION                  LINK",
        "CRITICAL   CVE-2023-38545       curl                   7.79.1-1.amzn2.0.1       https://nvd.nist.gov/vuln/detail/CVE-2023-38545",
        "HIGH       CVE-2024-0001        bash                   4.2.46                   https://nvd.nist.gov/vuln/detail/CVE-2024-0001",
        "HIGH       CVE-2024-2511        openssl-libs, openssl  1.0.2k-26.amzn2, 1.0.2k  https://alas.aws.amazon.com/AL2/ALAS-2024-2502.html",
        "MEDIUM     CVE-2022-37434       zlib                   1.2.7                    https://nvd.nist.gov/vuln/detail/CVE-2022-37434",
        "UNTRIAGED  GHSA-7rjr-3q55-vv33  -                      -                        -",
      ]);
    });
  });

  describe("paging", () => {
    it("requests every page with the previous nextToken and counts all 2,500 findings", async () => {
      imageExists();
      registry("BASIC");
      const severities: FindingSeverity[] = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"];
      const tokens: (string | undefined)[] = [];
      ecr.on(DescribeImageScanFindingsCommand).callsFake(async (input: DescribeImageScanFindingsCommandInput) => {
        if (input.maxResults === undefined) return { imageScanStatus: COMPLETE };
        // the paginator reuses one input object, so record the token as each page is asked for
        tokens.push(input.nextToken);
        const start = input.nextToken ? Number(input.nextToken.slice("after-".length)) : 0;
        const end = Math.min(start + input.maxResults, 2500);
        const numbers = Array.from({ length: end - start }, (_, i) => start + i);
        const name = (n: number) => `CVE-2024-${String(n).padStart(5, "0")}`;
        return {
          imageScanStatus: COMPLETE,
          imageScanFindings: {
            // half of them basic and half enhanced, so paging covers both lists
            findings: numbers.filter((n) => n % 2 === 0).map((n) => basic(name(n), severities[n % 5])),
            enhancedFindings: numbers
              .filter((n) => n % 2 === 1)
              .map((n) => ({ severity: severities[n % 5], packageVulnerabilityDetails: { vulnerabilityId: name(n) } })),
          },
          nextToken: end < 2500 ? `after-${end}` : undefined,
        };
      });

      const run = await scanReport([...ARGS, "--json", "report.json"]);

      assert.equal(run.code, 0);
      assert.deepEqual(tokens, [undefined, "after-1000", "after-2000"]);
      assert.deepEqual(
        findingsCalls().map((input) => input.maxResults),
        [undefined, 1000, 1000, 1000],
      );
      assert.deepEqual(run.out.slice(2, 9), [
        "Severity counts (2500 findings):",
        "  CRITICAL       500",
        "  HIGH           500",
        "  MEDIUM         500",
        "  LOW            500",
        "  INFORMATIONAL  500",
        "  UNDEFINED      0",
      ]);
      assert.equal(run.out.length, 10 + 1 + 2500);
      const json = JSON.parse(run.files.get("report.json") ?? "{}");
      assert.equal(json.total, 2500);
      assert.equal(new Set(json.findings.map((f: { name: string }) => f.name)).size, 2500);
      assert.deepEqual(json.counts, { CRITICAL: 500, HIGH: 500, MEDIUM: 500, LOW: 500, INFORMATIONAL: 500, UNDEFINED: 0 });
    });
  });

  describe("timeout", () => {
    it("explains that no rule covers the repository when no scan appears before the timeout", async () => {
      const clock = new FakeClock();
      imageExists();
      registry("BASIC", [rule("SCAN_ON_PUSH", "prod*", "fa-083-*", "team/fa-083")]);
      noScanEver(clock, 60_000);

      const run = await scanReport([...ARGS, "--timeout", "300"], { clock });

      assert.equal(run.code, 1);
      assert.deepEqual(run.err, [
        `Waiting for the BASIC scan of fa-083:latest in ${REGION} (timeout 300s)`,
        "  [1:00] no scan yet (ScanNotFoundException)",
        "  [2:00] no scan yet (ScanNotFoundException)",
        "  [3:00] no scan yet (ScanNotFoundException)",
        "  [4:00] no scan yet (ScanNotFoundException)",
        "  [5:00] no scan yet (ScanNotFoundException)",
        `Timed out: no scan of fa-083:latest in ${REGION} appeared within 300s.`,
        'Likely reason: no rule covers repository "fa-083", so ECR does not scan its images by itself.',
        "Under BASIC scanning, a repository that no SCAN_ON_PUSH filter matches is scanned only when someone starts a scan (StartImageScan).",
        `Registry scanning configuration of registry 123456789012 in ${REGION}: BASIC, 1 rule:`,
        "  SCAN_ON_PUSH:",
        '    "prod*"        does not match  (has "*": must match the whole name)',
        '    "fa-083-*"     does not match  (has "*": must match the whole name)',
        '    "team/fa-083"  does not match  (no "*": matches names that contain it)',
      ]);
      assert.equal(findingsCalls().length, 5);
    });

    it("says which rule covers the repository when one does and still no scan appears", async () => {
      const clock = new FakeClock();
      imageExists();
      registry("BASIC", [rule("SCAN_ON_PUSH", "prod*", "fa")]);
      noScanEver(clock, 60_000);

      const run = await scanReport([...ARGS, "--timeout", "60"], { clock });

      assert.equal(run.code, 1);
      assert.deepEqual(run.err.slice(1), [
        "  [1:00] no scan yet (ScanNotFoundException)",
        `Timed out: no scan of fa-083:latest in ${REGION} appeared within 60s.`,
        'A SCAN_ON_PUSH rule covers repository "fa-083", yet no scan appeared: the image may have been pushed ' +
          "before the rule covered the repository, or the scanner has not started yet.",
        "Start a scan (StartImageScan) or push the image again.",
        `Registry scanning configuration of registry 123456789012 in ${REGION}: BASIC, 1 rule:`,
        "  SCAN_ON_PUSH:",
        '    "prod*"  does not match  (has "*": must match the whole name)',
        '    "fa"     matches         (no "*": matches names that contain it)',
      ]);
    });

    it("applies continuous-over-scan-on-push precedence under ENHANCED scanning", async () => {
      const clock = new FakeClock();
      imageExists();
      registry("ENHANCED", [rule("SCAN_ON_PUSH", "fa"), rule("CONTINUOUS_SCAN", "fa-*")]);
      scanAnswers([scanNotFound()]);

      const run = await scanReport([...ARGS, "--timeout", "10"], { clock, pollIntervalSeconds: 5 });

      assert.equal(run.code, 1);
      assert.deepEqual(clock.sleeps, [5000, 5000]);
      assert.deepEqual(run.err, [
        `Waiting for the ENHANCED scan of fa-083:latest in ${REGION} (timeout 10s)`,
        "  [0:00] no scan yet (ScanNotFoundException)",
        "  [0:05] no scan yet (ScanNotFoundException)",
        "  [0:10] no scan yet (ScanNotFoundException)",
        `Timed out: no scan of fa-083:latest in ${REGION} appeared within 10s.`,
        'A CONTINUOUS_SCAN rule covers repository "fa-083" (continuous scanning wins when both rules match), yet no ' +
          "scan appeared: the image may have been pushed before the rule covered the repository, or the scanner has not started yet.",
        "Push the image again, or check the repository's coverage in Amazon Inspector.",
        `Registry scanning configuration of registry 123456789012 in ${REGION}: ENHANCED, 2 rules:`,
        "  SCAN_ON_PUSH:",
        '    "fa"  matches         (no "*": matches names that contain it)',
        "  CONTINUOUS_SCAN:",
        '    "fa-*"  matches         (has "*": must match the whole name)',
      ]);
    });

    it("says that an ENHANCED repository no filter matches is not scanned at all", async () => {
      imageExists();
      registry("ENHANCED", [rule("CONTINUOUS_SCAN", "prod/*")]);
      scanAnswers([scanNotFound()]);

      const run = await scanReport([...ARGS, "--timeout", "5"], { pollIntervalSeconds: 5 });

      assert.equal(run.code, 1);
      assert.deepEqual(run.err.slice(-5), [
        'Likely reason: no rule covers repository "fa-083", so ECR does not scan its images by itself.',
        "Under ENHANCED scanning, a repository that no filter matches is not scanned at all.",
        `Registry scanning configuration of registry 123456789012 in ${REGION}: ENHANCED, 1 rule:`,
        "  CONTINUOUS_SCAN:",
        '    "prod/*"  does not match  (has "*": must match the whole name)',
      ]);
    });

    it("lists rules without filters and rules whose frequency never scans by itself", async () => {
      imageExists();
      registry("BASIC", [rule("MANUAL", "fa"), rule("SCAN_ON_PUSH")]);
      const clock = new FakeClock();
      noScanEver(clock, 60_000);

      const run = await scanReport([...ARGS, "--timeout", "60"], { clock });

      assert.equal(run.code, 1);
      assert.deepEqual(run.err.slice(-6), [
        'Likely reason: no rule covers repository "fa-083", so ECR does not scan its images by itself.',
        "Under BASIC scanning, a repository that no SCAN_ON_PUSH filter matches is scanned only when someone starts a scan (StartImageScan).",
        `Registry scanning configuration of registry 123456789012 in ${REGION}: BASIC, 2 rules:`,
        "  MANUAL (no automatic scans under BASIC):",
        '    "fa"  matches         (no "*": matches names that contain it)',
        "  SCAN_ON_PUSH: no filters",
      ]);
    });

    it("says when the registry has no rules at all", async () => {
      imageExists();
      registry("BASIC");
      const clock = new FakeClock();
      noScanEver(clock, 60_000);

      const run = await scanReport([...ARGS, "--timeout", "60"], { clock });

      assert.equal(run.code, 1);
      assert.equal(run.err.at(-1), `Registry scanning configuration of registry 123456789012 in ${REGION}: BASIC, 0 rules.`);
    });

    it("reports a scan still in progress at the timeout without blaming the rules", async () => {
      const clock = new FakeClock();
      imageExists();
      registry("ENHANCED", [rule("CONTINUOUS_SCAN", "*")]);
      scanAnswers([{ imageScanStatus: { status: "PENDING" } }]);

      const run = await scanReport([...ARGS, "--timeout", "30"], { clock, pollIntervalSeconds: 20 });

      assert.equal(run.code, 1);
      assert.deepEqual(clock.sleeps, [20_000, 10_000]);
      assert.deepEqual(run.err, [
        `Waiting for the ENHANCED scan of fa-083:latest in ${REGION} (timeout 30s)`,
        "  [0:00] PENDING",
        "  [0:20] PENDING",
        "  [0:30] PENDING",
        `Timed out: the scan of fa-083:latest in ${REGION} is still PENDING after 30s.`,
        "Run scan-report again later, or with a longer --timeout.",
      ]);
    });
  });

  describe("exit codes and --json", () => {
    function completeWith(findings: ImageScanFinding[]): void {
      imageExists();
      registry("BASIC");
      const done: Answer = { imageScanStatus: COMPLETE, imageScanFindings: { findings } };
      scanAnswers([done], { page: done });
    }

    it("exits 0 without --fail-on, whatever the findings", async () => {
      completeWith(THREE_BASIC);
      const run = await scanReport(ARGS);
      assert.equal(run.code, 0);
      assert.deepEqual(run.out, THREE_BASIC_REPORT);
    });

    it("exits 0 when every finding is below --fail-on", async () => {
      completeWith([basic("CVE-2024-0004", "MEDIUM"), basic("CVE-2024-0005", "INFORMATIONAL")]);
      const run = await scanReport([...ARGS, "--fail-on", "HIGH"]);
      assert.equal(run.code, 0);
      assert.equal(run.out.at(-1), "No finding at or above HIGH (--fail-on HIGH).");
    });

    it("exits 4 when a finding is exactly at --fail-on", async () => {
      completeWith([basic("CVE-2024-0006", "HIGH"), basic("CVE-2024-0004", "MEDIUM")]);
      const run = await scanReport([...ARGS, "--fail-on", "HIGH"]);
      assert.equal(run.code, 4);
      assert.equal(run.out.at(-1), "1 finding at or above HIGH (--fail-on HIGH).");
    });

    it("exits 4 when findings are above --fail-on, which it reads in any case", async () => {
      completeWith(THREE_BASIC);
      const run = await scanReport([...ARGS, "--fail-on", "low"]);
      assert.equal(run.code, 4);
      assert.equal(run.out.at(-1), "3 findings at or above LOW (--fail-on LOW).");
    });

    it("exits 1 when ECR fails while reading the findings", async () => {
      imageExists();
      registry("BASIC");
      ecr.on(DescribeImageScanFindingsCommand).callsFake(async (input: DescribeImageScanFindingsCommandInput) => {
        if (input.maxResults === undefined) return { imageScanStatus: COMPLETE };
        throw new ECRServiceException({ name: "ServerException", $fault: "server", message: "internal error", $metadata: {} });
      });

      const run = await scanReport(ARGS);

      assert.equal(run.code, 1);
      assert.equal(run.err.at(-1), `reading scan findings for fa-083:latest (${REGION}): ServerException: internal error`);
    });

    it("writes the counts and the findings to --json", async () => {
      completeWith(THREE_BASIC);

      const run = await scanReport([...ARGS, "--fail-on", "CRITICAL", "--json", "out/report.json"]);

      assert.equal(run.code, 4);
      assert.deepEqual(JSON.parse(run.files.get("out/report.json") ?? "{}"), {
        repository: REPOSITORY,
        imageTag: "latest",
        imageDigest: DIGEST,
        region: REGION,
        scanStatus: "COMPLETE",
        failOn: "CRITICAL",
        counts: { CRITICAL: 1, HIGH: 1, MEDIUM: 1, LOW: 0, INFORMATIONAL: 0, UNDEFINED: 0 },
        total: 3,
        findings: [
          {
            severity: "CRITICAL",
            name: "CVE-2024-0002",
            package: "glibc",
            version: "2.26",
            link: "https://nvd.nist.gov/vuln/detail/CVE-2024-0002",
            source: "basic",
          },
          { severity: "HIGH", name: "ALAS2-2024-001", package: null, version: null, link: null, source: "basic" },
          {
            severity: "MEDIUM",
            name: "CVE-2024-0001",
            package: "openssl",
            version: "1.0.2k",
            link: "https://nvd.nist.gov/vuln/detail/CVE-2024-0001",
            source: "basic",
          },
        ],
      });
    });

    it("exits 1 when the --json file cannot be written", async () => {
      completeWith([]);
      const denied = Object.assign(new Error("EACCES: permission denied, open 'report.json'"), { code: "EACCES" });

      const run = await scanReport([...ARGS, "--json", "report.json"], { writeFile: () => Promise.reject(denied) });

      assert.equal(run.code, 1);
      assert.equal(run.err.at(-1), "writing the JSON report to report.json: Error: EACCES: permission denied, open 'report.json'");
    });

    const usage = [
      "usage: npm run scan-report -- --repository NAME (--tag T | --digest D) [--region R] [--timeout 600]",
      "                              [--fail-on LOW|MEDIUM|HIGH|CRITICAL] [--json FILE]",
    ];
    const usageErrors: [string, string[], string][] = [
      ["a missing --repository", ["--tag", "latest", "--region", REGION], "--repository is required"],
      ["neither --tag nor --digest", ["--repository", REPOSITORY, "--region", REGION], "--tag or --digest is required"],
      ["both --tag and --digest", [...ARGS, "--digest", DIGEST], "give either --tag or --digest, not both"],
      ["a malformed digest", ["--repository", REPOSITORY, "--digest", "latest", "--region", REGION], '--digest "latest" is not an image digest (expected sha256:<64 hex digits>)'],
      ["an invalid repository name", ["--repository", "FA_083", "--tag", "latest", "--region", REGION], '--repository "FA_083" must be 2..256 characters of lowercase letters and digits, separated by single ".", "_" or "-" and grouped by "/" (^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$)'],
      ["an unknown --fail-on level", [...ARGS, "--fail-on", "SEVERE"], '--fail-on must be one of LOW, MEDIUM, HIGH, CRITICAL, got "SEVERE"'],
      ["a timeout that is not a positive whole number", [...ARGS, "--timeout", "1.5"], '--timeout must be a whole number of seconds above 0, got "1.5"'],
      ["a zero timeout", [...ARGS, "--timeout", "0"], '--timeout must be a whole number of seconds above 0, got "0"'],
      ["an unknown option", [...ARGS, "--wait"], "Unknown option '--wait'"],
      ["no Region anywhere", ["--repository", REPOSITORY, "--tag", "latest"], "no AWS Region: pass --region or set AWS_REGION (or AWS_DEFAULT_REGION)"],
    ];
    for (const [what, argv, message] of usageErrors) {
      it(`exits 2 on ${what}, before calling AWS`, async () => {
        const run = await scanReport(argv);
        assert.equal(run.code, 2);
        assert.deepEqual(run.err, [`scan-report: ${message}`, ...usage]);
        assert.equal(ecr.calls().length, 0);
      });
    }

    it("prints the usage and exits 0 on --help", async () => {
      const run = await scanReport(["--help"]);
      assert.equal(run.code, 0);
      assert.deepEqual(run.out, usage);
    });
  });

  describe("Region", () => {
    it("falls back to AWS_REGION, then AWS_DEFAULT_REGION", async () => {
      const argv = ["--repository", REPOSITORY, "--tag", "latest"];
      const fromRegion = await scanReport(argv, { env: { AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "us-west-2" } });
      const fromDefault = await scanReport(argv, { env: { AWS_DEFAULT_REGION: "us-west-2" } });
      const fromFlag = await scanReport([...argv, "--region", "ap-south-1"], { env: { AWS_REGION: "eu-west-1" } });
      assert.deepEqual([fromRegion.regions, fromDefault.regions, fromFlag.regions], [["eu-west-1"], ["us-west-2"], ["ap-south-1"]]);
    });
  });
});

