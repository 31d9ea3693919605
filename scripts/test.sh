#!/usr/bin/env bash
# Runs every test tier (this is `npm test`, and `.ci/run` calls it).
#
# Set-up first: the ECR emulator's virtualenv and, where Go or an installed CLI allows, a Pulumi
# CLI for the end-to-end tier. Each tier is its own mocha process. The closing line sums all
# tiers as "N passed, N failed, N skipped"; a skipped test is never counted as passed, and
# each skip is listed with its reason.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

tiers=(
  "unit:pure planning, validation and filter matching"
  "sdk:SDK-level error paths and tools (aws-sdk-client-mock)"
  "wire:provider methods and tools against the ECR emulator"
  "host:the dynamic-provider host over gRPC"
  "program:the program under setMocks"
  "e2e:the Pulumi engine end to end"
)
if [[ $# -gt 0 ]]; then
  wanted=" $* "
  selected=()
  for t in "${tiers[@]}"; do [[ "$wanted" == *" ${t%%:*} "* ]] && selected+=("$t"); done
  tiers=("${selected[@]}")
fi

# the SDK warns once per process that its 2027 releases need Node 22; the pin in package.json
# already keeps us on a Node 20 release, so the warning only buries test output
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

bash scripts/setup-moto.sh || { echo "test: could not install the ECR emulator (moto); see above" >&2; exit 1; }

# the end-to-end tier needs a Pulumi CLI; in CI its absence is a failure, elsewhere a reported skip
if cli_dir="$(bash scripts/ensure-pulumi-cli.sh)"; then
  export PULUMI_CLI_DIR="$cli_dir"
else
  if [[ "${CI:-}" == "true" ]]; then
    echo "test: no Pulumi CLI could be provided, and CI must run the end-to-end tier" >&2
    exit 1
  fi
  export PULUMI_CLI_SKIP_REASON="no Pulumi CLI on PATH and it could not be built (see scripts/ensure-pulumi-cli.sh output above)"
fi

echo "== typecheck (tsc --noEmit)"
npx tsc --noEmit || { echo "test: type errors"; echo "0 passed, 1 failed"; exit 1; }

tally_dir="$(mktemp -d)"
trap 'rm -rf "$tally_dir"' EXIT
passed=0 failed=0 skipped=0 status=0
ci_flags=()
[[ "${CI:-}" == "true" ]] && ci_flags+=(--forbid-only)

for t in "${tiers[@]}"; do
  name="${t%%:*}"
  echo
  echo "== tier $name: ${t#*:}"
  shopt -s globstar nullglob
  files=(test/"$name"/**/*.test.ts)
  shopt -u globstar nullglob
  if [[ ${#files[@]} -eq 0 ]]; then
    echo "test: tier $name has no test files" >&2
    status=1; failed=$((failed + 1)); continue
  fi
  TEST_TALLY_FILE="$tally_dir/$name.json" npx mocha "${ci_flags[@]}" "${files[@]}" || status=1
  if [[ -f "$tally_dir/$name.json" ]]; then
    read -r p f s < <(node -e 'const t=require(process.argv[1]);console.log(t.passes,t.failures,t.pending)' "$tally_dir/$name.json")
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  else
    echo "test: tier $name ended without a result" >&2
    status=1; failed=$((failed + 1))
  fi
done

echo
echo "== summary"
for t in "${tiers[@]}"; do
  name="${t%%:*}"
  [[ -f "$tally_dir/$name.json" ]] || { echo "  $name: did not complete"; continue; }
  node -e '
    const t = require(process.argv[1]);
    console.log(`  ${process.argv[2]}: ${t.passes} passed, ${t.failures} failed, ${t.pending} skipped`);
    for (const s of t.skipped) console.log(`    skipped: ${s}`);
  ' "$tally_dir/$name.json" "$name"
done
echo "$passed passed, $failed failed, $skipped skipped"
if [[ $status -eq 0 && $failed -gt 0 ]]; then status=1; fi
exit $status
