/**
 * The stack runner's own contract, with the real CLI: exit codes, --json, passphrase and stack
 * checks, --expect-no-changes, and Ctrl-C.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { skipBecause } from "../support/skip";
import { E2eEnvironment, REGION, projectRoot, requirePulumiCli } from "./harness";

describe("e2e: the stack runner", function () {
  this.timeout(240_000);
  let env: E2eEnvironment;

  before(async function () {
    const cliDir = requirePulumiCli(this);
    env = await E2eEnvironment.start(cliDir);
  });

  after(async () => {
    await env?.stop();
  });

  describe("usage and configuration errors exit 2", () => {
    it("exits 2 on a missing operation, an unknown operation and a missing --stack", async () => {
      for (const args of [[], ["deploy", "--stack", "x"], ["up"], ["up", "--stack", "x", "--bogus"]]) {
        const run = await env.run(args);
        assert.equal(run.code, 2, `${JSON.stringify(args)}:\n${run.output}`);
        assert.match(run.stderr, /Usage: npm run stack --/);
      }
    });

    it("exits 2 on a malformed --config and writes the JSON result anyway", async () => {
      const run = await env.run(["up", "--stack", "e2e-usage", "--config", "prefix"], { json: true });

      assert.equal(run.code, 2, run.output);
      assert.equal(run.json?.result, "invalid-usage");
      assert.equal(run.json?.exitCode, 2);
      assert.match(run.json?.error ?? "", /^up of stack e2e-usage: --config "prefix" is not of the form KEY=VALUE/);
    });

    it("exits 2 with a clear message when PULUMI_CONFIG_PASSPHRASE is unset", async () => {
      const stack = env.stackName("no-passphrase");

      const run = await env.run(["preview", "--stack", stack], { env: { PULUMI_CONFIG_PASSPHRASE: undefined } });

      assert.equal(run.code, 2, run.output);
      assert.match(run.stderr, new RegExp(`preview of stack ${stack}: PULUMI_CONFIG_PASSPHRASE is not set`));
    });

    it("exits 2 for an operation on a stack that does not exist, and creates none", async () => {
      const stack = env.stackName("missing");

      for (const op of ["destroy", "refresh", "outputs"]) {
        const run = await env.run([op, "--stack", stack]);
        assert.equal(run.code, 2, `${op}:\n${run.output}`);
        assert.match(run.stderr, new RegExp(`${op} of stack ${stack}: the stack does not exist`));
      }
      assert.equal(fs.existsSync(path.join(projectRoot, `Pulumi.${stack}.yaml`)), false, "no stack settings file");
    });
  });

  describe("finding a CLI", () => {
    it("falls back to the pinned CLI of scripts/ensure-pulumi-cli.sh when none is on PATH or in PULUMI_CLI_DIR", async function () {
      const cliDir = process.env.PULUMI_CLI_DIR ?? "";
      if (!cliDir.includes("ecr-scanning-pulumi-cli")) {
        skipBecause(this, "the CLI in use was not built by scripts/ensure-pulumi-cli.sh, so the fallback would start a full build");
      }
      const pathWithoutPulumi = (process.env.PATH ?? "")
        .split(path.delimiter)
        .filter((dir) => !fs.existsSync(path.join(dir, "pulumi")))
        .join(path.delimiter);
      const stack = env.stackName("fallback");

      const run = await env.run(["outputs", "--stack", stack], { env: { PULUMI_CLI_DIR: undefined, PATH: pathWithoutPulumi } });

      // the CLI was found and ran: the answer is about the stack, not about a missing CLI
      assert.equal(run.code, 2, run.output);
      assert.match(run.stderr, new RegExp(`outputs of stack ${stack}: the stack does not exist`));
    });
  });

  describe("a stack's life through the runner", () => {
    let stack: string;
    before(async () => {
      await env.emulator.reset();
      stack = env.stackName("runner");
    });

    it("up streams the engine's progress, prints a summary and writes the JSON result", async () => {
      const up = await env.run(["up", "--stack", stack, "--config", `aws:region=${REGION}`, "--config", "prefix=runner-repo"], {
        json: true,
      });

      assert.equal(up.code, 0, up.output);
      assert.match(up.stdout, /Updating \(e2e-\d+-runner\)/, "the engine's own progress is streamed");
      assert.match(up.stdout, /up of stack e2e-\d+-runner: succeeded \(exit 0\)/);
      assert.match(up.stdout, /Resources: 4 created, 0 updated, 0 deleted, 0 replaced, 0 unchanged/);
      assert.match(up.stdout, /repositoryName: "runner-repo"/);
      assert.deepEqual(
        { ...up.json, outputs: undefined },
        {
          stack,
          operation: "up",
          result: "succeeded",
          exitCode: 0,
          changes: { create: 4, update: 0, delete: 0, same: 0, replace: 0 },
          outputs: undefined,
        },
      );
      assert.equal(up.json?.outputs.repositoryName, "runner-repo");
      assert.equal("error" in (up.json ?? {}), false);
    });

    it("outputs prints the stack's outputs without running the program", async () => {
      env.emulator.clearRequests();

      const outputs = await env.run(["outputs", "--stack", stack], { json: true });

      assert.equal(outputs.code, 0, outputs.output);
      assert.equal(outputs.json?.outputs.repositoryName, "runner-repo");
      assert.deepEqual(outputs.json?.outputs.ownedFilters, ["runner-repo"]);
      assert.equal(env.emulator.count(), 0, "no ECR call at all");
    });

    it("preview --expect-no-changes exits 0 when nothing changed", async () => {
      const preview = await env.run(["preview", "--stack", stack, "--expect-no-changes"], { json: true });

      assert.equal(preview.code, 0, preview.output);
      assert.deepEqual(preview.json?.changes, { create: 0, update: 0, delete: 0, same: 4, replace: 0 });
    });

    it("up --expect-no-changes exits 3 with changes pending, and applies none of them", async () => {
      env.emulator.clearRequests();

      const up = await env.run(["up", "--stack", stack, "--expect-no-changes", "--config", "prefix=runner-other"], {
        json: true,
      });

      assert.equal(up.code, 3, up.output);
      assert.equal(up.json?.result, "unexpected-changes");
      assert.equal(up.json?.exitCode, 3);
      assert.match(up.json?.error ?? "", new RegExp(`^up of stack ${stack}: --expect-no-changes`));
      assert.ok((up.json?.changes.replace ?? 0) + (up.json?.changes.update ?? 0) > 0, JSON.stringify(up.json?.changes));
      assert.deepEqual(env.writes(), {}, "nothing was applied");
      assert.equal(await env.repositoryExists("runner-repo"), true);
      assert.equal(await env.repositoryExists("runner-other"), false);
    });

    it("preview --expect-no-changes exits 3 as well", async () => {
      const preview = await env.run(["preview", "--stack", stack, "--expect-no-changes"], { json: true });

      assert.equal(preview.code, 3, preview.output);
      assert.equal(preview.json?.result, "unexpected-changes");
    });

    it("destroy empties the stack", async () => {
      const destroy = await env.run(["destroy", "--stack", stack, "--config", "prefix=runner-repo"], { json: true });

      assert.equal(destroy.code, 0, destroy.output);
      assert.equal(destroy.json?.changes.delete, 4);
      assert.deepEqual(destroy.json?.outputs, {});
      assert.equal(await env.repositoryExists("runner-repo"), false);
      assert.deepEqual(await env.registryConfig(), { scanType: "BASIC", rules: [] });
    });
  });

  describe("Ctrl-C", () => {
    let stack: string;
    before(async () => {
      await env.emulator.reset();
      stack = env.stackName("cancel");
    });
    afterEach(() => env.standIn.setCreateDelay(0));

    it("cancels the running up cleanly: exit 1, 'cancelled', and the stack is usable afterwards", async () => {
      // hold the repository's Create in flight, then interrupt the runner alone (as a CI timeout would)
      env.standIn.setCreateDelay(6000);
      let interrupted = false;

      const up = await env.run(["up", "--stack", stack, "--config", `aws:region=${REGION}`, "--config", "prefix=cancel-repo"], {
        json: true,
        onStdout: (chunk, child) => {
          if (!interrupted && /aws:ecr:Repository .*creating/.test(chunk)) {
            interrupted = true;
            child.kill("SIGINT");
          }
        },
      });

      assert.ok(interrupted, `the run never reached the repository's creation:\n${up.output}`);
      assert.equal(up.code, 1, up.output);
      assert.equal(up.json?.result, "cancelled");
      assert.match(up.stderr, new RegExp(`up of stack ${stack} cancelled`));
      env.standIn.setCreateDelay(0);

      // not locked, state consistent: the stack can be brought up and destroyed
      const again = await env.run(["up", "--stack", stack]);
      assert.equal(again.code, 0, again.output);
      const destroy = await env.run(["destroy", "--stack", stack]);
      assert.equal(destroy.code, 0, destroy.output);
      assert.equal(await env.repositoryExists("cancel-repo"), false);
      assert.deepEqual(await env.registryConfig(), { scanType: "BASIC", rules: [] });
    });
  });
});
