/**
 * Command-line arguments of the stack runner. Pure: no I/O, errors are UsageErrors (exit 2).
 */
import { parseArgs } from "node:util";
import { UsageError } from "./errors";

export const OPERATIONS = ["preview", "up", "refresh", "destroy", "outputs"] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Operations that accept --expect-no-changes. */
const EXPECT_NO_CHANGES_OPERATIONS: readonly Operation[] = ["preview", "up", "refresh"];

export interface ConfigSetting {
  /** The key as given: `prefix` or `aws:region`. */
  key: string;
  value: string;
}

export interface RunnerArgs {
  operation: Operation;
  stack: string;
  config: ConfigSetting[];
  expectNoChanges: boolean;
  /** Where to write the machine-readable result, if anywhere. */
  jsonFile?: string;
}

export const USAGE = `Usage: npm run stack -- <${OPERATIONS.join("|")}> --stack NAME [options]

  preview    show what up would change
  up         create or update the stack's resources
  refresh    read the real state of the stack's resources into the stack
  destroy    delete the stack's resources (the only operation that deletes anything)
  outputs    print the stack's outputs

Options:
  --stack NAME            the stack to operate on (created by preview/up when missing)
  --config KEY=VALUE      set a stack config value before the operation; repeatable.
                          A key without a namespace belongs to this project (prefix=x);
                          others are kept as given (aws:region=eu-west-1)
  --expect-no-changes     preview, up, refresh: exit 3 when changes are found. For up, a
                          preview runs first, so nothing is applied when changes are pending
  --json FILE             also write the result as JSON to FILE
  -h, --help              show this help

Environment:
  PULUMI_CONFIG_PASSPHRASE  passphrase of the stack's secrets (required)
  PULUMI_BACKEND_URL        state backend; default: the git-ignored .pulumi-state/ of the project
  PULUMI_CLI_DIR            directory holding the pulumi binary; default: pulumi on PATH, else
                            the pinned CLI that scripts/ensure-pulumi-cli.sh builds

Exit codes: 0 success, 1 failure (or cancelled), 2 usage or configuration error,
3 --expect-no-changes found changes.`;

/** Pulumi stack names: letters, digits, "-", "_", "."; optionally qualified as org/project/stack. */
const STACK_NAME = /^(?:[A-Za-z0-9][A-Za-z0-9_.-]*\/){0,2}[A-Za-z0-9_.-]{1,100}$/;
/** A config key: `name` or `namespace:name`, no spaces. */
const CONFIG_KEY = /^(?:[A-Za-z0-9_.-]+:)?[A-Za-z0-9_.\-/]+$/;

export function parseConfigSetting(text: string): ConfigSetting {
  const eq = text.indexOf("=");
  if (eq <= 0) {
    throw new UsageError(`--config ${JSON.stringify(text)} is not of the form KEY=VALUE`);
  }
  const key = text.slice(0, eq);
  if (!CONFIG_KEY.test(key)) {
    throw new UsageError(
      `--config key ${JSON.stringify(key)} is not valid: use NAME or NAMESPACE:NAME ` +
        `(letters, digits, "_", "-", "." and "/"; one ":" at most)`,
    );
  }
  return { key, value: text.slice(eq + 1) };
}

/** Returns undefined for --help. */
export function parseRunnerArgs(argv: string[]): RunnerArgs | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        stack: { type: "string" },
        config: { type: "string", multiple: true },
        "expect-no-changes": { type: "boolean" },
        json: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    const { operation, stack } = peekArgs(argv);
    const prefix = operation && stack ? `${operation} of stack ${stack}: ` : operation ? `${operation}: ` : "";
    throw new UsageError(`${prefix}${(err as Error).message}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return undefined;

  if (positionals.length === 0) {
    throw new UsageError(`missing operation: expected one of ${OPERATIONS.join(", ")}`);
  }
  if (positionals.length > 1) {
    throw new UsageError(`expected one operation, got ${positionals.map((p) => JSON.stringify(p)).join(" ")}`);
  }
  const operation = positionals[0] as Operation;
  if (!OPERATIONS.includes(operation)) {
    throw new UsageError(`unknown operation ${JSON.stringify(positionals[0])}: expected one of ${OPERATIONS.join(", ")}`);
  }
  if (values.stack === undefined || values.stack === "") {
    throw new UsageError(`${operation}: --stack NAME is required`);
  }
  if (!STACK_NAME.test(values.stack)) {
    throw new UsageError(
      `${operation}: stack name ${JSON.stringify(values.stack)} is not valid ` +
        `(letters, digits, "-", "_" and "."; optionally org/project/name)`,
    );
  }
  const expectNoChanges = values["expect-no-changes"] === true;
  if (expectNoChanges && !EXPECT_NO_CHANGES_OPERATIONS.includes(operation)) {
    throw new UsageError(
      `${operation} of stack ${values.stack}: --expect-no-changes applies to ${EXPECT_NO_CHANGES_OPERATIONS.join(", ")} only`,
    );
  }
  const configTexts = values.config ?? [];
  if (operation === "outputs" && configTexts.length > 0) {
    throw new UsageError(`outputs of stack ${values.stack}: --config does not apply (outputs runs nothing)`);
  }
  if (values.json === "") {
    throw new UsageError(`${operation} of stack ${values.stack}: --json needs a file name`);
  }
  let config: ConfigSetting[];
  try {
    config = configTexts.map(parseConfigSetting);
  } catch (err) {
    throw new UsageError(`${operation} of stack ${values.stack}: ${(err as Error).message}`);
  }
  return { operation, stack: values.stack, config, expectNoChanges, jsonFile: values.json };
}

/**
 * Best effort for error reports: the --json file, stack and operation named in arguments that
 * failed to parse, so even a usage error can write its JSON result and name what was asked.
 */
const VALUE_OPTIONS = ["--stack", "--json", "--config"];

export function peekArgs(argv: string[]): { jsonFile?: string; stack?: string; operation?: string } {
  const out: { jsonFile?: string; stack?: string; operation?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    const next = argv[i + 1];
    if (a === "--json" && next) out.jsonFile = next;
    else if (a.startsWith("--json=")) out.jsonFile = a.slice("--json=".length);
    else if (a === "--stack" && next) out.stack = next;
    else if (a.startsWith("--stack=")) out.stack = a.slice("--stack=".length);
    else if (!a.startsWith("-") && out.operation === undefined && !VALUE_OPTIONS.includes(argv[i - 1] ?? "")) {
      out.operation = a;
    }
  }
  return out;
}
