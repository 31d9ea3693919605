/**
 * Skipping with a reason that reaches the tier summary: the reason is attached to the suite (or
 * test) being skipped, where test/support/tierReporter.js finds it, and printed right away.
 */
export function skipBecause(context: Mocha.Context, reason: string): never {
  const runnable = context.currentTest ?? context.test;
  // a skip from a hook skips the whole suite, so the reason belongs to the suite
  const target = context.currentTest ? runnable : runnable?.parent;
  if (target) (target as unknown as { skipReason?: string }).skipReason = reason;
  console.log(`    skipped: ${reason}`);
  context.skip();
}
