/**
 * The real provider host: the provider text that constructing RegistryScanningRule produces is
 * loaded by @pulumi/pulumi's dynamic-provider host in a child process and driven over gRPC, as
 * the Pulumi engine drives it, against the ECR emulator (moto behind a counting proxy).
 *
 * The host gets the emulator endpoint and static test credentials from its environment, but no
 * AWS_REGION or AWS_DEFAULT_REGION: its Region can only come from the Configure RPC.
 */
import * as assert from "node:assert/strict";
import {
  ECRClient,
  GetRegistryScanningConfigurationCommand,
  PutRegistryScanningConfigurationCommand,
  type PutRegistryScanningConfigurationCommandInput,
  type RegistryScanningConfiguration,
} from "@aws-sdk/client-ecr";
import { emulatorEnv, startEcrEmulator, type EcrEmulator } from "../support/ecrEmulator";
import {
  ruleUrn,
  serializeRegistryScanningRule,
  startProviderHost,
  type HostCallError,
  type Props,
  type ProviderHost,
} from "../support/providerHost";

const REGION = "ap-northeast-1";
const REGISTRY = "123456789012";
const URN = ruleUrn();
const GRPC_UNKNOWN = 2;

/** What a fresh moto registry reads, and what delete must give back. */
const FRESH: RegistryScanningConfiguration = { scanType: "BASIC", rules: [] };
/** The original CloudFormation stack's registry configuration. */
const ORIGINAL: RegistryScanningConfiguration = {
  scanType: "BASIC",
  rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "fa-083", filterType: "WILDCARD" }] }],
};

/** Distinctive values present in the test process while the provider is serialized. */
const PROBE_ENV: Record<string, string> = {
  AWS_ACCESS_KEY_ID: "AKIAPROBEKEY0SERIAL9",
  AWS_SECRET_ACCESS_KEY: "probeSecret/Serialize+Do-Not-Capture-7f3a",
  AWS_SESSION_TOKEN: "probe-session-token-c0ffee-serialize",
  AWS_REGION: "probe-region-env-1",
  AWS_DEFAULT_REGION: "probe-region-default-2",
  AWS_PROFILE: "probe-profile-serialize",
  AWS_ENDPOINT_URL_ECR: "http://probe-endpoint.invalid:4566",
};

function ecrClient(endpoint: string): ECRClient {
  return new ECRClient({
    region: REGION,
    endpoint,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    maxAttempts: 1,
  });
}

/** Expects a gRPC failure and returns it. */
async function rejection(call: Promise<unknown>): Promise<HostCallError> {
  try {
    await call;
  } catch (err) {
    return err as HostCallError;
  }
  assert.fail("the call succeeded, but it should have failed");
}

describe("the real provider host", function () {
  this.timeout(60_000);

  let providerText: string;
  /** The inputs the real resource registers, as the engine sends them to Check. */
  let registered: Props;
  let emulator: EcrEmulator;
  let host: ProviderHost;
  let ecr: ECRClient;

  before(async () => {
    // serialize while distinctive credentials and settings are in this process's environment
    const saved = { ...process.env };
    Object.assign(process.env, PROBE_ENV);
    try {
      ({ providerText, inputs: registered } = await serializeRegistryScanningRule());
    } finally {
      process.env = saved;
    }

    emulator = await startEcrEmulator();
    ecr = ecrClient(emulator.url);
    host = await startProviderHost({
      env: { ...emulatorEnv(emulator, REGION), AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined, AWS_PROFILE: undefined },
    });
    await host.configure({ "aws:region": REGION });
  });

  after(async () => {
    await host?.stop();
    await emulator?.stop();
  });

  let logsBefore = 0;
  beforeEach(async () => {
    await emulator.reset();
    logsBefore = host.logs.length;
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(`provider host output:\n${host.logs.slice(logsBefore).join("")}`);
  });

  async function registry(): Promise<RegistryScanningConfiguration | undefined> {
    return (await ecr.send(new GetRegistryScanningConfigurationCommand({}))).scanningConfiguration;
  }

  /** Arranges the registry, then forgets the arranging requests so only the host's are counted. */
  async function given(config: PutRegistryScanningConfigurationCommandInput): Promise<void> {
    await ecr.send(new PutRegistryScanningConfigurationCommand(config));
    emulator.clearRequests();
  }

  /** Check, as the engine calls it before create; fails the test on any check failure. */
  async function checked(news: Props = registered): Promise<Props> {
    const { inputs, failures } = await host.check({}, news);
    assert.deepEqual(failures, []);
    return inputs;
  }

  /** Creates the rule through the host and forgets the requests it made. */
  async function created(news: Props = registered): Promise<{ id: string; outs: Props; inputs: Props }> {
    const inputs = await checked(news);
    const { id, properties } = await host.create(URN, inputs);
    emulator.clearRequests();
    return { id, outs: properties, inputs };
  }

  describe("the serialized provider", () => {
    it("is module text under 64 KiB", () => {
      const bytes = Buffer.byteLength(providerText, "utf8");
      console.log(`      serialized provider: ${bytes} bytes (${(bytes / 1024).toFixed(1)} KiB)`);
      assert.ok(providerText.startsWith("exports.handler = "), providerText.slice(0, 80));
      assert.ok(bytes < 64 * 1024, `${bytes} bytes`);
    });

    it("captures no credential, Region, profile or endpoint from the environment", () => {
      for (const [name, value] of Object.entries(PROBE_ENV)) {
        assert.ok(!providerText.includes(value), `${name}'s value is in the provider text`);
      }
    });

    it("loads the AWS SDK by name at run time and inlines none of it", () => {
      const required = [...new Set([...providerText.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].sort();
      assert.deepEqual(required, ["@aws-sdk/client-ecr", "crypto"]);
      for (const internal of ["class ECRClient", "@smithy/", "@aws-sdk/core", "dist-cjs", "middlewareStack", "credentialDefaultProvider"]) {
        assert.ok(!providerText.includes(internal), `the provider text contains ${JSON.stringify(internal)}`);
      }
    });

    it("is what the resource registers, with the program's inputs", () => {
      assert.deepEqual(registered, {
        __provider: providerText,
        repositoryFilters: ["fa-083"],
        scanFrequency: "SCAN_ON_PUSH",
        scanType: "BASIC",
      });
    });
  });

  describe("Check", () => {
    it("normalizes valid inputs, keeps __provider and makes no ECR request", async () => {
      const { inputs, failures } = await host.check({}, { ...registered, repositoryFilters: ["fa-083", "a-*", "fa-083"] });
      assert.deepEqual(failures, []);
      assert.deepEqual(inputs, {
        __provider: providerText,
        repositoryFilters: ["a-*", "fa-083"],
        scanFrequency: "SCAN_ON_PUSH",
        scanType: "BASIC",
        allowScanTypeChange: false,
      });
      assert.equal(emulator.count(), 0);
    });

    it("reports a filter that breaks ECR's pattern", async () => {
      const { failures } = await host.check({}, { ...registered, repositoryFilters: ["Prod*"] });
      assert.deepEqual(failures, [
        {
          property: "repositoryFilters",
          reason:
            'item 0: "Prod*" must match ^[a-z0-9*](?:[._\\-/a-z0-9*]?[a-z0-9*]+)*$ (lowercase letters, digits and "*", ' +
            'joined by single ".", "_", "-" or "/") and be 1..255 characters long',
        },
      ]);
    });

    it("reports MANUAL as a frequency no rule may have", async () => {
      const { failures } = await host.check({}, { ...registered, scanFrequency: "MANUAL" });
      assert.deepEqual(failures, [
        {
          property: "scanFrequency",
          reason: '"MANUAL" must be one of SCAN_ON_PUSH, CONTINUOUS_SCAN; MANUAL is what repositories matched by no rule get, not a rule of its own',
        },
      ]);
    });

    it("reports CONTINUOUS_SCAN under scan type BASIC", async () => {
      const { failures } = await host.check({}, { ...registered, scanType: "BASIC", scanFrequency: "CONTINUOUS_SCAN" });
      assert.deepEqual(failures, [
        {
          property: "scanFrequency",
          reason: '"CONTINUOUS_SCAN" is not supported by scan type BASIC; BASIC allows only SCAN_ON_PUSH',
        },
      ]);
    });

    it("reports an input name it does not know", async () => {
      const { failures } = await host.check({}, { ...registered, repositoryFilter: ["fa-083"] });
      assert.deepEqual(failures, [
        {
          property: "repositoryFilter",
          reason: "is not an input of RegistryScanningRule; the inputs are repositoryFilters, scanFrequency, scanType, allowScanTypeChange, region",
        },
      ]);
    });

    it("reports a misspelt input name together with the input it leaves missing", async () => {
      // fails today: check returns inputs with repositoryFilters: undefined, which the host cannot
      // encode ("Unexpected struct type."), so the failures never reach the engine
      const { repositoryFilters, ...rest } = registered;
      const { failures } = await host.check({}, { ...rest, repositoryFilter: repositoryFilters });
      assert.deepEqual(failures, [
        {
          property: "repositoryFilter",
          reason: "is not an input of RegistryScanningRule; the inputs are repositoryFilters, scanFrequency, scanType, allowScanTypeChange, region",
        },
        { property: "repositoryFilters", reason: "undefined must be a list of 1..100 filter strings" },
      ]);
    });
  });

  describe("Diff", () => {
    let outs: Props;
    let inputs: Props;

    beforeEach(async () => {
      ({ outs, inputs } = await created());
    });

    it("reports no change for identical inputs, without an ECR request", async () => {
      assert.deepEqual(await host.diff("id", outs, inputs), { changes: "DIFF_NONE", replaces: [], deleteBeforeReplace: false });
      assert.equal(emulator.count(), 0);
    });

    it("reports an in-place change for changed filters, without an ECR request", async () => {
      const news = await checked({ ...registered, repositoryFilters: ["fa-084"] });
      emulator.clearRequests();
      assert.deepEqual(await host.diff("id", outs, news), { changes: "DIFF_SOME", replaces: [], deleteBeforeReplace: false });
      assert.equal(emulator.count(), 0);
    });

    it("reports an in-place change when only the provider text changed", async () => {
      const news = { ...inputs, __provider: `${providerText}\n// a later version of the provider\n` };
      assert.deepEqual(await host.diff("id", outs, news), { changes: "DIFF_SOME", replaces: [], deleteBeforeReplace: false });
      assert.equal(emulator.count(), 0);
    });

    it("reports an in-place change when only allowScanTypeChange changed", async () => {
      const news = { ...inputs, allowScanTypeChange: true };
      assert.deepEqual(await host.diff("id", outs, news), { changes: "DIFF_SOME", replaces: [], deleteBeforeReplace: false });
      assert.equal(emulator.count(), 0);
    });

    it("replaces the rule when its Region changes", async () => {
      const news = await checked({ ...registered, region: "eu-west-1" });
      emulator.clearRequests();
      assert.deepEqual(await host.diff("id", outs, news), { changes: "DIFF_SOME", replaces: ["region"], deleteBeforeReplace: false });
      assert.equal(emulator.count(), 0);
    });
  });

  describe("Create", () => {
    it("gives a fresh registry exactly the original configuration, in the configured Region", async () => {
      const inputs = await checked();
      emulator.clearRequests();

      const { id, properties } = await host.create(URN, inputs);

      assert.deepEqual(emulator.counts(), { GetRegistryScanningConfiguration: 2, PutRegistryScanningConfiguration: 1 });
      // the host has no AWS_REGION: the Region reached it through Configure
      assert.deepEqual([...new Set(emulator.requests().map((r) => r.region))], [REGION]);
      assert.deepEqual(await registry(), ORIGINAL);
      assert.match(id, /^ap-northeast-1\/SCAN_ON_PUSH\/[0-9a-f]{16}$/);
      assert.deepEqual(properties, {
        repositoryFilters: ["fa-083"],
        scanFrequency: "SCAN_ON_PUSH",
        scanType: "BASIC",
        allowScanTypeChange: false,
        region: REGION,
        registryId: REGISTRY,
        ownedFilters: ["fa-083"],
        adoptedFilters: [],
        __provider: providerText,
      });
    });

    it("refuses to switch a foreign ENHANCED registry to BASIC, and the message survives the host", async () => {
      const foreign: PutRegistryScanningConfigurationCommandInput = {
        scanType: "ENHANCED",
        rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "team-*", filterType: "WILDCARD" }] }],
      };
      await given(foreign);

      const err = await rejection(host.create(URN, await checked()));

      assert.equal(err.code, GRPC_UNKNOWN);
      assert.equal(
        err.details,
        `creating ECR registry scanning rule (${REGION}/${REGISTRY}): the registry scan type is ENHANCED and this rule ` +
          'needs BASIC, but the registry holds rules this resource does not own (CONTINUOUS_SCAN rule with filters ["team-*"]); ' +
          "switching the scan type changes how they scan. Set allowScanTypeChange to true to switch anyway",
      );
      assert.deepEqual(emulator.counts(), { GetRegistryScanningConfiguration: 1 });
      assert.deepEqual(await registry(), foreign);
    });

    it("names the IAM actions it needs when ECR denies access", async () => {
      const inputs = await checked();
      emulator.clearRequests();
      emulator.injectError("GetRegistryScanningConfiguration", 1, {
        status: 400,
        type: "AccessDeniedException",
        message: `User: arn:aws:iam::${REGISTRY}:user/deployer is not authorized to perform: ecr:GetRegistryScanningConfiguration`,
      });

      const err = await rejection(host.create(URN, inputs));

      assert.equal(err.code, GRPC_UNKNOWN);
      assert.equal(
        err.details,
        `creating ECR registry scanning rule (${REGION}): AccessDeniedException: User: arn:aws:iam::${REGISTRY}:user/deployer ` +
          "is not authorized to perform: ecr:GetRegistryScanningConfiguration (request id injected-fault); the deployer needs " +
          'the IAM actions ecr:GetRegistryScanningConfiguration and ecr:PutRegistryScanningConfiguration on resource "*" ' +
          "(see iam/deployer-policy.json)",
      );
      // access denied is not retried, and nothing is written
      assert.deepEqual(emulator.counts(), { GetRegistryScanningConfiguration: 1 });
      assert.deepEqual(await registry(), FRESH);
    });
  });

  describe("Read", () => {
    it("returns the stored outputs and the inputs that match the registry, in one request", async () => {
      const { id, outs, inputs } = await created();

      const result = await host.read(id, URN, outs, inputs);

      assert.deepEqual(emulator.counts(), { GetRegistryScanningConfiguration: 1 });
      assert.deepEqual(result, {
        id,
        properties: outs,
        inputs: {
          repositoryFilters: ["fa-083"],
          scanFrequency: "SCAN_ON_PUSH",
          scanType: "BASIC",
          allowScanTypeChange: false,
          region: REGION,
          __provider: providerText,
        },
      });
    });

    it("returns an empty id once the filter was removed out of band", async () => {
      const { id, outs, inputs } = await created();
      await given({ scanType: "BASIC", rules: [] });

      const result = await host.read(id, URN, outs, inputs);

      assert.equal(result.id, "");
      assert.equal(result.inputs, undefined);
      assert.deepEqual(emulator.counts(), { GetRegistryScanningConfiguration: 1 });
    });
  });

  describe("Update", () => {
    it("moves the filter: the old one is removed and the new one added, in at most 2 requests", async () => {
      const { id, outs } = await created();
      const news = await checked({ ...registered, repositoryFilters: ["fa-084"] });
      emulator.clearRequests();

      const properties = await host.update(id, URN, outs, news);

      assert.deepEqual(emulator.counts(), { GetRegistryScanningConfiguration: 1, PutRegistryScanningConfiguration: 1 });
      assert.deepEqual(await registry(), {
        scanType: "BASIC",
        rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "fa-084", filterType: "WILDCARD" }] }],
      });
      assert.deepEqual(properties, {
        repositoryFilters: ["fa-084"],
        scanFrequency: "SCAN_ON_PUSH",
        scanType: "BASIC",
        allowScanTypeChange: false,
        region: REGION,
        registryId: REGISTRY,
        ownedFilters: ["fa-084"],
        adoptedFilters: [],
        __provider: providerText,
      });
    });
  });

  describe("Delete", () => {
    it("gives the registry back as it was before create, in at most 2 requests", async () => {
      const { id, outs } = await created();

      await host.delete(id, URN, outs);

      assert.deepEqual(emulator.counts(), { GetRegistryScanningConfiguration: 1, PutRegistryScanningConfiguration: 1 });
      assert.deepEqual(await registry(), FRESH);
    });
  });

  describe("without a Region in config or environment", () => {
    let bare: ProviderHost;

    before(async () => {
      bare = await startProviderHost({
        env: { ...emulatorEnv(emulator, REGION), AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined, AWS_PROFILE: undefined },
      });
      await bare.configure({});
    });
    after(async () => {
      await bare?.stop();
    });

    it("fails Check on the region, naming every place a Region can come from", async () => {
      const { failures } = await bare.check({}, registered);
      assert.deepEqual(failures, [
        {
          property: "region",
          reason:
            "is not set, and there is no default: set the region input, the stack's aws:region config, " +
            "or AWS_REGION / AWS_DEFAULT_REGION",
        },
      ]);
    });

    it("fails Create before any ECR request", async () => {
      const err = await rejection(bare.create(URN, { ...registered, allowScanTypeChange: false }));
      assert.equal(err.code, GRPC_UNKNOWN);
      assert.equal(err.details, "creating ECR registry scanning rule (no region): no Region is set: set the region input, aws:region or AWS_REGION");
      assert.equal(emulator.count(), 0);
    });
  });
});
