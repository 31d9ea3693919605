// mocha's spec reporter, plus a machine-readable tally for scripts/test.sh.
// Skipped (pending) tests are listed with their reason so that a tier that did not run is
// visible as skipped and never counted as passed.
"use strict";
const fs = require("node:fs");
const Mocha = require("mocha");

/** The reason given through test/support/skip.ts, on the test or the nearest skipped suite. */
function skipReasonOf(test) {
  for (let node = test; node; node = node.parent) {
    if (node.skipReason) return node.skipReason;
  }
  return "no reason given";
}

class TierReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const skipped = [];
    runner.on("pending", (test) => skipped.push(`${test.fullTitle()} (${skipReasonOf(test)})`));
    runner.once("end", () => {
      const file = process.env.TEST_TALLY_FILE;
      if (!file) return;
      const { passes = 0, failures = 0, pending = 0 } = runner.stats || {};
      fs.writeFileSync(file, JSON.stringify({ passes, failures, pending, skipped }));
    });
  }
}
module.exports = TierReporter;
