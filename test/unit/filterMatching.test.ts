import assert from "node:assert/strict";
import * as fc from "fast-check";
import { filterMatches, isSubstringFilter } from "../../provider/filterMatching";

// the ECR User Guide's example ("Filters to choose which repositories are scanned"), cell for cell;
// Y = the filter matches the repository
const repositories = ["prod", "repo-prod", "prod-repo", "repo-prod-repo", "prodrepo"];
const table: [filter: string, cells: string][] = [
  ["prod", "Y Y Y Y Y"],
  ["*prod", "Y Y N N N"],
  ["prod*", "Y N Y N Y"],
  ["*prod*", "Y Y Y Y Y"],
  ["prod*repo", "N N Y N Y"],
];

describe("filterMatches on the User Guide example table", () => {
  for (const [filter, cells] of table) {
    const expected = cells.split(" ").map((cell) => cell === "Y");
    describe(`filter "${filter}"`, () => {
      repositories.forEach((repository, column) => {
        const verb = expected[column] ? "matches" : "does not match";
        it(`${verb} repository "${repository}"`, () => {
          assert.equal(filterMatches(filter, repository), expected[column]);
        });
      });
    });
  }
});

describe("isSubstringFilter", () => {
  it("calls a filter without * a substring filter", () => {
    assert.equal(isSubstringFilter("prod"), true);
  });

  it("calls a filter with * a whole-name filter", () => {
    assert.equal(isSubstringFilter("prod*repo"), false);
  });
});

describe("filterMatches beyond the table", () => {
  /** The documented rule written directly as a regular expression, for short inputs only. */
  const byRegex = (filter: string, name: string) =>
    filter.includes("*")
      ? new RegExp(`^${filter.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&")).join(".*")}$`).test(name)
      : name.includes(filter);
  const shortText = fc.stringMatching(/^[ab*.\/-]{0,8}$/);

  it("agrees with the documented rule on every short filter and name", () => {
    fc.assert(
      fc.property(shortText.filter((f) => f.length > 0), shortText.map((n) => n.replace(/\*/g, "")), (filter, name) => {
        assert.equal(filterMatches(filter, name), byRegex(filter, name));
      }),
      { numRuns: 5000 },
    );
  });

  it("treats . as a literal dot", () => {
    assert.equal(filterMatches("a.b*", "axb"), false);
    assert.equal(filterMatches("a.b*", "a.b-c"), true);
  });

  it("decides a filter with many * against a long name that it does not match", () => {
    // a regular expression built from this filter backtracks for minutes on this name
    assert.equal(filterMatches("*a*a*a*a*a*a*b", "a".repeat(120)), false);
    assert.equal(filterMatches("*a*a*a*a*a*a*b", `${"a".repeat(120)}b`), true);
  });
});
