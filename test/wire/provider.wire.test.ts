/**
 * Provider methods against a real ECR wire endpoint (moto), called in-process as the host would.
 * Request counts per operation come from the emulator's counting proxy; the ceilings hold when
 * no other writer interferes: diff 0, create ≤ 3, update ≤ 2, delete ≤ 2, read 1.
 */
import * as assert from "node:assert/strict";
import type { ECRClient } from "@aws-sdk/client-ecr";
import type { RegistryConfig, RuleState } from "../../provider/model";
import { emulatorEnv, startEcrEmulator, type EcrEmulator } from "../support/ecrEmulator";
import { checked, configureProvider, provider, readRegistry, testClient, writeRegistry } from "../support/providerCalls";

const REGION = "ap-northeast-1";
const REGISTRY = "123456789012";
const ORIGINAL: RegistryConfig = { scanType: "BASIC", rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["fa-083"] }] };

describe("provider methods against the ECR emulator", function () {
  let emulator: EcrEmulator;
  let ecr: ECRClient;
  const savedEnv = { ...process.env };

  before(async () => {
    emulator = await startEcrEmulator();
    Object.assign(process.env, emulatorEnv(emulator, "us-west-2"));
    ecr = testClient(emulator.url, REGION);
  });
  after(async () => {
    process.env = savedEnv;
    await emulator?.stop();
  });
  beforeEach(async () => {
    await emulator.reset();
    await configureProvider({ "aws:region": REGION });
  });

  /** Arranges the registry, then forgets the arranging requests so only the provider's are counted. */
  async function given(config: RegistryConfig): Promise<void> {
    await writeRegistry(ecr, config);
    emulator.clearRequests();
  }

  async function create(news: Record<string, unknown>) {
    emulator.clearRequests();
    const result = await provider.create(await checked(news));
    return { ...result, outs: result.outs as RuleState, counts: emulator.counts() };
  }

  it("gives a fresh registry exactly the original configuration in at most 3 requests", async () => {
    const { id, outs, counts } = await create({ repositoryFilters: ["fa-083"] });
    assert.deepEqual(await readRegistry(ecr), ORIGINAL);
    assert.deepEqual(counts, { GetRegistryScanningConfiguration: 2, PutRegistryScanningConfiguration: 1 });
    assert.match(id, /^ap-northeast-1\/SCAN_ON_PUSH\/[0-9a-f]{16}$/);
    assert.deepEqual(outs, {
      repositoryFilters: ["fa-083"],
      scanFrequency: "SCAN_ON_PUSH",
      scanType: "BASIC",
      allowScanTypeChange: false,
      region: REGION,
      registryId: REGISTRY,
      ownedFilters: ["fa-083"],
      adoptedFilters: [],
    });
  });

  it("uses the region input over aws:region, and aws:region over AWS_REGION", async () => {
    const { outs } = await create({ repositoryFilters: ["fa-083"], region: "eu-west-1" });
    assert.equal(outs.region, "eu-west-1");
    assert.deepEqual(await readRegistry(testClient(emulator.url, "eu-west-1")), ORIGINAL);
    assert.deepEqual(await readRegistry(ecr), { scanType: "BASIC", rules: [] });
    const defaulted = await create({ repositoryFilters: ["fa-083"] });
    assert.equal(defaulted.outs.region, REGION);
  });

  it("falls back to AWS_REGION and fails check when no Region is set anywhere", async () => {
    await configureProvider({});
    const fromEnv = await create({ repositoryFilters: ["fa-083"] });
    assert.equal(fromEnv.outs.region, "us-west-2");
    const { AWS_REGION, AWS_DEFAULT_REGION } = process.env;
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      const result = await provider.check({} as never, { repositoryFilters: ["fa-083"] } as never);
      assert.deepEqual(result.failures, [
        {
          property: "region",
          reason:
            "is not set, and there is no default: set the region input, the stack's aws:region config, or AWS_REGION / AWS_DEFAULT_REGION",
        },
      ]);
    } finally {
      Object.assign(process.env, { AWS_REGION, AWS_DEFAULT_REGION });
    }
  });

  it("keeps a foreign BASIC rule through create and delete", async () => {
    const foreign: RegistryConfig = { scanType: "BASIC", rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["team/*"] }] };
    await given(foreign);
    const { id, outs } = await create({ repositoryFilters: ["fa-083"] });
    assert.deepEqual(await readRegistry(ecr), {
      scanType: "BASIC",
      rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["team/*", "fa-083"] }],
    });
    emulator.clearRequests();
    await provider.delete(id, outs);
    assert.deepEqual(emulator.counts(), { GetRegistryScanningConfiguration: 1, PutRegistryScanningConfiguration: 1 });
    assert.deepEqual(await readRegistry(ecr), foreign);
  });

  it("adopts a filter that is already there with one read, and leaves it after delete", async () => {
    await given(ORIGINAL);
    const { id, outs, counts } = await create({ repositoryFilters: ["fa-083"] });
    assert.deepEqual(counts, { GetRegistryScanningConfiguration: 1 });
    assert.deepEqual(outs.adoptedFilters, ["fa-083"]);
    assert.deepEqual(outs.ownedFilters, []);
    emulator.clearRequests();
    await provider.delete(id, outs);
    assert.deepEqual(emulator.counts(), { GetRegistryScanningConfiguration: 1 });
    assert.deepEqual(await readRegistry(ecr), ORIGINAL);
  });

  it("refuses to switch the scan type under a foreign rule and writes nothing", async () => {
    await given({ scanType: "ENHANCED", rules: [{ scanFrequency: "CONTINUOUS_SCAN", filters: ["prod-*"] }] });
    await assert.rejects(create({ repositoryFilters: ["fa-083"] }), {
      message:
        `creating ECR registry scanning rule (${REGION}/${REGISTRY}): the registry scan type is ENHANCED and this rule needs BASIC, ` +
        'but the registry holds rules this resource does not own (CONTINUOUS_SCAN rule with filters ["prod-*"]); switching the scan ' +
        "type changes how they scan. Set allowScanTypeChange to true to switch anyway",
    });
    assert.equal(emulator.count("PutRegistryScanningConfiguration"), 0);
  });

  it("switches the scan type when allowed, records it, and restores it on delete once no foreign rule is left", async () => {
    await given({ scanType: "BASIC", rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["other"] }] });
    const { id, outs } = await create({
      repositoryFilters: ["fa-083"],
      scanType: "ENHANCED",
      scanFrequency: "CONTINUOUS_SCAN",
      allowScanTypeChange: true,
    });
    assert.equal(outs.previousScanType, "BASIC");
    assert.equal((await readRegistry(ecr)).scanType, "ENHANCED");
    // the foreign rule disappears out of band; delete then restores BASIC
    await given({ scanType: "ENHANCED", rules: [{ scanFrequency: "CONTINUOUS_SCAN", filters: ["fa-083"] }] });
    await provider.delete(id, outs);
    assert.deepEqual(await readRegistry(ecr), { scanType: "BASIC", rules: [] });
  });

  it("fails at the 100-filter limit with the current count and writes nothing", async () => {
    const full = Array.from({ length: 100 }, (_, i) => `repo-${i}`);
    await given({ scanType: "BASIC", rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: full }] });
    await assert.rejects(create({ repositoryFilters: ["fa-083"] }), {
      message:
        `creating ECR registry scanning rule (${REGION}/${REGISTRY}): cannot add 1 filter(s) to the SCAN_ON_PUSH rule: ` +
        "it already holds 100 filters, and the limit is 100 per rule",
    });
    assert.equal(emulator.count("PutRegistryScanningConfiguration"), 0);
    assert.equal((await readRegistry(ecr)).rules[0]?.filters.length, 100);
  });

  it("fails at the 2-rule limit with the current count and writes nothing", async () => {
    await given({
      scanType: "ENHANCED",
      rules: [
        { scanFrequency: "CONTINUOUS_SCAN", filters: ["a"] },
        { scanFrequency: "MANUAL", filters: ["b"] },
      ],
    });
    await assert.rejects(create({ repositoryFilters: ["fa-083"], scanType: "ENHANCED" }), /the registry already has 2 rules .* and the limit is 2$/);
    assert.equal(emulator.count("PutRegistryScanningConfiguration"), 0);
  });

  it("moves filters on update with one read and one write", async () => {
    await given({ scanType: "BASIC", rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["team/*"] }] });
    const { id, outs } = await create({ repositoryFilters: ["fa-083", "shared"] });
    emulator.clearRequests();
    const news = await checked({ repositoryFilters: ["fa-084", "shared"] });
    assert.deepEqual(await provider.diff(id, outs, news), { changes: true, replaces: [] });
    const updated = await provider.update(id, outs, news);
    assert.deepEqual(emulator.counts(), { GetRegistryScanningConfiguration: 1, PutRegistryScanningConfiguration: 1 });
    assert.deepEqual(await readRegistry(ecr), {
      scanType: "BASIC",
      rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["team/*", "fa-084", "shared"] }],
    });
    assert.deepEqual((updated.outs as RuleState).ownedFilters, ["fa-084", "shared"]);
  });

  it("moves filters to another frequency on update", async () => {
    const { id, outs } = await create({ repositoryFilters: ["fa-083"], scanType: "ENHANCED" });
    const news = await checked({ repositoryFilters: ["fa-083"], scanType: "ENHANCED", scanFrequency: "CONTINUOUS_SCAN" });
    await provider.update(id, outs, news);
    assert.deepEqual(await readRegistry(ecr), {
      scanType: "ENHANCED",
      rules: [{ scanFrequency: "CONTINUOUS_SCAN", filters: ["fa-083"] }],
    });
  });

  it("decides diff without any ECR request", async () => {
    const { id, outs } = await create({ repositoryFilters: ["fa-083"] });
    emulator.clearRequests();
    const same = await checked({ repositoryFilters: ["fa-083"] });
    assert.deepEqual(await provider.diff(id, outs, same), { changes: false, replaces: [] });
    assert.deepEqual(await provider.diff(id, outs, { ...same, allowScanTypeChange: true }), { changes: true, replaces: [] });
    assert.deepEqual(await provider.diff(id, outs, { ...same, region: "eu-west-1" }), { changes: true, replaces: ["region"] });
    assert.deepEqual(
      await provider.diff(id, { ...outs, __provider: "old" } as RuleState, { ...same, __provider: "new" } as never),
      { changes: true, replaces: [] },
    );
    assert.equal(emulator.count(), 0);
  });

  it("reports what is really there on read, and the resource as gone when our filters were removed out of band", async () => {
    const { id, outs } = await create({ repositoryFilters: ["fa-083", "fa-084"] });
    await given({ scanType: "BASIC", rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["fa-084"] }] });
    const partial = await provider.read(id, outs);
    assert.equal(emulator.count(), 1);
    assert.equal(partial.id, id);
    assert.deepEqual((partial.props as RuleState).repositoryFilters, ["fa-084"]);
    assert.deepEqual(partial.inputs, {
      repositoryFilters: ["fa-084"],
      scanFrequency: "SCAN_ON_PUSH",
      scanType: "BASIC",
      allowScanTypeChange: false,
      region: REGION,
    });
    await given({ scanType: "BASIC", rules: [] });
    assert.deepEqual(await provider.read(id, outs), {});
    assert.equal(emulator.count(), 1);
  });

  it("makes no write on delete after an out-of-band reset", async () => {
    const { id, outs } = await create({ repositoryFilters: ["fa-083"] });
    await given({ scanType: "BASIC", rules: [] });
    await provider.delete(id, outs);
    assert.deepEqual(emulator.counts(), { GetRegistryScanningConfiguration: 1 });
  });

  it("keeps every filter when 10 resources are created in parallel", async () => {
    const names = Array.from({ length: 10 }, (_, i) => `parallel-${i}`);
    const inputs = await Promise.all(names.map((name) => checked({ repositoryFilters: [name] })));
    emulator.clearRequests();
    await Promise.all(inputs.map((input) => provider.create(input)));
    // serialized per Region: each create reads, writes once and verifies, with no lost race to repair
    assert.deepEqual(emulator.counts(), { GetRegistryScanningConfiguration: 20, PutRegistryScanningConfiguration: 10 });
    const rule = (await readRegistry(ecr)).rules[0];
    assert.deepEqual([...(rule?.filters ?? [])].sort(), [...names].sort());
  });

  it("rides out throttling through the SDK's retries", async () => {
    emulator.injectError("GetRegistryScanningConfiguration", 2, {
      status: 400,
      type: "ThrottlingException",
      message: "Rate exceeded",
    });
    await create({ repositoryFilters: ["fa-083"] });
    // two throttled reads, then the first real read, the write and the verifying read
    assert.equal(emulator.count("GetRegistryScanningConfiguration"), 4);
    assert.deepEqual(await readRegistry(ecr), ORIGINAL);
  });

  it("names the action, Region and IAM actions when access is denied", async () => {
    emulator.injectError("GetRegistryScanningConfiguration", 1, {
      status: 400,
      type: "AccessDeniedException",
      message: "User is not authorized to perform: ecr:GetRegistryScanningConfiguration",
    });
    await assert.rejects(create({ repositoryFilters: ["fa-083"] }), {
      message:
        `creating ECR registry scanning rule (${REGION}): AccessDeniedException: User is not authorized to perform: ` +
        "ecr:GetRegistryScanningConfiguration (request id injected-fault); the deployer needs the IAM actions " +
        'ecr:GetRegistryScanningConfiguration and ecr:PutRegistryScanningConfiguration on resource "*" (see iam/deployer-policy.json)',
    });
  });

  describe("when the credentials reach another account than the one the rule was applied to", () => {
    const elsewhere = async () => {
      const { id, outs } = await create({ repositoryFilters: ["fa-083"] });
      // state written while the credentials reached account 210987654321
      return { id, stored: { ...outs, registryId: "210987654321" } };
    };
    const reason =
      "the credentials reach registry 123456789012, but this rule was applied to registry 210987654321; " +
      "use credentials for account 210987654321, or drop the resource from state with pulumi state delete";

    it("refuses to delete from the other registry and writes nothing", async () => {
      const { id, stored } = await elsewhere();
      emulator.clearRequests();
      await assert.rejects(provider.delete(id, stored), {
        message: `deleting ECR registry scanning rule (${REGION}/210987654321): ${reason}`,
      });
      assert.equal(emulator.count("PutRegistryScanningConfiguration"), 0);
      assert.deepEqual(await readRegistry(ecr), ORIGINAL);
    });

    it("refuses to update the other registry and writes nothing", async () => {
      const { id, stored } = await elsewhere();
      emulator.clearRequests();
      await assert.rejects(provider.update(id, stored, await checked({ repositoryFilters: ["fa-084"] })), {
        message: `updating ECR registry scanning rule (${REGION}/210987654321): ${reason}`,
      });
      assert.equal(emulator.count("PutRegistryScanningConfiguration"), 0);
    });

    it("refuses to report the other registry on refresh", async () => {
      const { id, stored } = await elsewhere();
      await assert.rejects(provider.read(id, stored), {
        message: `reading ECR registry scanning rule (${REGION}/210987654321): ${reason}`,
      });
    });
  });
});
