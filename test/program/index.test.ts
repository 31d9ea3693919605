/**
 * The program under setMocks: what index.ts and the ScannedRepository component register, with
 * which inputs and parents, and what the stack exports. The providers never run here (under
 * mocks a dynamic resource is serialized but never deserialized); whatever the mock's
 * newResource returns becomes the outputs.
 *
 * setMocks is process-global, so every setMocks test of this tier lives in this one file, and
 * scripts/test.sh runs the tier as its own mocha process.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import type { MockMonitor } from "@pulumi/pulumi/runtime/mocks";

const PROJECT = "ecr-registry-scanning";
const STACK = "test";
const REGION = "ap-northeast-1";
const ACCOUNT = "123456789012";
const REPOSITORY_TYPE = "aws:ecr/repository:Repository";
const RULE_TYPE = "pulumi-nodejs:dynamic/ecr:RegistryScanningRule";
const COMPONENT_TYPE = "ecrscan:index:ScannedRepository";

interface Registration {
  type: string;
  name: string;
  inputs: Record<string, any>;
  custom: boolean;
}

/** Every resource registered with the mock monitor, in order of arrival. */
const registrations: Registration[] = [];

/** Plausible provider-computed state, so the stack's exports have values to check. */
function stateFor(type: string, inputs: Record<string, any>): Record<string, unknown> {
  switch (type) {
    case REPOSITORY_TYPE:
      return {
        ...inputs,
        arn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${inputs.name}`,
        repositoryUrl: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${inputs.name}`,
        registryId: ACCOUNT,
      };
    case RULE_TYPE:
      return {
        ...inputs,
        allowScanTypeChange: inputs.allowScanTypeChange ?? false,
        region: inputs.region ?? REGION,
        registryId: ACCOUNT,
        ownedFilters: inputs.repositoryFilters,
        adoptedFilters: [],
      };
    default:
      return inputs;
  }
}

// the stack's config, as in Pulumi.dev.yaml; new pulumi.Config() reads "<project>:prefix"
pulumi.runtime.setAllConfig({ "aws:region": REGION, [`${PROJECT}:prefix`]: "fa-083" });
void pulumi.runtime.setMocks(
  {
    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
      registrations.push({ type: args.type, name: args.name, inputs: args.inputs, custom: args.custom ?? false });
      return { id: args.custom ? `${args.name}-id` : undefined, state: stateFor(args.type, args.inputs) };
    },
    call: (args: pulumi.runtime.MockCallArgs) => args.inputs,
  },
  PROJECT,
  STACK,
);

/** Waits until every registration started so far has reached the mock monitor. */
async function registrationsSettled(): Promise<void> {
  // internal to @pulumi/pulumi (marked @internal, so absent from its typings), but stable for years
  const settings: { waitForRPCs?: () => Promise<void> } = require("@pulumi/pulumi/runtime/settings");
  assert.equal(typeof settings.waitForRPCs, "function", "@pulumi/pulumi no longer has runtime/settings.waitForRPCs");
  await settings.waitForRPCs!();
}

function unwrap<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

/** URNs of everything the mock monitor registered. */
function registeredUrns(): string[] {
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
  return [...monitor.resources.keys()];
}

const urnOf = (qualifiedType: string, name: string) => `urn:pulumi:${STACK}::${PROJECT}::${qualifiedType}::${name}`;

describe("the program under setMocks", () => {
  let program: Record<string, pulumi.Output<unknown>>;
  let ownRegistrations: Registration[];

  before(async () => {
    program = (await import("../../index")) as unknown as Record<string, pulumi.Output<unknown>>;
    await registrationsSettled();
    ownRegistrations = [...registrations];
  });

  const find = (type: string) => {
    const found = ownRegistrations.filter((r) => r.type === type);
    assert.equal(found.length, 1, `${found.length} registrations of ${type}`);
    return found[0];
  };

  it("registers one component, one repository and one scanning rule", () => {
    assert.deepEqual(
      ownRegistrations.map(({ type, name, custom }) => ({ type, name, custom })),
      [
        { type: COMPONENT_TYPE, name: "scanned", custom: false },
        { type: REPOSITORY_TYPE, name: "scanned-repo", custom: true },
        { type: RULE_TYPE, name: "scanned-scan-rule", custom: true },
      ],
    );
  });

  it("names the repository fa-083, deletes it with its images and sets no repository-level scanning", () => {
    const repository = find(REPOSITORY_TYPE);
    assert.equal(repository.inputs.name, "fa-083");
    assert.equal(repository.inputs.forceDelete, true);
    assert.equal(repository.inputs.imageScanningConfiguration, undefined);
    assert.ok(!("imageScanningConfiguration" in repository.inputs));
  });

  it("asks for a BASIC scan-on-push rule whose only filter is the repository name", () => {
    const { __provider, ...inputs } = find(RULE_TYPE).inputs;
    assert.deepEqual(inputs, { repositoryFilters: ["fa-083"], scanType: "BASIC", scanFrequency: "SCAN_ON_PUSH" });
    assert.equal(typeof __provider, "string");
    assert.ok((__provider as string).startsWith("exports.handler = "), String(__provider).slice(0, 80));
  });

  it("parents the repository and the rule to the component", () => {
    const urns = registeredUrns();
    for (const expected of [
      urnOf(COMPONENT_TYPE, "scanned"),
      urnOf(`${COMPONENT_TYPE}$${REPOSITORY_TYPE}`, "scanned-repo"),
      urnOf(`${COMPONENT_TYPE}$${RULE_TYPE}`, "scanned-scan-rule"),
    ]) {
      assert.ok(urns.includes(expected), `${expected} is not among ${JSON.stringify(urns, null, 2)}`);
    }
  });

  it("exports the repository and the rule's settings and ownership", async () => {
    const exported = Object.keys(program).filter((key) => key !== "default" && key !== "__esModule").sort();
    assert.deepEqual(exported, [
      "adoptedFilters",
      "ownedFilters",
      "registryId",
      "repositoryArn",
      "repositoryFilters",
      "repositoryName",
      "repositoryUrl",
      "scanFrequency",
      "scanType",
    ]);
    const values = Object.fromEntries(await Promise.all(exported.map(async (key) => [key, await unwrap(program[key])])));
    assert.deepEqual(values, {
      adoptedFilters: [],
      ownedFilters: ["fa-083"],
      registryId: ACCOUNT,
      repositoryArn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/fa-083`,
      repositoryFilters: ["fa-083"],
      repositoryName: "fa-083",
      repositoryUrl: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/fa-083`,
      scanFrequency: "SCAN_ON_PUSH",
      scanType: "BASIC",
    });
  });
});

describe("the ScannedRepository component's name validation", () => {
  const UPPERCASE_MESSAGE =
    '[repositoryName] "Fa-083" must be 2..256 characters of lowercase letters and digits, separated by single ' +
    '".", "_" or "-" and grouped by "/" (^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$)';

  /** Constructs a component with an uppercase name and returns what it registered meanwhile. */
  async function registeredWhileRejecting(name: string): Promise<{ type: string; name: string }[]> {
    const { ScannedRepository } = await import("../../components/scannedRepository");
    await registrationsSettled();
    const before = registrations.length;
    assert.throws(() => new ScannedRepository(name, { repositoryName: "Fa-083" }), { message: UPPERCASE_MESSAGE });
    await registrationsSettled();
    return registrations.slice(before).map(({ type, name }) => ({ type, name }));
  }

  it("throws for an uppercase repository name before registering the repository or the rule", async () => {
    const registered = await registeredWhileRejecting("uppercase");
    assert.deepEqual(
      registered.filter((r) => r.type !== COMPONENT_TYPE),
      [],
    );
  });

  it("throws for an uppercase repository name before registering the component itself", async () => {
    // fails today: the check runs after super(), which has already registered the component
    assert.deepEqual(await registeredWhileRejecting("uppercase-component"), []);
  });
});
