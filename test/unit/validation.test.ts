import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { FILTER_PATTERN, FILTER_PATTERN_LINEAR } from "../../provider/model";
import { checkInputs, UNKNOWN_VALUE } from "../../provider/validation";

const FILTER_RULE =
  'must match ^[a-z0-9*](?:[._\\-/a-z0-9*]?[a-z0-9*]+)*$ (lowercase letters, digits and "*", joined by single ".", "_", "-" or "/") ' +
  "and be 1..255 characters long";

describe("check: input validation before any AWS call", () => {
  it("applies the defaults and de-duplicates and sorts the filters", () => {
    const { inputs, failures } = checkInputs({ repositoryFilters: ["b", "a", "b"] });
    assert.deepEqual(failures, []);
    assert.deepEqual(inputs, {
      repositoryFilters: ["a", "b"],
      scanFrequency: "SCAN_ON_PUSH",
      scanType: "BASIC",
      allowScanTypeChange: false,
    });
  });

  it("names each bad filter, its position and the pattern, in one failure for the property", () => {
    const long = "a".repeat(256);
    const { failures } = checkInputs({ repositoryFilters: ["ok", "Prod*", "", long, "a--b"] });
    assert.deepEqual(failures, [
      {
        property: "repositoryFilters",
        reason: `item 1: "Prod*" ${FILTER_RULE}; item 2: "" ${FILTER_RULE}; item 3: "${long}" ${FILTER_RULE}; item 4: "a--b" ${FILTER_RULE}`,
      },
    ]);
  });

  it("accepts a filter of exactly 255 characters and a lone *", () => {
    assert.deepEqual(checkInputs({ repositoryFilters: ["a".repeat(255), "*"] }).failures, []);
  });

  it("refuses a filter type other than WILDCARD", () => {
    const { failures } = checkInputs({ repositoryFilters: [{ filter: "prod", filterType: "REGEX" }] });
    assert.deepEqual(failures, [
      {
        property: "repositoryFilters",
        reason: 'item 0: has filter type "REGEX"; the only filter type is WILDCARD, and filters are given as plain strings',
      },
    ]);
  });

  it("refuses more than 100 distinct filters and an empty list", () => {
    const many = Array.from({ length: 101 }, (_, i) => `r${i}`);
    assert.deepEqual(checkInputs({ repositoryFilters: many }).failures, [
      { property: "repositoryFilters", reason: "has 101 distinct filters; a registry scanning rule holds at most 100" },
    ]);
    assert.deepEqual(checkInputs({ repositoryFilters: [...many.slice(0, 100), "r0"] }).failures, []);
    assert.deepEqual(checkInputs({ repositoryFilters: [] }).failures, [
      { property: "repositoryFilters", reason: "[] must hold at least 1 filter" },
    ]);
    assert.deepEqual(checkInputs({}).failures, [
      { property: "repositoryFilters", reason: "undefined must be a list of 1..100 filter strings" },
    ]);
  });

  it("refuses values outside both enums", () => {
    const { failures } = checkInputs({ repositoryFilters: ["a"], scanFrequency: "DAILY", scanType: "BOGUS" });
    assert.deepEqual(failures, [
      { property: "scanFrequency", reason: '"DAILY" must be one of SCAN_ON_PUSH, CONTINUOUS_SCAN' },
      { property: "scanType", reason: '"BOGUS" must be one of BASIC, ENHANCED' },
    ]);
  });

  it("refuses MANUAL, saying it is not a rule", () => {
    assert.deepEqual(checkInputs({ repositoryFilters: ["a"], scanFrequency: "MANUAL" }).failures, [
      {
        property: "scanFrequency",
        reason:
          '"MANUAL" must be one of SCAN_ON_PUSH, CONTINUOUS_SCAN; MANUAL is what repositories matched by no rule get, not a rule of its own',
      },
    ]);
  });

  it("refuses CONTINUOUS_SCAN under BASIC", () => {
    assert.deepEqual(checkInputs({ repositoryFilters: ["a"], scanFrequency: "CONTINUOUS_SCAN" }).failures, [
      {
        property: "scanFrequency",
        reason: '"CONTINUOUS_SCAN" is not supported by scan type BASIC; BASIC allows only SCAN_ON_PUSH',
      },
    ]);
    assert.deepEqual(
      checkInputs({ repositoryFilters: ["a"], scanFrequency: "CONTINUOUS_SCAN", scanType: "ENHANCED" }).failures,
      [],
    );
  });

  it("refuses unknown input names as a guard against typos, but allows __provider", () => {
    const { failures } = checkInputs({ repositoryFilter: ["a"], repositoryFilters: ["a"], __provider: "exports.handler = 1" });
    assert.deepEqual(failures, [
      {
        property: "repositoryFilter",
        reason:
          "is not an input of RegistryScanningRule; the inputs are repositoryFilters, scanFrequency, scanType, allowScanTypeChange, region",
      },
    ]);
  });

  it("refuses a non-boolean allowScanTypeChange and a malformed region", () => {
    const { failures } = checkInputs({ repositoryFilters: ["a"], allowScanTypeChange: "yes", region: "Tokyo" });
    assert.deepEqual(failures, [
      { property: "allowScanTypeChange", reason: '"yes" must be true or false' },
      { property: "region", reason: '"Tokyo" must be an AWS Region code such as ap-northeast-1' },
    ]);
  });

  it("does not judge values that are unknown during preview", () => {
    const { failures } = checkInputs({
      repositoryFilters: [UNKNOWN_VALUE],
      scanFrequency: UNKNOWN_VALUE,
      scanType: UNKNOWN_VALUE,
      region: UNKNOWN_VALUE,
    });
    assert.deepEqual(failures, []);
    assert.deepEqual(checkInputs({ repositoryFilters: UNKNOWN_VALUE }).failures, []);
  });

  it("refuses a long filter whose only fault is its last character", () => {
    // the documented pattern backtracks exponentially on this value; validation must not
    const filter = "payments-service-repository-prod-V2";
    assert.deepEqual(checkInputs({ repositoryFilters: [filter] }).failures, [
      { property: "repositoryFilters", reason: `item 0: "${filter}" ${FILTER_RULE}` },
    ]);
  });

  it("accepts exactly the values the documented filter pattern accepts", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9*._\-/A]{1,12}$/), (filter) => {
        assert.equal(FILTER_PATTERN_LINEAR.test(filter), FILTER_PATTERN.test(filter), filter);
      }),
      { numRuns: 20000 },
    );
  });
});
