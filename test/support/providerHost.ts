/**
 * A harness for the "host" tier: runs @pulumi/pulumi's dynamic-provider host as a child process
 * and drives it over gRPC the way the Pulumi engine does (Configure, then Check, Diff, Create,
 * Read, Update, Delete), without a Pulumi CLI.
 *
 * Also here: `serializeRegistryScanningRule()`, which constructs the real RegistryScanningRule
 * under `pulumi.runtime.setMocks` and captures the inputs the engine would receive, `__provider`
 * included. setMocks is process-global, so call it only from a mocha process that runs no other
 * setMocks suite (scripts/test.sh runs each tier as its own process).
 *
 * This drives the product in tests only; the product never imports it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as ProviderPb from "@pulumi/pulumi/proto/provider_pb";
import { RegistryScanningRule, type RegistryScanningRuleArgs } from "../../provider";

const projectRoot = path.resolve(__dirname, "..", "..");

// grpc-js and google-protobuf must be the copies @pulumi/pulumi's generated stubs were built against
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const fromPulumi = (id: string) => require(require.resolve(id, { paths: [pulumiDir] }));
const grpc = fromPulumi("@grpc/grpc-js");
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb");
const pb: typeof ProviderPb = require("@pulumi/pulumi/proto/provider_pb");
const rpc = require("@pulumi/pulumi/proto/provider_grpc_pb");

/** The dynamic resource type token of RegistryScanningRule. */
export const RULE_TYPE = "pulumi-nodejs:dynamic/ecr:RegistryScanningRule";

/** A URN like the engine's for a rule named `name` inside the program's component. */
export function ruleUrn(name = "scanned-scan-rule"): string {
  return `urn:pulumi:test::ecr-registry-scanning::ecrscan:index:ScannedRepository$${RULE_TYPE}::${name}`;
}

export type Props = Record<string, unknown>;

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface CheckResult {
  inputs: Props;
  failures: CheckFailure[];
}

export type DiffChanges = "DIFF_UNKNOWN" | "DIFF_NONE" | "DIFF_SOME";

export interface DiffResult {
  changes: DiffChanges;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

export interface CreateResult {
  id: string;
  properties: Props;
}

export interface ReadResult {
  id: string;
  properties: Props;
  /** Present only when the provider's read returned inputs. */
  inputs?: Props;
}

/** A failed RPC as grpc-js reports it: `code` is the gRPC status, `details` the provider's message. */
export interface HostCallError extends Error {
  code: number;
  details: string;
}

export interface ProviderHost {
  /** Everything the host wrote to stdout (after the port line) and stderr, in order of arrival. */
  readonly logs: string[];
  configure(config: Record<string, string>): Promise<void>;
  check(olds: Props, news: Props): Promise<CheckResult>;
  diff(id: string, olds: Props, news: Props): Promise<DiffResult>;
  create(urn: string, props: Props): Promise<CreateResult>;
  read(id: string, urn: string, props: Props, inputs?: Props): Promise<ReadResult>;
  update(id: string, urn: string, olds: Props, news: Props): Promise<Props>;
  delete(id: string, urn: string, props: Props): Promise<void>;
  /** Closes the client and kills the host; safe to call twice. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /**
   * Added to process.env for the host; a variable mapped to undefined is removed, so a test
   * can prove that a setting arrives through Configure and not through the environment.
   */
  env?: Record<string, string | undefined>;
}

/** Struct.fromJavaScript rejects undefined members; the engine never sends them either. */
const toStruct = (value: Props) => Struct.fromJavaScript(JSON.parse(JSON.stringify(value)));

const CHANGES: Record<number, DiffChanges> = { 0: "DIFF_UNKNOWN", 1: "DIFF_NONE", 2: "DIFF_SOME" };

/** Starts the dynamic-provider host with cwd = the project root, as the engine would. */
export async function startProviderHost(options: StartOptions = {}): Promise<ProviderHost> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const hostScript = require.resolve("@pulumi/pulumi/cmd/dynamic-provider");
  // the one argument is the engine address, which the host never dials
  const child: ChildProcess = spawn(process.execPath, [hostScript, "unused"], {
    cwd: projectRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  child.stderr!.on("data", (chunk: Buffer) => logs.push(String(chunk)));

  const port = await new Promise<number>((resolve, reject) => {
    let buffered = "";
    let portSeen = false;
    child.stdout!.on("data", (chunk: Buffer) => {
      if (portSeen) {
        logs.push(String(chunk));
        return;
      }
      buffered += String(chunk);
      const newline = buffered.indexOf("\n");
      if (newline < 0) return;
      portSeen = true;
      const rest = buffered.slice(newline + 1);
      if (rest) logs.push(rest);
      const value = Number(buffered.slice(0, newline).trim());
      if (Number.isInteger(value) && value > 0) resolve(value);
      else reject(new Error(`the provider host printed ${JSON.stringify(buffered.slice(0, newline))} instead of a port`));
    });
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      reject(new Error(`the provider host exited (${code ?? signal}) before printing its port:\n${logs.join("")}`)),
    );
  });

  const client = new rpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = <T>(method: string, request: unknown): Promise<T> =>
    new Promise<T>((resolve, reject) =>
      client[method](request, (err: HostCallError | null, response: T) => (err ? reject(err) : resolve(response))),
    );

  let stopped = false;
  return {
    logs,
    async configure(config) {
      const request = new pb.ConfigureRequest();
      request.setArgs(toStruct(config));
      await call("configure", request);
    },
    async check(olds, news) {
      const request = new pb.CheckRequest();
      request.setUrn(ruleUrn());
      request.setOlds(toStruct(olds));
      request.setNews(toStruct(news));
      const response = await call<ProviderPb.CheckResponse>("check", request);
      return {
        inputs: (response.getInputs()?.toJavaScript() ?? {}) as Props,
        failures: response.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
      };
    },
    async diff(id, olds, news) {
      const request = new pb.DiffRequest();
      request.setId(id);
      request.setUrn(ruleUrn());
      request.setOlds(toStruct(olds));
      request.setNews(toStruct(news));
      const response = await call<ProviderPb.DiffResponse>("diff", request);
      return {
        changes: CHANGES[response.getChanges()],
        replaces: response.getReplacesList(),
        deleteBeforeReplace: response.getDeletebeforereplace(),
      };
    },
    async create(urn, props) {
      const request = new pb.CreateRequest();
      request.setUrn(urn);
      request.setProperties(toStruct(props));
      const response = await call<ProviderPb.CreateResponse>("create", request);
      return { id: response.getId(), properties: (response.getProperties()?.toJavaScript() ?? {}) as Props };
    },
    async read(id, urn, props, inputs) {
      const request = new pb.ReadRequest();
      request.setId(id);
      request.setUrn(urn);
      request.setProperties(toStruct(props));
      if (inputs) request.setInputs(toStruct(inputs));
      const response = await call<ProviderPb.ReadResponse>("read", request);
      const returnedInputs = response.getInputs()?.toJavaScript() as Props | undefined;
      return {
        id: response.getId(),
        properties: (response.getProperties()?.toJavaScript() ?? {}) as Props,
        ...(returnedInputs ? { inputs: returnedInputs } : {}),
      };
    },
    async update(id, urn, olds, news) {
      const request = new pb.UpdateRequest();
      request.setId(id);
      request.setUrn(urn);
      request.setOlds(toStruct(olds));
      request.setNews(toStruct(news));
      const response = await call<ProviderPb.UpdateResponse>("update", request);
      return (response.getProperties()?.toJavaScript() ?? {}) as Props;
    },
    async delete(id, urn, props) {
      const request = new pb.DeleteRequest();
      request.setId(id);
      request.setUrn(urn);
      request.setProperties(toStruct(props));
      await call("delete", request);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      client.close();
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
        });
      }
    },
  };
}

export interface SerializedRule {
  /** The `__provider` module text, exactly as the engine would store it. */
  providerText: string;
  /** Every input the resource registered, `__provider` included. */
  inputs: Props;
}

/**
 * Constructs the real RegistryScanningRule under setMocks and returns the inputs the mock
 * monitor received. Installs process-global mocks: use it only in a mocha process of its own.
 */
export async function serializeRegistryScanningRule(
  args: RegistryScanningRuleArgs = { repositoryFilters: ["fa-083"], scanType: "BASIC", scanFrequency: "SCAN_ON_PUSH" },
): Promise<SerializedRule> {
  let captured!: (inputs: Props) => void;
  const registered = new Promise<Props>((resolve) => (captured = resolve));
  await pulumi.runtime.setMocks(
    {
      newResource(resource: pulumi.runtime.MockResourceArgs) {
        if (resource.type === RULE_TYPE) captured(resource.inputs as Props);
        return { id: `${resource.name}-id`, state: resource.inputs };
      },
      call: (invoke: pulumi.runtime.MockCallArgs) => invoke.inputs,
    },
    "ecr-registry-scanning",
    "test",
  );
  new RegistryScanningRule("serialized", args);
  const inputs = await registered;
  const providerText = inputs.__provider;
  if (typeof providerText !== "string") {
    throw new Error(`the mock monitor received __provider as ${typeof providerText}, not as module text`);
  }
  return { providerText, inputs };
}
