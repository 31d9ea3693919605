import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { FREQUENCIES_BY_SCAN_TYPE, MAX_FILTERS_PER_RULE, MAX_RULES, type RegistryConfig, type ScanType } from "../../provider/model";
import { isPlanError, planApply, planRemove, type Applied, type ApplyPlan, type Desired } from "../../provider/plan";
import { desiredArb, filterPairs, registryConfigArb } from "../support/registryArbitraries";

const FRESH: RegistryConfig = { scanType: "BASIC", rules: [] };
const ORIGINAL_DESIRED: Desired = {
  repositoryFilters: ["fa-083"],
  scanFrequency: "SCAN_ON_PUSH",
  scanType: "BASIC",
  allowScanTypeChange: false,
};

/** The plan, or the PlanError it raised (any other error fails the test). */
function tryPlan(run: () => ApplyPlan): ApplyPlan | Error {
  try {
    return run();
  } catch (err) {
    if (isPlanError(err)) return err;
    throw err;
  }
}

const appliedFrom = (plan: ApplyPlan, desired: Desired): Applied & { scanType: string } => ({
  scanFrequency: desired.scanFrequency,
  scanType: desired.scanType,
  ownedFilters: plan.ownedFilters,
  adoptedFilters: plan.adoptedFilters,
  previousScanType: plan.previousScanType,
});

function assertWithinLimits(config: RegistryConfig): void {
  assert.ok(config.rules.length <= MAX_RULES, `more than ${MAX_RULES} rules: ${JSON.stringify(config)}`);
  const frequencies = config.rules.map((rule) => rule.scanFrequency);
  assert.equal(new Set(frequencies).size, frequencies.length, `duplicate frequencies: ${JSON.stringify(config)}`);
  for (const rule of config.rules) {
    assert.ok(rule.filters.length <= MAX_FILTERS_PER_RULE, `more than ${MAX_FILTERS_PER_RULE} filters`);
    assert.ok(
      FREQUENCIES_BY_SCAN_TYPE[config.scanType as ScanType].includes(rule.scanFrequency),
      `${rule.scanFrequency} under ${config.scanType}`,
    );
  }
}

describe("planning: properties over many registry states", () => {
  it("returns the starting configuration after create then delete, when our filters were not present", () => {
    fc.assert(
      fc.property(registryConfigArb, desiredArb, (start, wanted) => {
        const desired = { ...wanted, allowScanTypeChange: false };
        const present = new Set(filterPairs(start));
        fc.pre(desired.repositoryFilters.every((f) => !present.has(`${desired.scanFrequency} ${f}`)));
        const plan = tryPlan(() => planApply(start, desired));
        if (plan instanceof Error) return;
        const afterDelete = planRemove(plan.next, appliedFrom(plan, desired)) ?? plan.next;
        assert.deepEqual(afterDelete, start);
      }),
      { numRuns: 500 },
    );
  });

  it("never loses a foreign rule or filter on create, update or delete", () => {
    fc.assert(
      fc.property(registryConfigArb, desiredArb, desiredArb, (start, first, second) => {
        const created = tryPlan(() => planApply(start, first));
        if (created instanceof Error) return;
        for (const pair of filterPairs(start)) assert.ok(filterPairs(created.next).includes(pair), `create lost ${pair}`);

        const applied = appliedFrom(created, first);
        const ours = new Set(created.ownedFilters.map((f) => `${first.scanFrequency} ${f}`));
        const foreign = filterPairs(created.next).filter((pair) => !ours.has(pair));
        const updated = tryPlan(() => planApply(created.next, second, applied));
        if (!(updated instanceof Error)) {
          for (const pair of foreign) assert.ok(filterPairs(updated.next).includes(pair), `update lost ${pair}`);
        }
        const deleted = planRemove(created.next, applied) ?? created.next;
        for (const pair of foreign) assert.ok(filterPairs(deleted).includes(pair), `delete lost ${pair}`);
      }),
      { numRuns: 500 },
    );
  });

  it("writes only configurations within ECR's limits, or fails before writing", () => {
    fc.assert(
      fc.property(registryConfigArb, desiredArb, desiredArb, (start, first, second) => {
        const created = tryPlan(() => planApply(start, first));
        if (created instanceof Error) return;
        assertWithinLimits(created.next);
        const applied = appliedFrom(created, first);
        const updated = tryPlan(() => planApply(created.next, second, applied));
        if (!(updated instanceof Error)) assertWithinLimits(updated.next);
        const deleted = planRemove(created.next, applied);
        if (deleted) assertWithinLimits(deleted);
      }),
      { numRuns: 500 },
    );
  });
});

describe("planning: create", () => {
  it("gives a fresh registry exactly the original stack's configuration", () => {
    const plan = planApply(FRESH, ORIGINAL_DESIRED);
    assert.deepEqual(plan.next, { scanType: "BASIC", rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["fa-083"] }] });
    assert.deepEqual(plan.ownedFilters, ["fa-083"]);
    assert.deepEqual(plan.adoptedFilters, []);
    assert.equal(plan.previousScanType, undefined);
    assert.equal(plan.changed, true);
  });

  it("appends to a foreign rule of the same frequency and keeps its filters in order", () => {
    const start = { scanType: "BASIC", rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["team/*", "prod"] }] };
    const plan = planApply(start, ORIGINAL_DESIRED);
    assert.deepEqual(plan.next.rules, [{ scanFrequency: "SCAN_ON_PUSH", filters: ["team/*", "prod", "fa-083"] }]);
  });

  it("adopts a filter that is already present, without a write", () => {
    const start = { scanType: "BASIC", rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["fa-083"] }] };
    const plan = planApply(start, ORIGINAL_DESIRED);
    assert.equal(plan.changed, false);
    assert.deepEqual(plan.adoptedFilters, ["fa-083"]);
    assert.deepEqual(plan.ownedFilters, []);
  });

  it("refuses to switch the scan type under a foreign rule, naming both types and allowScanTypeChange", () => {
    const start = { scanType: "ENHANCED", rules: [{ scanFrequency: "CONTINUOUS_SCAN", filters: ["prod-*"] }] };
    assert.throws(() => planApply(start, ORIGINAL_DESIRED), {
      name: "PlanError",
      message:
        "the registry scan type is ENHANCED and this rule needs BASIC, but the registry holds rules this resource " +
        'does not own (CONTINUOUS_SCAN rule with filters ["prod-*"]); switching the scan type changes how they scan. ' +
        "Set allowScanTypeChange to true to switch anyway",
    });
  });

  it("refuses even with allowScanTypeChange when a foreign rule's frequency is invalid under the new type", () => {
    const start = { scanType: "ENHANCED", rules: [{ scanFrequency: "CONTINUOUS_SCAN", filters: ["prod-*"] }] };
    assert.throws(() => planApply(start, { ...ORIGINAL_DESIRED, allowScanTypeChange: true }), {
      message:
        'cannot switch the registry scan type from ENHANCED to BASIC: the registry holds a CONTINUOUS_SCAN rule with filters ["prod-*"], ' +
        "which scan type BASIC does not support (it allows only SCAN_ON_PUSH)",
    });
  });

  it("switches the scan type with allowScanTypeChange and records the previous one", () => {
    const start = { scanType: "BASIC", rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["other"] }] };
    const desired: Desired = { ...ORIGINAL_DESIRED, scanType: "ENHANCED", scanFrequency: "CONTINUOUS_SCAN", allowScanTypeChange: true };
    const plan = planApply(start, desired);
    assert.equal(plan.next.scanType, "ENHANCED");
    assert.equal(plan.previousScanType, "BASIC");
    assert.deepEqual(plan.next.rules, [
      { scanFrequency: "SCAN_ON_PUSH", filters: ["other"] },
      { scanFrequency: "CONTINUOUS_SCAN", filters: ["fa-083"] },
    ]);
  });

  it("records the previous scan type when it switches an empty registry", () => {
    const plan = planApply(FRESH, { ...ORIGINAL_DESIRED, scanType: "ENHANCED" });
    assert.equal(plan.next.scanType, "ENHANCED");
    assert.equal(plan.previousScanType, "BASIC");
  });

  it("fails with the limit and the current count when the rule already holds 100 filters", () => {
    const full = Array.from({ length: 100 }, (_, i) => `repo-${i}`);
    const start = { scanType: "BASIC", rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: full }] };
    assert.throws(() => planApply(start, ORIGINAL_DESIRED), {
      message: "cannot add 1 filter(s) to the SCAN_ON_PUSH rule: it already holds 100 filters, and the limit is 100 per rule",
    });
  });

  it("fails with the limit and the current count when the registry already has 2 rules", () => {
    const start = {
      scanType: "ENHANCED",
      rules: [
        { scanFrequency: "CONTINUOUS_SCAN", filters: ["a"] },
        { scanFrequency: "MANUAL", filters: ["b"] },
      ],
    };
    assert.throws(() => planApply(start, { ...ORIGINAL_DESIRED, scanType: "ENHANCED" }), {
      message:
        'cannot add a SCAN_ON_PUSH rule: the registry already has 2 rules (CONTINUOUS_SCAN rule with filters ["a"]; ' +
        'MANUAL rule with filters ["b"]) and the limit is 2',
    });
  });
});

describe("planning: update", () => {
  const created = planApply(FRESH, ORIGINAL_DESIRED);
  const applied = appliedFrom(created, ORIGINAL_DESIRED);

  it("moves the filter when the repository name changes", () => {
    const withForeign = { ...created.next, rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["x/*", "fa-083"] }] };
    const plan = planApply(withForeign, { ...ORIGINAL_DESIRED, repositoryFilters: ["fa-084"] }, applied);
    assert.deepEqual(plan.next.rules, [{ scanFrequency: "SCAN_ON_PUSH", filters: ["x/*", "fa-084"] }]);
    assert.deepEqual(plan.ownedFilters, ["fa-084"]);
  });

  it("moves owned filters to the rule of a new frequency and leaves adopted ones", () => {
    const start = { scanType: "ENHANCED", rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["shared"] }] };
    const desired: Desired = { ...ORIGINAL_DESIRED, scanType: "ENHANCED", repositoryFilters: ["mine", "shared"] };
    const first = planApply(start, desired);
    assert.deepEqual(first.adoptedFilters, ["shared"]);
    const moved = planApply(first.next, { ...desired, scanFrequency: "CONTINUOUS_SCAN" }, appliedFrom(first, desired));
    assert.deepEqual(moved.next.rules, [
      { scanFrequency: "SCAN_ON_PUSH", filters: ["shared"] },
      { scanFrequency: "CONTINUOUS_SCAN", filters: ["mine", "shared"] },
    ]);
    assert.deepEqual(moved.ownedFilters, ["mine", "shared"]);
  });

  it("clears previousScanType when it switches back", () => {
    const enhanced: Desired = { ...ORIGINAL_DESIRED, scanType: "ENHANCED" };
    const switched = planApply(FRESH, enhanced);
    const back = planApply(switched.next, ORIGINAL_DESIRED, appliedFrom(switched, enhanced));
    assert.equal(back.next.scanType, "BASIC");
    assert.equal(back.previousScanType, undefined);
  });

  it("plans no write when only allowScanTypeChange changes", () => {
    const plan = planApply(created.next, { ...ORIGINAL_DESIRED, allowScanTypeChange: true }, applied);
    assert.equal(plan.changed, false);
  });
});

describe("planning: delete", () => {
  it("removes only owned filters and leaves adopted ones", () => {
    const start = { scanType: "BASIC", rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["shared"] }] };
    const desired = { ...ORIGINAL_DESIRED, repositoryFilters: ["fa-083", "shared"] };
    const plan = planApply(start, desired);
    assert.deepEqual(planRemove(plan.next, appliedFrom(plan, desired)), start);
  });

  it("plans no write when our filters are already gone and no scan type needs restoring", () => {
    const plan = planApply(FRESH, ORIGINAL_DESIRED);
    assert.equal(planRemove(FRESH, appliedFrom(plan, ORIGINAL_DESIRED)), undefined);
  });

  it("restores the previous scan type only when no foreign rule is left", () => {
    const enhanced: Desired = { ...ORIGINAL_DESIRED, scanType: "ENHANCED" };
    const plan = planApply(FRESH, enhanced);
    const applied = appliedFrom(plan, enhanced);
    assert.deepEqual(planRemove(plan.next, applied), FRESH);
    const withForeign = { scanType: "ENHANCED", rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["fa-083", "late/*"] }] };
    assert.deepEqual(planRemove(withForeign, applied), {
      scanType: "ENHANCED",
      rules: [{ scanFrequency: "SCAN_ON_PUSH", filters: ["late/*"] }],
    });
  });
});
