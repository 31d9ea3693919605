/**
 * SDK-level error paths: each ECR exception becomes a message that says what was being done,
 * to which Region and registry, and why. aws-sdk-client-mock replaces ECRClient#send, so these
 * tests see exactly the commands the provider sends; retries are covered separately (the mock
 * bypasses the SDK's middleware, so the retry settings are asserted on a real client here and
 * exercised on the wire against the emulator).
 */
import * as assert from "node:assert/strict";
import {
  BlockedByOrganizationPolicyException,
  ECRClient,
  GetRegistryScanningConfigurationCommand,
  PutRegistryScanningConfigurationCommand,
  ServerException,
  ValidationException,
} from "@aws-sdk/client-ecr";
import { mockClient } from "aws-sdk-client-mock";
import { createEcrClient, MAX_ATTEMPTS } from "../../provider/ecr";
import type { RuleState } from "../../provider/model";
import { checked, configureProvider, provider } from "../support/providerCalls";

const REGION = "ap-northeast-1";
const metadata = { requestId: "req-1", httpStatusCode: 400 };
const FRESH = { registryId: "123456789012", scanningConfiguration: { scanType: "BASIC" as const, rules: [] } };
const WITH_OURS = {
  registryId: "123456789012",
  scanningConfiguration: {
    scanType: "BASIC" as const,
    rules: [{ scanFrequency: "SCAN_ON_PUSH" as const, repositoryFilters: [{ filter: "fa-083", filterType: "WILDCARD" as const }] }],
  },
};

/** An SDK-shaped error for names this client has no class for (they come from the service's generic errors). */
function serviceError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: metadata, $fault: "client" });
}

const STATE: RuleState = {
  repositoryFilters: ["fa-083"],
  scanFrequency: "SCAN_ON_PUSH",
  scanType: "BASIC",
  allowScanTypeChange: false,
  region: REGION,
  registryId: "123456789012",
  ownedFilters: ["fa-083"],
  adoptedFilters: [],
};

describe("ECR client settings", () => {
  it("builds clients in the resolved Region that retry throttling up to 8 attempts", async () => {
    const client = createEcrClient({ region: REGION });
    assert.equal(MAX_ATTEMPTS, 8);
    assert.equal(await client.config.maxAttempts(), 8);
    assert.equal(await client.config.region(), REGION);
  });
});

describe("provider error messages (aws-sdk-client-mock)", () => {
  let ecr: ReturnType<typeof mockClient>;

  before(() => {
    ecr = mockClient(ECRClient);
  });
  beforeEach(async () => {
    ecr.reset();
    await configureProvider({ "aws:region": REGION });
  });
  after(() => ecr.restore());

  const createOriginal = async () => provider.create(await checked({ repositoryFilters: ["fa-083"] }));

  it("names the IAM actions on AccessDeniedException, leaving out the registry id it does not know yet", async () => {
    ecr.on(GetRegistryScanningConfigurationCommand).rejects(serviceError("AccessDeniedException", "not authorized"));
    await assert.rejects(createOriginal(), {
      message:
        "creating ECR registry scanning rule (ap-northeast-1): AccessDeniedException: not authorized (request id req-1); " +
        'the deployer needs the IAM actions ecr:GetRegistryScanningConfiguration and ecr:PutRegistryScanningConfiguration on resource "*" (see iam/deployer-policy.json)',
    });
    assert.equal(ecr.commandCalls(PutRegistryScanningConfigurationCommand).length, 0);
  });

  it("includes the registry id once it is known", async () => {
    ecr.on(GetRegistryScanningConfigurationCommand).resolves(FRESH);
    ecr.on(PutRegistryScanningConfigurationCommand).rejects(serviceError("AccessDeniedException", "not authorized"));
    await assert.rejects(createOriginal(), {
      message: /^creating ECR registry scanning rule \(ap-northeast-1\/123456789012\): AccessDeniedException: not authorized \(request id req-1\); the deployer needs/,
    });
  });

  it("reports a ThrottlingException that outlasted the SDK's retries", async () => {
    ecr.on(GetRegistryScanningConfigurationCommand).rejects(serviceError("ThrottlingException", "Rate exceeded"));
    await assert.rejects(createOriginal(), {
      message: "creating ECR registry scanning rule (ap-northeast-1): ThrottlingException: Rate exceeded (request id req-1)",
    });
  });

  it("reports a ServerException while updating", async () => {
    ecr.on(GetRegistryScanningConfigurationCommand).resolves(WITH_OURS);
    ecr.on(PutRegistryScanningConfigurationCommand).rejects(new ServerException({ message: "internal failure", $metadata: metadata }));
    const news = await checked({ repositoryFilters: ["fa-084"] });
    await assert.rejects(provider.update("id", STATE, news), {
      message: "updating ECR registry scanning rule (ap-northeast-1/123456789012): ServerException: internal failure (request id req-1)",
    });
  });

  it("reports a ValidationException while deleting", async () => {
    ecr.on(GetRegistryScanningConfigurationCommand).resolves(WITH_OURS);
    ecr.on(PutRegistryScanningConfigurationCommand).rejects(new ValidationException({ message: "bad rules", $metadata: metadata }));
    await assert.rejects(provider.delete("id", STATE), {
      message: "deleting ECR registry scanning rule (ap-northeast-1/123456789012): ValidationException: bad rules (request id req-1)",
    });
  });

  it("explains BlockedByOrganizationPolicyException", async () => {
    ecr.on(GetRegistryScanningConfigurationCommand).resolves(FRESH);
    ecr
      .on(PutRegistryScanningConfigurationCommand)
      .rejects(new BlockedByOrganizationPolicyException({ message: "blocked by policy", $metadata: metadata }));
    await assert.rejects(createOriginal(), {
      message:
        "creating ECR registry scanning rule (ap-northeast-1/123456789012): BlockedByOrganizationPolicyException: blocked by policy " +
        "(request id req-1); an AWS Organizations policy blocks changes to this registry's scanning configuration, so ask the organization's administrators",
    });
  });

  it("reports read failures as reading", async () => {
    ecr.on(GetRegistryScanningConfigurationCommand).rejects(new ServerException({ message: "down", $metadata: metadata }));
    await assert.rejects(provider.read("id", STATE), {
      message: "reading ECR registry scanning rule (ap-northeast-1/123456789012): ServerException: down (request id req-1)",
    });
  });

  it("sends the whole configuration with an explicit rules list", async () => {
    ecr.on(GetRegistryScanningConfigurationCommand).resolvesOnce(WITH_OURS).resolves(FRESH);
    ecr.on(PutRegistryScanningConfigurationCommand).resolves({});
    await provider.delete("id", STATE);
    assert.deepEqual(ecr.commandCalls(PutRegistryScanningConfigurationCommand)[0]?.args[0].input, { scanType: "BASIC", rules: [] });
  });

  it("re-applies when another writer removed our filter between the write and the read-back", async () => {
    ecr
      .on(GetRegistryScanningConfigurationCommand)
      .resolvesOnce(FRESH) // first read
      .resolvesOnce(FRESH) // read-back: someone overwrote the registry
      .resolves(WITH_OURS);
    ecr.on(PutRegistryScanningConfigurationCommand).resolves({});
    const { outs } = await createOriginal();
    assert.equal(ecr.commandCalls(PutRegistryScanningConfigurationCommand).length, 2);
    assert.deepEqual((outs as RuleState).ownedFilters, ["fa-083"]);
  });

  it("gives up after a bounded number of re-applies, keeping what it wrote in state", async () => {
    ecr.on(GetRegistryScanningConfigurationCommand).resolves(FRESH);
    ecr.on(PutRegistryScanningConfigurationCommand).resolves({});
    const inputs = { ...(await checked({ repositoryFilters: ["fa-083"] })), __provider: "exports.handler = 1" };
    const message =
      'creating ECR registry scanning rule (ap-northeast-1/123456789012): after 4 writes the registry still lacks filters ["fa-083"]; ' +
      "another writer keeps changing the registry scanning configuration";
    await assert.rejects(provider.create(inputs), (err: Error & { id?: string; properties?: Record<string, unknown>; reasons?: string[] }) => {
      assert.equal(err.message, message);
      // an id makes the host report a partial create, so the engine keeps our ownership in state
      assert.match(err.id ?? "", /^ap-northeast-1\/SCAN_ON_PUSH\/[0-9a-f]{16}$/);
      assert.deepEqual(err.properties, { ...STATE, __provider: "exports.handler = 1" });
      assert.deepEqual(err.reasons, [message]);
      return true;
    });
    assert.equal(ecr.commandCalls(PutRegistryScanningConfigurationCommand).length, 4);
  });

  it("fails a create without an id when nothing was written", async () => {
    ecr.on(GetRegistryScanningConfigurationCommand).resolves(FRESH);
    ecr.on(PutRegistryScanningConfigurationCommand).rejects(new ServerException({ message: "down", $metadata: metadata }));
    await assert.rejects(createOriginal(), (err: Error & { id?: string }) => {
      assert.equal(err.id, undefined);
      return true;
    });
  });
});
