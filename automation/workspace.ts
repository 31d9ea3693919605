/**
 * Where the runner's stack lives and with what: the state backend, the secrets passphrase, the
 * Pulumi CLI, and the stack itself (a LocalWorkspace on this project's folder) with its config.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import {
  LocalWorkspace,
  PulumiCommand,
  StackNotFoundError,
  type ConfigMap,
  type Stack,
} from "@pulumi/pulumi/automation";
import { NODE_VERSION_WARNING_SWITCH } from "../common/sdkNodeWarning";
import type { ConfigSetting, Operation } from "./args";
import { ExitCode, RunnerError, UsageError } from "./errors";

/** The project folder: Pulumi.yaml and node_modules, so the dynamic-provider host resolves its modules. */
export const projectRoot = path.resolve(__dirname, "..");

/** The default local file backend, git-ignored. */
export const defaultStateDir = path.join(projectRoot, ".pulumi-state");

export type Env = Record<string, string | undefined>;

/** "<operation> of stack <name>", the prefix of every message about one run. */
export function describeRun(operation: string, stack: string): string {
  return `${operation} of stack ${stack}`;
}

/** PULUMI_BACKEND_URL, or a file backend in the project's .pulumi-state/ (created on demand). */
export function resolveBackendUrl(env: Env): string {
  const configured = env.PULUMI_BACKEND_URL?.trim();
  if (configured) return configured;
  fs.mkdirSync(defaultStateDir, { recursive: true });
  return pathToFileURL(defaultStateDir).href;
}

/** The passphrase variables to pass on; a UsageError when neither is set. */
export function requirePassphrase(env: Env, operation: Operation, stack: string): Env {
  if (env.PULUMI_CONFIG_PASSPHRASE !== undefined) return { PULUMI_CONFIG_PASSPHRASE: env.PULUMI_CONFIG_PASSPHRASE };
  if (env.PULUMI_CONFIG_PASSPHRASE_FILE) return { PULUMI_CONFIG_PASSPHRASE_FILE: env.PULUMI_CONFIG_PASSPHRASE_FILE };
  throw new UsageError(
    `${describeRun(operation, stack)}: PULUMI_CONFIG_PASSPHRASE is not set. The stack's secrets are encrypted ` +
      `with a passphrase; set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) and run again.`,
  );
}

const HOW_TO_GET_A_CLI =
  "Install the Pulumi CLI (https://www.pulumi.com/docs/iac/download-install/), or build one with " +
  "`bash scripts/ensure-pulumi-cli.sh` and set PULUMI_CLI_DIR to the directory it prints.";

/**
 * The Pulumi CLI: the one in PULUMI_CLI_DIR (a directory holding `pulumi`, or an installation root
 * holding `bin/pulumi`), else `pulumi` on PATH, else the pinned one that scripts/ensure-pulumi-cli.sh
 * builds from Go modules (for machines that cannot download the CLI).
 */
export async function locatePulumi(env: Env, operation: Operation, stack: string): Promise<PulumiCommand> {
  const what = describeRun(operation, stack);
  const dir = env.PULUMI_CLI_DIR?.trim();
  if (dir) {
    const absolute = path.resolve(dir);
    let root: string | undefined;
    if (fs.existsSync(path.join(absolute, "bin", "pulumi"))) root = absolute;
    else if (path.basename(absolute) === "bin" && fs.existsSync(path.join(absolute, "pulumi"))) {
      root = path.dirname(absolute);
    }
    if (!root) {
      throw new RunnerError(
        `${what}: PULUMI_CLI_DIR=${dir} holds no pulumi binary (looked for ${path.join(absolute, "pulumi")} ` +
          `and ${path.join(absolute, "bin", "pulumi")}). ${HOW_TO_GET_A_CLI}`,
        ExitCode.Failure,
      );
    }
    try {
      return await PulumiCommand.get({ root });
    } catch (err) {
      throw new RunnerError(
        `${what}: the Pulumi CLI in ${root}/bin does not work: ${firstLine(err)}. ${HOW_TO_GET_A_CLI}`,
        ExitCode.Failure,
      );
    }
  }
  try {
    return await PulumiCommand.get();
  } catch (err) {
    const missing = (err as { code?: string }).code === "ENOENT" || /ENOENT|not found/i.test(String(err));
    if (!missing) {
      throw new RunnerError(
        `${what}: the pulumi on PATH does not work: ${firstLine(err)}. ${HOW_TO_GET_A_CLI}`,
        ExitCode.Failure,
      );
    }
  }
  // no CLI anywhere: build the pinned one (cached outside the repository after the first time)
  const built = spawnSync("bash", [path.join(projectRoot, "scripts", "ensure-pulumi-cli.sh")], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });
  const builtDir = built.status === 0 ? built.stdout.trim() : "";
  if (!builtDir) {
    throw new RunnerError(
      `${what}: no Pulumi CLI found: PULUMI_CLI_DIR is not set, there is no pulumi on PATH, and ` +
        `scripts/ensure-pulumi-cli.sh could not build one (see above). ${HOW_TO_GET_A_CLI}`,
      ExitCode.Failure,
    );
  }
  return locatePulumi({ ...env, PULUMI_CLI_DIR: builtDir }, operation, stack);
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n").find((l) => l.trim() !== "")?.trim() ?? text;
}

/** Environment the CLI runs with, on top of the runner's own. */
export function workspaceEnv(env: Env, operation: Operation, stack: string): Record<string, string> {
  const passphrase = requirePassphrase(env, operation, stack);
  const vars: Record<string, string> = {
    PULUMI_BACKEND_URL: resolveBackendUrl(env),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    // for the program and the dynamic-provider host, which the CLI starts with this environment
    [NODE_VERSION_WARNING_SWITCH]: env[NODE_VERSION_WARNING_SWITCH] ?? "true",
  };
  for (const [k, v] of Object.entries(passphrase)) {
    if (v !== undefined) vars[k] = v;
  }
  return vars;
}

/** Config keys without a namespace get the project's; `aws:region`-style keys are kept. */
export function namespacedConfig(settings: ConfigSetting[], projectName: string): ConfigMap {
  const config: ConfigMap = {};
  for (const { key, value } of settings) {
    const fullKey = key.includes(":") ? key : `${projectName}:${key}`;
    config[fullKey] = { value, secret: false };
  }
  return config;
}

export interface OpenStackOptions {
  operation: Operation;
  stack: string;
  config: ConfigSetting[];
  /** From workspaceEnv(). */
  envVars: Record<string, string>;
  pulumiCommand: PulumiCommand;
}

/**
 * Creates or selects the stack (preview, up) or selects it (refresh, destroy, outputs: these never
 * create a stack), then applies the config.
 */
export async function openStack(options: OpenStackOptions): Promise<Stack> {
  const { operation, stack: stackName } = options;
  const what = describeRun(operation, stackName);
  const workspaceOptions = {
    workDir: projectRoot,
    envVars: options.envVars,
    pulumiCommand: options.pulumiCommand,
    secretsProvider: "passphrase",
  };
  const args = { stackName, workDir: projectRoot };
  let stack: Stack;
  try {
    stack =
      operation === "preview" || operation === "up"
        ? await LocalWorkspace.createOrSelectStack(args, workspaceOptions)
        : await LocalWorkspace.selectStack(args, workspaceOptions);
  } catch (err) {
    if (err instanceof StackNotFoundError) {
      throw new UsageError(`${what}: the stack does not exist in ${workspaceOptions.envVars.PULUMI_BACKEND_URL}`);
    }
    throw err;
  }
  if (options.config.length > 0) {
    const project = await stack.workspace.projectSettings();
    await stack.setAllConfig(namespacedConfig(options.config, project.name));
  }
  return stack;
}
