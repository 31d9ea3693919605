/**
 * scan-report end to end against the ECR emulator (moto): in-process with the production ECR
 * client (which finds the emulator through AWS_ENDPOINT_URL_ECR), and once as `npm run
 * scan-report` in a child process for the real entry point and exit code.
 *
 * moto answers a started scan with COMPLETE and one fake HIGH finding (CVE-9999-9999); custom
 * results come from its static findings API. moto never scans on push, so an image without
 * StartImageScan stays without a scan: the timeout case.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  CreateRepositoryCommand,
  ECRClient,
  PutImageCommand,
  PutRegistryScanningConfigurationCommand,
  StartImageScanCommand,
  type RegistryScanningRule,
} from "@aws-sdk/client-ecr";
import { runScanReport } from "../../tools/scanReport";
import type { Clock } from "../../tools/scanReport/waitForScan";
import { emulatorEnv, startEcrEmulator, type EcrEmulator } from "../support/ecrEmulator";

const REGION = "eu-central-1";
const REPOSITORY = "wire/app";
const projectRoot = path.resolve(__dirname, "..", "..");

/** A small schema-2 manifest: all PutImage needs; moto never fetches the blobs. */
const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: "application/vnd.docker.distribution.manifest.v2+json",
  config: { mediaType: "application/vnd.docker.container.image.v1+json", size: 1470, digest: `sha256:${"1".repeat(64)}` },
  layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", size: 62275731, digest: `sha256:${"2".repeat(64)}` }],
});

/** Time stands still: every poll reads 0:00. */
const stillClock: Clock = { now: () => 0, sleep: async () => undefined };

/** Each reading is a minute after the last, so a timeout arrives after a few fast polls. */
function minuteClock(): Clock {
  let readings = 0;
  return { now: () => 60_000 * readings++, sleep: async () => undefined };
}

describe("scan-report against the ECR emulator", function () {
  let emulator: EcrEmulator;
  let ecr: ECRClient;
  let tmp: string;
  const savedEnv = { ...process.env };

  before(async () => {
    emulator = await startEcrEmulator();
    Object.assign(process.env, emulatorEnv(emulator, REGION));
    ecr = new ECRClient({
      region: REGION,
      endpoint: emulator.url,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
      maxAttempts: 1,
    });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "scan-report-wire-"));
  });
  after(async () => {
    process.env = savedEnv;
    fs.rmSync(tmp, { recursive: true, force: true });
    await emulator?.stop();
  });
  beforeEach(async () => emulator.reset());

  /** Creates the repository and puts the manifest as `latest`; returns the image digest. */
  async function pushImage(): Promise<string> {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: REPOSITORY }));
    const put = await ecr.send(new PutImageCommand({ repositoryName: REPOSITORY, imageManifest: MANIFEST, imageTag: "latest" }));
    return put.image?.imageId?.imageDigest ?? assert.fail("PutImage returned no digest");
  }

  async function startScan(): Promise<void> {
    await ecr.send(new StartImageScanCommand({ repositoryName: REPOSITORY, imageId: { imageTag: "latest" } }));
  }

  async function scanningConfiguration(scanType: "BASIC" | "ENHANCED", rules: RegistryScanningRule[]): Promise<void> {
    await ecr.send(new PutRegistryScanningConfigurationCommand({ scanType, rules }));
  }

  async function scanReport(argv: string[], clock: Clock = stillClock) {
    emulator.clearRequests();
    const out: string[] = [];
    const err: string[] = [];
    const code = await runScanReport(argv, {
      stdout: (line) => out.push(line),
      stderr: (line) => err.push(line),
      clock,
      pollIntervalSeconds: 0.01,
      maxPollIntervalSeconds: 0.01,
    });
    return { code, out, err };
  }

  it("reports the finding of a scan started after PutImage as a table and as JSON, and exits 4 at --fail-on HIGH", async () => {
    // GIVEN
    const digest = await pushImage();
    await startScan();
    const jsonFile = path.join(tmp, "report.json");
    // WHEN
    const run = await scanReport(["--repository", REPOSITORY, "--tag", "latest", "--fail-on", "HIGH", "--json", jsonFile]);
    // THEN
    assert.equal(run.code, 4);
    assert.deepEqual(run.err, [`Waiting for the BASIC scan of wire/app:latest in ${REGION} (timeout 600s)`, "  [0:00] COMPLETE"]);
    assert.deepEqual(run.out, [
      `Scan of wire/app:latest (${digest}) in ${REGION}: COMPLETE`,
      "",
      "Severity counts (1 finding):",
      "  CRITICAL       0",
      "  HIGH           1",
      "  MEDIUM         0",
      "  LOW            0",
      "  INFORMATIONAL  0",
      "  UNDEFINED      0",
      "",
      "SEVERITY  NAME           PACKAGE    VERSION  LINK",
      "HIGH      CVE-9999-9999  moto_fake  9.9.9    https://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-9999-9999",
      "",
      "1 finding at or above HIGH (--fail-on HIGH).",
    ]);
    assert.deepEqual(JSON.parse(fs.readFileSync(jsonFile, "utf8")), {
      repository: REPOSITORY,
      imageTag: "latest",
      imageDigest: digest,
      region: REGION,
      scanStatus: "COMPLETE",
      failOn: "HIGH",
      counts: { CRITICAL: 0, HIGH: 1, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0, UNDEFINED: 0 },
      total: 1,
      findings: [
        {
          severity: "HIGH",
          name: "CVE-9999-9999",
          package: "moto_fake",
          version: "9.9.9",
          link: "https://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-9999-9999",
          source: "basic",
        },
      ],
    });
    // one look-up, one configuration read, one poll by the waiter, one page
    assert.deepEqual(emulator.counts(), {
      DescribeImages: 1,
      GetRegistryScanningConfiguration: 1,
      DescribeImageScanFindings: 2,
    });
    assert.deepEqual([...new Set(emulator.requests().map((r) => r.region))], [REGION]);
  });

  it("reports ENHANCED findings once the status is ACTIVE, with custom results from moto's findings API", async () => {
    await scanningConfiguration("ENHANCED", [
      { scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "wire/*", filterType: "WILDCARD" }] },
    ]);
    const digest = await pushImage();
    await startScan();
    const result = {
      registryId: "123456789012",
      repositoryName: REPOSITORY,
      imageId: { imageTag: "latest" },
      imageScanStatus: { status: "ACTIVE", description: "Continuous scan is selected and image is being continuously monitored." },
      imageScanFindings: {
        findingSeverityCounts: { CRITICAL: 1, MEDIUM: 1 },
        enhancedFindings: [
          {
            awsAccountId: "123456789012",
            findingArn: "arn:aws:inspector2:eu-central-1:123456789012:finding/0a1b2c",
            severity: "MEDIUM",
            title: "CVE-2023-5678 - openssl-libs",
            packageVulnerabilityDetails: {
              vulnerabilityId: "CVE-2023-5678",
              sourceUrl: "https://nvd.nist.gov/vuln/detail/CVE-2023-5678",
              vulnerablePackages: [{ name: "openssl-libs", version: "1.0.2k", release: "26.amzn2.0.1" }],
            },
          },
          {
            awsAccountId: "123456789012",
            findingArn: "arn:aws:inspector2:eu-central-1:123456789012:finding/3d4e5f",
            severity: "CRITICAL",
            title: "CVE-2023-38545 - curl",
            packageVulnerabilityDetails: {
              vulnerabilityId: "CVE-2023-38545",
              sourceUrl: "https://nvd.nist.gov/vuln/detail/CVE-2023-38545",
              vulnerablePackages: [{ name: "curl", version: "7.79.1" }],
            },
          },
        ],
      },
    };
    const loaded = await fetch(`${emulator.motoUrl}/moto-api/static/ecr/scan-finding-results`, {
      method: "POST",
      body: JSON.stringify({ region: REGION, results: [result] }),
    });
    assert.equal(loaded.status, 201);

    const run = await scanReport(["--repository", REPOSITORY, "--tag", "latest", "--fail-on", "CRITICAL"]);

    assert.equal(run.code, 4);
    assert.deepEqual(run.err, [`Waiting for the ENHANCED scan of wire/app:latest in ${REGION} (timeout 600s)`, "  [0:00] ACTIVE"]);
    assert.deepEqual(run.out.slice(0, 1), [`Scan of wire/app:latest (${digest}) in ${REGION}: ACTIVE`]);
    assert.deepEqual(run.out.slice(10), [
      "SEVERITY  NAME            PACKAGE       VERSION              LINK",
      "CRITICAL  CVE-2023-38545  curl          7.79.1               https://nvd.nist.gov/vuln/detail/CVE-2023-38545",
      "MEDIUM    CVE-2023-5678   openssl-libs  1.0.2k-26.amzn2.0.1  https://nvd.nist.gov/vuln/detail/CVE-2023-5678",
      "",
      "1 finding at or above CRITICAL (--fail-on CRITICAL).",
    ]);
  });

  it("explains from the stored rules why no scan appears before the timeout", async () => {
    await scanningConfiguration("BASIC", [
      {
        scanFrequency: "SCAN_ON_PUSH",
        repositoryFilters: [
          { filter: "prod*", filterType: "WILDCARD" },
          { filter: "app-*", filterType: "WILDCARD" },
        ],
      },
    ]);
    await pushImage();

    const run = await scanReport(["--repository", REPOSITORY, "--tag", "latest", "--timeout", "120"], minuteClock());

    assert.equal(run.code, 1);
    assert.deepEqual(run.out, []);
    assert.deepEqual(run.err, [
      `Waiting for the BASIC scan of wire/app:latest in ${REGION} (timeout 120s)`,
      "  [1:00] no scan yet (ScanNotFoundException)",
      "  [2:00] no scan yet (ScanNotFoundException)",
      `Timed out: no scan of wire/app:latest in ${REGION} appeared within 120s.`,
      'Likely reason: no rule covers repository "wire/app", so ECR does not scan its images by itself.',
      "Under BASIC scanning, a repository that no SCAN_ON_PUSH filter matches is scanned only when someone starts a scan (StartImageScan).",
      `Registry scanning configuration of registry 123456789012 in ${REGION}: BASIC, 1 rule:`,
      "  SCAN_ON_PUSH:",
      '    "prod*"  does not match  (has "*": must match the whole name)',
      '    "app-*"  does not match  (has "*": must match the whole name)',
    ]);
    assert.equal(emulator.count("DescribeImageScanFindings"), 2);
  });

  it("explains a repository that does not exist in the Region", async () => {
    const run = await scanReport(["--repository", "wire/missing", "--tag", "latest"]);

    assert.equal(run.code, 1);
    assert.equal(run.err.length, 2);
    assert.match(
      run.err[0],
      /^looking up image wire\/missing:latest \(eu-central-1\): RepositoryNotFoundException: The repository with name 'wire\/missing' does not exist in the registry with id '123456789012' \(request id \S+\)$/,
    );
    assert.equal(
      run.err[1],
      'Repository not found: there is no repository "wire/missing" in this account\'s registry in eu-central-1. ' +
        "Check the name and the Region (--region, AWS_REGION).",
    );
  });

  it("runs as npm run scan-report, finds the emulator through AWS_ENDPOINT_URL_ECR and exits 4", async function () {
    // a child process: ts-node compiles the tool first, which takes a few seconds
    this.timeout(60_000);
    await pushImage();
    await startScan();

    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      execFile(
        "npm",
        ["run", "--silent", "scan-report", "--", "--repository", REPOSITORY, "--tag", "latest", "--fail-on", "HIGH"],
        { cwd: projectRoot, env: { ...savedEnv, ...emulatorEnv(emulator, REGION), NODE_NO_WARNINGS: "1" } },
        (error, out) => resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout: out }),
      );
    });

    assert.equal(code, 4);
    assert.match(stdout, /^HIGH {6}CVE-9999-9999 {2}moto_fake {2}9\.9\.9 {4}https:\/\/cve\.mitre\.org\/\S+$/m);
    assert.match(stdout, /^1 finding at or above HIGH \(--fail-on HIGH\)\.$/m);
  });
});
