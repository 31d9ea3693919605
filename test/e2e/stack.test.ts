/**
 * The program end to end: the Pulumi engine runs index.ts through the stack runner, against the
 * ECR emulator, with the AWS stand-in as the `aws` provider. The `it`s inside one describe form a
 * sequence on one stack and run in order.
 */
import assert from "node:assert/strict";
import { E2eEnvironment, REGION, requirePulumiCli, type RegistryConfig } from "./harness";

const RULE_TYPE = "pulumi-nodejs:dynamic/ecr:RegistryScanningRule";
const REPOSITORY_TYPE = "aws:ecr/repository:Repository";

/** A BASIC registry with one foreign scan-on-push rule, as another team might have set it. */
const FOREIGN: RegistryConfig = {
  scanType: "BASIC",
  rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["legacy-app", "team-x-*"] }],
};

function assertSucceeded(outcome: { code: number | null; output: string }, what: string): void {
  assert.equal(outcome.code, 0, `${what} exited with ${outcome.code}:\n${outcome.output.slice(-4000)}`);
}

describe("e2e: the program through the stack runner", function () {
  this.timeout(240_000);
  let env: E2eEnvironment;

  before(async function () {
    const cliDir = requirePulumiCli(this);
    env = await E2eEnvironment.start(cliDir);
  });

  after(async () => {
    await env?.stop();
  });

  describe("on a fresh registry", () => {
    let stack: string;
    before(async () => {
      await env.emulator.reset();
      stack = env.stackName("fresh");
    });

    it("up creates the repository and the original's registry configuration, and outputs as specified", async () => {
      const before = await env.registryConfig();
      assert.deepEqual(before, { scanType: "BASIC", rules: [] }, "moto starts with an empty BASIC registry");

      const up = await env.run(["up", "--stack", stack, "--config", `aws:region=${REGION}`], { json: true });

      assertSucceeded(up, "up");
      assert.deepEqual(await env.registryConfig(), {
        scanType: "BASIC",
        rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["fa-083"] }],
      });
      assert.equal(await env.repositoryExists("fa-083"), true);
      assert.deepEqual(up.json?.outputs, {
        repositoryName: "fa-083",
        repositoryUrl: `123456789012.dkr.ecr.${REGION}.amazonaws.com/fa-083`,
        repositoryArn: `arn:aws:ecr:${REGION}:123456789012:repository/fa-083`,
        registryId: "123456789012",
        scanType: "BASIC",
        scanFrequency: "SCAN_ON_PUSH",
        repositoryFilters: ["fa-083"],
        ownedFilters: ["fa-083"],
        adoptedFilters: [],
      });
      assert.equal(env.emulator.count("CreateRepository"), 1);
      // the engine really used the stand-in as the default aws provider 7.48.0, and installed no plugin
      assert.ok(env.standIn.calls().some((c) => c.method === "Create" && c.detail?.includes(REPOSITORY_TYPE)));
      const provider = (await env.stackResources(stack)).find((r) => r.type === "pulumi:providers:aws");
      assert.equal(provider?.inputs?.version, require("@pulumi/aws/package.json").pulumi.version);
      assert.match(provider?.urn ?? "", /::default_7_48_0$/);
      assert.deepEqual(env.installedPlugins(), []);
    });

    it("up --expect-no-changes right after exits 0 and writes nothing to ECR", async () => {
      env.emulator.clearRequests();

      const again = await env.run(["up", "--stack", stack, "--expect-no-changes"], { json: true });

      assertSucceeded(again, "up --expect-no-changes");
      assert.equal(env.emulator.count("PutRegistryScanningConfiguration"), 0);
      assert.equal(env.emulator.count("CreateRepository"), 0);
      assert.deepEqual(env.writes(), {});
      assert.deepEqual(again.json?.changes, { create: 0, update: 0, delete: 0, same: 4, replace: 0 });
    });

    it("destroy removes the repository and leaves the registry exactly as before the first up", async () => {
      const destroy = await env.run(["destroy", "--stack", stack], { json: true });

      assertSucceeded(destroy, "destroy");
      assert.equal(await env.repositoryExists("fa-083"), false);
      assert.deepEqual(await env.registryConfig(), { scanType: "BASIC", rules: [] });
      assert.equal(destroy.json?.changes.delete, 4);
    });
  });

  describe("with a foreign rule in the registry", () => {
    let stack: string;
    before(async () => {
      await env.emulator.reset();
      await env.putRegistryConfig(FOREIGN);
      stack = env.stackName("foreign");
    });

    it("up adds our filter and keeps the foreign rule", async () => {
      const up = await env.run(["up", "--stack", stack, "--config", `aws:region=${REGION}`, "--config", "prefix=fa-083"]);

      assertSucceeded(up, "up");
      assert.deepEqual(await env.registryConfig(), {
        scanType: "BASIC",
        rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["fa-083", "legacy-app", "team-x-*"] }],
      });
    });

    it("a new prefix moves the filter: the old one is removed, the new one added, the foreign rule kept", async () => {
      const up = await env.run(["up", "--stack", stack, "--config", "prefix=fa-084"], { json: true });

      assertSucceeded(up, "up with a new prefix");
      assert.deepEqual(await env.registryConfig(), {
        scanType: "BASIC",
        rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["fa-084", "legacy-app", "team-x-*"] }],
      });
      assert.equal(await env.repositoryExists("fa-084"), true);
      assert.equal(await env.repositoryExists("fa-083"), false, "the renamed repository is replaced");
      assert.equal(up.json?.outputs.repositoryName, "fa-084");
      assert.deepEqual(up.json?.outputs.ownedFilters, ["fa-084"]);
    });

    it("refresh drops the rule when our filter was removed out of band, and the next up restores it", async () => {
      await env.putRegistryConfig(FOREIGN);

      const refresh = await env.run(["refresh", "--stack", stack], { json: true });

      assertSucceeded(refresh, "refresh");
      const types = await env.stackResourceTypes(stack);
      assert.ok(!types.includes(RULE_TYPE), `the rule is gone from the state after refresh: ${types.join(", ")}`);
      assert.ok(types.includes(REPOSITORY_TYPE), "the repository stays");

      const up = await env.run(["up", "--stack", stack]);

      assertSucceeded(up, "up after refresh");
      assert.deepEqual(await env.registryConfig(), {
        scanType: "BASIC",
        rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["fa-084", "legacy-app", "team-x-*"] }],
      });
      assert.ok((await env.stackResourceTypes(stack)).includes(RULE_TYPE));
    });

    it("destroy removes the repository, even with an image in it, and restores the registry exactly", async () => {
      await env.pushImage("fa-084");

      const destroy = await env.run(["destroy", "--stack", stack]);

      assertSucceeded(destroy, "destroy");
      assert.equal(await env.repositoryExists("fa-084"), false);
      assert.deepEqual(await env.registryConfig(), FOREIGN);
    });
  });

  describe("two stacks of the program", () => {
    let a: string;
    let b: string;
    before(async () => {
      await env.emulator.reset();
      a = env.stackName("team-a");
      b = env.stackName("team-b");
    });

    it("brought up at the same time, both filters are present", async () => {
      const [upA, upB] = await Promise.all([
        env.run(["up", "--stack", a, "--config", `aws:region=${REGION}`, "--config", "prefix=team-a"]),
        env.run(["up", "--stack", b, "--config", `aws:region=${REGION}`, "--config", "prefix=team-b"]),
      ]);

      assertSucceeded(upA, "up of team-a");
      assertSucceeded(upB, "up of team-b");
      assert.deepEqual(await env.registryConfig(), {
        scanType: "BASIC",
        rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["team-a", "team-b"] }],
      });
    });

    it("destroying one stack leaves the other's filter in place", async () => {
      const destroy = await env.run(["destroy", "--stack", a]);

      assertSucceeded(destroy, "destroy of team-a");
      assert.deepEqual(await env.registryConfig(), {
        scanType: "BASIC",
        rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["team-b"] }],
      });
      assert.equal(await env.repositoryExists("team-b"), true);

      assertSucceeded(await env.run(["destroy", "--stack", b]), "destroy of team-b");
      assert.deepEqual(await env.registryConfig(), { scanType: "BASIC", rules: [] });
    });
  });

  describe("a bad config value", () => {
    let stack: string;
    before(async () => {
      await env.emulator.reset();
      await env.putRegistryConfig(FOREIGN);
      stack = env.stackName("bad-config");
    });

    it("fails the preview, naming the value and the rule, and writes nothing", async () => {
      env.emulator.clearRequests();

      const preview = await env.run(
        ["preview", "--stack", stack, "--config", `aws:region=${REGION}`, "--config", "prefix=Fa-083"],
        { json: true },
      );

      assert.equal(preview.code, 2, preview.output);
      assert.match(preview.json?.error ?? "", /invalid configuration: ecr-registry-scanning:prefix "Fa-083"/, "the error names the key and the value");
      assert.match(preview.json?.error ?? "", /lowercase/, "the error names the rule");
      assert.match(preview.json?.error ?? "", /preview of stack e2e-\d+-bad-config/);
      assert.deepEqual(env.writes(), {});
    });

    it("fails up the same way before anything is written", async () => {
      env.emulator.clearRequests();

      const up = await env.run(["up", "--stack", stack], { json: true });

      assert.equal(up.code, 2, up.output);
      assert.match(up.json?.error ?? "", /invalid configuration: ecr-registry-scanning:prefix "Fa-083"/);
      assert.match(up.json?.error ?? "", /up of stack e2e-\d+-bad-config/);
      assert.deepEqual(env.writes(), {});
      assert.equal(await env.repositoryExists("Fa-083"), false);
      assert.deepEqual(await env.registryConfig(), FOREIGN);
    });
  });
});
