import assert from "node:assert/strict";
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
