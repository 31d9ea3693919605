/**
 * The end-to-end tier's harness: the real Pulumi CLI runs the project's own program through the
 * stack runner (automation/index.ts, spawned like `npm run stack -- …`), against the ECR emulator,
 * with the AWS stand-in attached as the `aws` provider (PULUMI_DEBUG_PROVIDERS). State goes to a
 * temporary file backend, plugins and credentials to a temporary PULUMI_HOME.
 *
 * The test process reads and seeds the registry through moto directly (not through the counting
 * proxy), so the request counts only show what the engine, the stand-in and the dynamic-provider
 * host did.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import {
  DescribeRepositoriesCommand,
  ECRClient,
  PutImageCommand,
} from "@aws-sdk/client-ecr";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import { emulatorEnv, startEcrEmulator, type EcrEmulator } from "../support/ecrEmulator";
import { startAwsStandIn, type AwsStandIn } from "../support/awsRepositoryStandIn";
import { skipBecause } from "../support/skip";
import { readRegistry, writeRegistry } from "../support/providerCalls";
import type { RegistryConfig } from "../../provider/model";

export const projectRoot = path.resolve(__dirname, "..", "..");
export const REGION = "ap-northeast-1";
export const PASSPHRASE = "e2e-test-passphrase";

/** The CLI the runner will use, or why there is none (then the tier is skipped, never passed). */
export function findPulumiCli(): { dir: string } | { reason: string } {
  const fromEnv = process.env.PULUMI_CLI_DIR?.trim();
  if (fromEnv) {
    for (const candidate of [path.join(fromEnv, "pulumi"), path.join(fromEnv, "bin", "pulumi")]) {
      if (isExecutable(candidate)) return { dir: path.dirname(candidate) };
    }
    return { reason: `PULUMI_CLI_DIR=${fromEnv} holds no pulumi binary` };
  }
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, "pulumi"))) return { dir };
  }
  return {
    reason:
      process.env.PULUMI_CLI_SKIP_REASON ??
      "no Pulumi CLI: PULUMI_CLI_DIR is unset and there is no pulumi on PATH (see scripts/ensure-pulumi-cli.sh)",
  };
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export interface RunOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout + stderr, for assertions on messages wherever they were printed. */
  output: string;
  /** The --json result, when one was asked for and written. */
  json?: JsonResult;
}

export interface JsonResult {
  stack: string;
  operation: string;
  result: string;
  exitCode: number;
  changes: { create: number; update: number; delete: number; same: number; replace: number };
  outputs: Record<string, unknown>;
  error?: string;
}

export interface RunOptions {
  /** Environment entries to add (or, with undefined, remove) for this run only. */
  env?: Record<string, string | undefined>;
  /** Called with each chunk of the runner's stdout, e.g. to send a signal at the right moment. */
  onStdout?: (chunk: string, child: { pid?: number; kill: (s: NodeJS.Signals) => boolean }) => void;
  /** Write the JSON result and return it parsed. */
  json?: boolean;
}

export interface StateResource {
  urn: string;
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

export type { RegistryConfig };

const tsNodeBin = require.resolve("ts-node/dist/bin.js");

/** One emulator, one stand-in, one backend, one PULUMI_HOME for a whole suite. */
export class E2eEnvironment {
  private readonly createdStacks = new Set<string>();
  private jsonCounter = 0;

  private constructor(
    readonly emulator: EcrEmulator,
    readonly standIn: AwsStandIn,
    readonly tmp: string,
    readonly cliDir: string,
  ) {}

  static async start(cliDir: string): Promise<E2eEnvironment> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ecr-scanning-e2e-"));
    fs.mkdirSync(path.join(tmp, "backend"));
    fs.mkdirSync(path.join(tmp, "pulumi-home"));
    const emulator = await startEcrEmulator();
    const standIn = await startAwsStandIn({ env: emulatorEnv(emulator, REGION) });
    return new E2eEnvironment(emulator, standIn, tmp, cliDir);
  }

  /** A stack name unique to this test process; its Pulumi.<name>.yaml is removed by stop(). */
  stackName(label: string): string {
    const name = `e2e-${process.pid}-${label}`;
    this.createdStacks.add(name);
    return name;
  }

  /** The environment every runner (and CLI) process gets. */
  env(): Record<string, string> {
    const base: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      // nothing from the developer's own Pulumi or AWS setup may leak into the run
      if (v === undefined || /^(AWS_|PULUMI_)/.test(k)) continue;
      base[k] = v;
    }
    if (process.env.PULUMI_CLI_DIR) base.PULUMI_CLI_DIR = process.env.PULUMI_CLI_DIR;
    return {
      ...base,
      PULUMI_BACKEND_URL: pathToFileURL(path.join(this.tmp, "backend")).href,
      PULUMI_HOME: path.join(this.tmp, "pulumi-home"),
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
      ...this.standIn.debugProvidersEnv,
      ...emulatorEnv(this.emulator, REGION),
      AWS_CONFIG_FILE: path.join(this.tmp, "no-aws-config"),
      AWS_SHARED_CREDENTIALS_FILE: path.join(this.tmp, "no-aws-credentials"),
    };
  }

  /** Runs `npm run stack -- <args>` (as node + ts-node directly, which is what the script does). */
  run(args: string[], options: RunOptions = {}): Promise<RunOutcome> {
    const env: Record<string, string> = this.env();
    for (const [k, v] of Object.entries(options.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    const jsonFile = options.json ? path.join(this.tmp, `result-${++this.jsonCounter}.json`) : undefined;
    const argv = [tsNodeBin, "--transpile-only", "automation/index.ts", ...args, ...(jsonFile ? ["--json", jsonFile] : [])];
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, argv, { cwd: projectRoot, env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => {
        const text = String(chunk);
        stdout += text;
        output += text;
        options.onStdout?.(text, child);
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += String(chunk);
        output += String(chunk);
      });
      child.on("error", reject);
      child.on("close", (code, signal) => {
        let json: JsonResult | undefined;
        if (jsonFile && fs.existsSync(jsonFile)) json = JSON.parse(fs.readFileSync(jsonFile, "utf8")) as JsonResult;
        resolve({ code, signal, stdout, stderr, output, json });
      });
    });
  }

  /** The stack's resource types in its state. */
  async stackResourceTypes(stackName: string): Promise<string[]> {
    return (await this.stackResources(stackName)).map((r) => r.type);
  }

  /** The stack's resources in its state (through the Automation API, same backend). */
  async stackResources(stackName: string): Promise<StateResource[]> {
    const env = this.env();
    const pulumiCommand =
      path.basename(this.cliDir) === "bin"
        ? await PulumiCommand.get({ root: path.dirname(this.cliDir) })
        : await PulumiCommand.get();
    const stack = await LocalWorkspace.selectStack(
      { stackName, workDir: projectRoot },
      {
        workDir: projectRoot,
        pulumiCommand,
        envVars: {
          PULUMI_BACKEND_URL: env.PULUMI_BACKEND_URL!,
          PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
          PULUMI_HOME: env.PULUMI_HOME!,
          PULUMI_SKIP_UPDATE_CHECK: "true",
        },
      },
    );
    const state = await stack.exportStack();
    return (state.deployment as { resources?: StateResource[] }).resources ?? [];
  }

  /** Resource plugins installed in the test PULUMI_HOME (the stand-in needs none). */
  installedPlugins(): string[] {
    const dir = path.join(this.tmp, "pulumi-home", "plugins");
    return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  }

  /** An ECR client straight to moto: the test's own calls stay out of the request counts. */
  ecr(region = REGION): ECRClient {
    return new ECRClient({
      region,
      endpoint: this.emulator.motoUrl,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
      maxAttempts: 1,
    });
  }

  /** The registry's configuration, with rules and filters sorted so that order does not matter. */
  async registryConfig(region = REGION): Promise<RegistryConfig> {
    return sortedForComparison(await readRegistry(this.ecr(region)));
  }

  async putRegistryConfig(config: RegistryConfig, region = REGION): Promise<void> {
    await writeRegistry(this.ecr(region), config);
  }

  async repositoryExists(name: string, region = REGION): Promise<boolean> {
    try {
      await this.ecr(region).send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
      return true;
    } catch (err) {
      if ((err as { name?: string }).name === "RepositoryNotFoundException") return false;
      throw err;
    }
  }

  /** Puts a tiny image into a repository, so deleting it needs forceDelete. */
  async pushImage(repositoryName: string, region = REGION): Promise<void> {
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.docker.distribution.manifest.v2+json",
      config: { mediaType: "application/vnd.docker.container.image.v1+json", size: 2, digest: `sha256:${"a".repeat(64)}` },
      layers: [],
    });
    await this.ecr(region).send(new PutImageCommand({ repositoryName, imageManifest: manifest, imageTag: "e2e" }));
  }

  /** ECR writes seen by the counting proxy since the last clear. */
  writes(): Record<string, number> {
    const writes: Record<string, number> = {};
    for (const [op, n] of Object.entries(this.emulator.counts())) {
      if (!/^(Get|Describe|List|BatchGet)/.test(op)) writes[op] = n;
    }
    return writes;
  }

  async stop(): Promise<void> {
    for (const name of this.createdStacks) {
      // the stack settings files the CLI wrote into the project folder
      fs.rmSync(path.join(projectRoot, `Pulumi.${name}.yaml`), { force: true });
    }
    await this.standIn.stop();
    await this.emulator.stop();
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}

/** ECR does not promise an order of rules or filters, so comparisons sort both. */
export function sortedForComparison(config: RegistryConfig): RegistryConfig {
  return {
    scanType: config.scanType,
    rules: config.rules
      .map((rule) => ({ scanFrequency: rule.scanFrequency, filters: [...rule.filters].sort() }))
      .sort((a, b) => a.scanFrequency.localeCompare(b.scanFrequency)),
  };
}

/**
 * Skips the calling suite, loudly, when no CLI is available; returns the CLI directory otherwise.
 * A PULUMI_CLI_DIR that is set but holds no CLI is an error, not a skip.
 */
export function requirePulumiCli(context: Mocha.Context): string {
  const cli = findPulumiCli();
  if ("reason" in cli && process.env.PULUMI_CLI_DIR?.trim()) throw new Error(cli.reason);
  if ("reason" in cli) {
    skipBecause(context, `the end-to-end tier needs a Pulumi CLI: ${cli.reason}`);
  }
  return (cli as { dir: string }).dir;
}
