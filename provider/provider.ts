/**
 * The dynamic resource provider behind RegistryScanningRule: Pulumi lifecycle rules only.
 * Planning lives in plan.ts, validation in validation.ts and AWS calls in ecr.ts.
 *
 *   configure  store aws:region and aws:profile (strings only, never a client)
 *   check      validate and normalize inputs; no AWS call
 *   diff       old outputs vs new inputs; no AWS call; a new effective Region replaces
 *   create     Get → plan → Put → Get to verify (re-apply with jitter if another writer won)
 *   read       Get; gone when none of our filters is left in the rule of our frequency
 *   update     Get → plan from the old ownership to the new inputs → at most one Put
 *   delete     Get → remove only our filters, restore the scan type we changed → Put if needed
 *
 * This object is serialized into Pulumi state and later run by the dynamic-provider host, so it
 * captures only plain data and the project's own pure modules. Every read-modify-write cycle
 * runs under a per-Region lock kept on globalThis, which every deserialized copy of the
 * provider in one host process shares.
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { createEcrClient, findRegistryScanningConfiguration, putRegistryScanningConfiguration, type EcrTarget } from "./ecr";
import { describeFailure } from "./errors";
import type { RuleInputs, RuleState } from "./model";
import { missingFilters, planApply, planRemove, ruleFor, planError, type Applied } from "./plan";
import { checkInputs, UNKNOWN_VALUE } from "./validation";

/** Stack configuration the engine passes to configure(); region and profile only. */
const stackSettings: { region?: string; profile?: string } = {};

/** Re-applies after a lost race are bounded; each waits a little longer, with jitter. */
const MAX_REAPPLIES = 3;

function defaultRegion(): string | undefined {
  return stackSettings.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || undefined;
}

function targetFor(region: string): EcrTarget {
  return stackSettings.profile ? { region, profile: stackSettings.profile } : { region };
}

/**
 * The registry (account) a stored rule belongs to must be the one the credentials reach now: after
 * a change of profile or credentials, update, delete and refresh would otherwise edit or report
 * another account's registry, where filters of the same name belong to someone else.
 */
function assertSameRegistry(stored: RuleState, foundRegistryId: string): void {
  if (stored.registryId && foundRegistryId && stored.registryId !== foundRegistryId) {
    throw planError(
      `the credentials reach registry ${foundRegistryId}, but this rule was applied to registry ${stored.registryId}; ` +
        `use credentials for account ${stored.registryId}, or drop the resource from state with pulumi state delete`,
    );
  }
}

/** Serializes read-modify-write cycles on one registry inside this process. */
function withRegistryLock<T>(region: string, work: () => Promise<T>): Promise<T> {
  const holder = globalThis as unknown as Record<symbol, Map<string, Promise<unknown>> | undefined>;
  const key = Symbol.for("ecr-registry-scanning-rule/locks");
  const locks = (holder[key] = holder[key] ?? new Map<string, Promise<unknown>>());
  const previous = locks.get(region) ?? Promise.resolve();
  const run = previous.then(work, work);
  locks.set(region, run.catch(() => undefined));
  return run;
}

function ruleId(region: string, inputs: RuleInputs): string {
  const digest = createHash("sha256")
    .update(JSON.stringify([inputs.scanFrequency, inputs.repositoryFilters]))
    .digest("hex")
    .slice(0, 16);
  return `${region}/${inputs.scanFrequency}/${digest}`;
}

function outputsOf(inputs: RuleInputs, region: string, registryId: string, applied: Omit<Applied, "scanFrequency">): RuleState {
  return {
    repositoryFilters: inputs.repositoryFilters,
    scanFrequency: inputs.scanFrequency,
    scanType: inputs.scanType,
    allowScanTypeChange: inputs.allowScanTypeChange,
    region,
    registryId,
    ownedFilters: applied.ownedFilters,
    adoptedFilters: applied.adoptedFilters,
    ...(applied.previousScanType ? { previousScanType: applied.previousScanType } : {}),
  };
}

/** What a stored rule owns, for planning; state from any earlier version may lack the lists. */
function appliedFrom(state: RuleState): Applied & { scanType: string } {
  return {
    scanFrequency: state.scanFrequency,
    scanType: state.scanType,
    ownedFilters: state.ownedFilters ?? [],
    adoptedFilters: state.adoptedFilters ?? [],
    previousScanType: state.previousScanType,
  };
}

const sameList = (a: readonly unknown[] | undefined, b: readonly unknown[] | undefined) =>
  JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...(b ?? [])].sort());

const jitteredPause = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, 100 * attempt + Math.floor(Math.random() * 200)));

export const registryScanningRuleProvider: pulumi.dynamic.ResourceProvider<RuleInputs, RuleState> = {
  async configure(req: pulumi.dynamic.ConfigureRequest) {
    stackSettings.region = req.config.get("aws:region") || undefined;
    stackSettings.profile = req.config.get("aws:profile") || undefined;
  },

  async check(_olds: RuleInputs, news: RuleInputs) {
    const { inputs, failures } = checkInputs(news as unknown as Record<string, unknown>);
    if (news.region === undefined && !defaultRegion()) {
      failures.push({
        property: "region",
        reason:
          "is not set, and there is no default: set the region input, the stack's aws:region config, " +
          "or AWS_REGION / AWS_DEFAULT_REGION",
      });
    }
    return { inputs, failures };
  },

  async diff(_id: string, olds: RuleState, news: RuleInputs) {
    const newRegion = news.region ?? defaultRegion();
    const replaces = newRegion === olds.region ? [] : ["region"];
    const changed = [
      !sameList(olds.repositoryFilters, news.repositoryFilters),
      olds.scanFrequency !== news.scanFrequency,
      olds.scanType !== news.scanType,
      // no write follows, but the new value must reach state
      olds.allowScanTypeChange !== news.allowScanTypeChange,
      // a new provider text must replace the stored one, or refresh and destroy keep running old code
      (olds as unknown as Record<string, unknown>).__provider !== (news as unknown as Record<string, unknown>).__provider,
    ].some(Boolean);
    // regions are separate registries, so the default create-before-delete order cannot collide
    return { changes: changed || replaces.length > 0, replaces };
  },

  async create(inputs: RuleInputs) {
    const region = inputs.region ?? defaultRegion();
    const action = "creating";
    if (!region || region === UNKNOWN_VALUE) {
      throw describeFailure(action, { region: "no region" }, planError("no Region is set: set the region input, aws:region or AWS_REGION"));
    }
    const target = targetFor(region);
    return withRegistryLock(region, async () => {
      let registryId: string | undefined;
      // what we have written so far; a failure after a write must still leave it in state
      let written: RuleState | undefined;
      try {
        const client = createEcrClient(target);
        let found = await findRegistryScanningConfiguration(client);
        registryId = found.registryId;
        let plan = planApply(found.config, inputs);
        for (let attempt = 1; plan.changed; attempt++) {
          await putRegistryScanningConfiguration(client, plan.next);
          written = outputsOf(inputs, region, found.registryId, plan);
          // the setting has no version or condition: read back to catch a concurrent writer
          found = await findRegistryScanningConfiguration(client);
          const missing = missingFilters(found.config, inputs.scanFrequency, inputs.repositoryFilters);
          if (missing.length === 0 && found.config.scanType === inputs.scanType) break;
          if (attempt > MAX_REAPPLIES) {
            throw planError(
              `after ${attempt} writes the registry still lacks ${missing.length > 0 ? `filters ${JSON.stringify(missing)}` : `scan type ${inputs.scanType}`}; ` +
                "another writer keeps changing the registry scanning configuration",
            );
          }
          await jitteredPause(attempt);
          plan = planApply(found.config, inputs, { ...plan, scanFrequency: inputs.scanFrequency });
        }
        return { id: ruleId(region, inputs), outs: outputsOf(inputs, region, found.registryId, plan) };
      } catch (err) {
        const failure = describeFailure(action, { region, registryId }, err);
        if (!written) throw failure;
        // a partial create: the engine keeps the resource (and so our ownership) in state, the
        // next up retries it and destroy removes what we wrote
        throw Object.assign(failure, {
          id: ruleId(region, inputs),
          properties: { ...written, __provider: (inputs as unknown as Record<string, unknown>).__provider },
          reasons: [failure.message],
        });
      }
    });
  },

  async read(id: string, props?: RuleState) {
    if (!props?.region) {
      throw new Error(
        `reading ECR registry scanning rule ${id}: no stored state; RegistryScanningRule cannot be imported, ` +
          "and need not be: creating it adopts the filters that are already in the registry",
      );
    }
    const { region } = props;
    try {
      const found = await findRegistryScanningConfiguration(createEcrClient(targetFor(region)));
      assertSameRegistry(props, found.registryId);
      const present = new Set(ruleFor(found.config, props.scanFrequency)?.filters ?? []);
      const stillThere = props.repositoryFilters.filter((filter) => present.has(filter));
      // none of our filters left: report the resource as gone, so the next up creates it again
      if (stillThere.length === 0) return {};
      const inputs: RuleInputs = {
        repositoryFilters: stillThere,
        scanFrequency: props.scanFrequency,
        scanType: found.config.scanType as RuleInputs["scanType"],
        allowScanTypeChange: props.allowScanTypeChange,
        region,
      };
      const outs = outputsOf(inputs, region, found.registryId, {
        ownedFilters: (props.ownedFilters ?? []).filter((filter) => present.has(filter)),
        adoptedFilters: (props.adoptedFilters ?? []).filter((filter) => present.has(filter)),
        previousScanType: props.previousScanType,
      });
      return { id, props: outs, inputs: inputs as unknown as RuleState };
    } catch (err) {
      throw describeFailure("reading", { region, registryId: props.registryId }, err);
    }
  },

  async update(_id: string, olds: RuleState, news: RuleInputs) {
    const region = olds.region;
    return withRegistryLock(region, async () => {
      try {
        const client = createEcrClient(targetFor(region));
        const found = await findRegistryScanningConfiguration(client);
        assertSameRegistry(olds, found.registryId);
        const plan = planApply(found.config, news, appliedFrom(olds));
        if (plan.changed) await putRegistryScanningConfiguration(client, plan.next);
        return { outs: outputsOf(news, region, found.registryId, plan) };
      } catch (err) {
        throw describeFailure("updating", { region, registryId: olds.registryId }, err);
      }
    });
  },

  async delete(_id: string, props: RuleState) {
    const region = props.region;
    await withRegistryLock(region, async () => {
      try {
        const client = createEcrClient(targetFor(region));
        const found = await findRegistryScanningConfiguration(client);
        assertSameRegistry(props, found.registryId);
        const next = planRemove(found.config, appliedFrom(props));
        // nothing of ours is left and no scan type to restore: succeed without writing
        if (next) await putRegistryScanningConfiguration(client, next);
      } catch (err) {
        throw describeFailure("deleting", { region, registryId: props.registryId }, err);
      }
    });
  },
};
