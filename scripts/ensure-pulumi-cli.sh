#!/usr/bin/env bash
# Provide a Pulumi CLI on machines that cannot download one.
#
# Usage:  PULUMI_BIN_DIR=$(bash scripts/ensure-pulumi-cli.sh) && PATH="$PULUMI_BIN_DIR:$PATH"
#
# Output contract: progress goes to stderr; on success exactly one line goes to stdout, the absolute path of a
# directory holding `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs`. Exit status is
# non-zero (with a message on stderr) when no CLI can be provided.
#
# If a working `pulumi` is already on PATH it is used as is. Otherwise the CLI is compiled from the Go module
# proxy (the Pulumi download site and GitHub are unreachable here, the proxy is not): a small wrapper Go module
# is generated in a cache directory outside the repository and built once; later runs reuse the cached binaries
# and take well under a second. The README section "Getting a Pulumi CLI" explains the route and its limits.
#
# Environment:
#   PULUMI_CLI_CACHE   cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/ecr-scanning-pulumi-cli)
#   PULUMI_CLI_BUILD=1 ignore a `pulumi` found on PATH and use/build the pinned one
set -euo pipefail

# Pinned to the version of the project's @pulumi/pulumi npm package (3.248.0); the proxy serves pkg/v3 and
# sdk/v3 at this version.
readonly PULUMI_VERSION=v3.248.0
readonly PKG_MODULE=github.com/pulumi/pulumi/pkg/v3
readonly SDK_MODULE=github.com/pulumi/pulumi/sdk/v3
# Flags as in upstream's .goreleaser.yml. Without the version ldflag `pulumi version` prints nothing and the
# Automation API fails with "Failed to parse Pulumi CLI version".
readonly BUILD_TAGS=osusergo,grpcnotrace
readonly LDFLAGS="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${PULUMI_VERSION}"

# The Node.js language host (`pulumi-language-nodejs`) is NOT built at $PULUMI_VERSION, because it cannot be:
# since sdk v3.69.0 it lives in its own module, github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3,
# which has no tags (only pseudo-versions) and which the module proxy reachable here refuses (403 for every
# version). Up to sdk v3.68.0 the same host was a package of the sdk/v3 module itself, and the proxy serves that
# release, so the upstream host is built from there: v3.68.0 is the newest sdk/v3 release the proxy serves that
# still contains nodejs/cmd/pulumi-language-nodejs (the package is gone in v3.69.0 and later).
#
# Verified with the v3.248.0 CLI and the project's @pulumi/pulumi 3.248.0 npm SDK: `pulumi preview`, `up`,
# `preview --expect-no-changes`, `refresh`, `destroy` of a TypeScript program with plain and secret stack config,
# a pulumi.dynamic.Resource created/updated/read/deleted, stack outputs (including secret ones), a thrown error
# reported with its message and exit code 1, the same through the Automation API (LocalWorkspace), and the
# project's end-to-end test tier. The SDK's `run` entry point and the engine's gRPC protocol are
# backward-compatible enough for that. What this May 2023 host does NOT do with the v3.248.0 engine and SDK
# (none of which this project uses):
#   - runtime options in Pulumi.yaml other than the entry point (`nodeargs`, `typescript`, `tsconfig`) are
#     ignored: it expects them as command-line flags, which the engine no longer passes;
#   - resource monitor calls newer than v3.68.0 fail (it relays the monitor through its own proxy, which only
#     knows the 2023 methods): stack/resource transforms (`transforms`, registerResourceTransform), invoke
#     transforms, resource and error hooks, parameterized packages (RegisterPackage);
#   - GetRequiredPackages, Handshake, code generation, packing and linking are unimplemented (the engine falls
#     back to GetRequiredPlugins where it can); `pulumi about` reports the language plugin as 3.68.0.
# If the proxy ever serves the language host module, build that at the pseudo-version of the pkg/$PULUMI_VERSION
# commit instead (go mod download -json of pkg/v3 reports that commit as Origin.Hash).
readonly NODEJS_HOST_SDK_VERSION=v3.68.0
readonly NODEJS_HOST_PKG=github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
# As upstream built it at that release (sdk/nodejs/Makefile): only the version ldflag, which the engine reads
# through GetPluginInfo.
readonly NODEJS_HOST_LDFLAGS="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${NODEJS_HOST_SDK_VERSION}"

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
project_root=$(dirname -- "$script_dir")
readonly script_dir project_root

log() { printf 'ensure-pulumi-cli: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# --- 1. A CLI that is already installed wins. -------------------------------------------------------------
if [[ "${PULUMI_CLI_BUILD:-}" != 1 ]] && existing=$(command -v pulumi 2>/dev/null) &&
	existing_version=$("$existing" version 2>/dev/null) && [[ -n "$existing_version" ]]; then
	existing_dir=$(cd -- "$(dirname -- "$existing")" && pwd -P)
	log "using pulumi ${existing_version} already on PATH in ${existing_dir}"
	if [[ ! -e "$existing_dir/pulumi-resource-pulumi-nodejs" ]] && ! command -v pulumi-resource-pulumi-nodejs >/dev/null; then
		log "warning: pulumi-resource-pulumi-nodejs is not next to it nor on PATH; dynamic providers will not load"
	fi
	printf '%s\n' "$existing_dir"
	exit 0
fi

# --- 2. Otherwise build (or reuse) the pinned CLI. --------------------------------------------------------
command -v go >/dev/null 2>&1 ||
	die "no pulumi on PATH and Go is not installed, so none can be built (install Go >= 1.25.11 or a Pulumi CLI)"
go_version=$(go env GOVERSION) || die "'go env GOVERSION' failed"

sdk_plugin="$project_root/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
[[ -f "$sdk_plugin" ]] ||
	die "$sdk_plugin is missing; run 'npm ci' in $project_root first (the engine needs it for dynamic providers)"

# The cache lives outside the repository and is keyed by the Pulumi and Go versions. GOMODCACHE and GOCACHE keep
# their defaults (also outside the repository), so a rebuild after a key change mostly hits the Go build cache.
cache_root=${PULUMI_CLI_CACHE:-${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/ecr-scanning-pulumi-cli}
cache_dir="$cache_root/$PULUMI_VERSION/$go_version"
bin_dir="$cache_dir/bin"
stamp_file="$bin_dir/.build-stamp"

# Everything that shapes the build; a change invalidates the cached binaries. Bump the recipe revision when the
# way the wrapper modules below are generated changes in a way that matters.
recipe_hash=$(printf '%s\n' "recipe 3: wrapper modules pulumi-cli and pulumi-language-nodejs" \
	"$PULUMI_VERSION" "$go_version" "$BUILD_TAGS" "$LDFLAGS" \
	"$NODEJS_HOST_SDK_VERSION" "$NODEJS_HOST_PKG" "$NODEJS_HOST_LDFLAGS" | sha256sum | cut -c1-16)

# Refresh the dynamic-provider plugin next to the binaries on every run (cheap), atomically via rename, so the
# engine finds it instead of trying to download a `pulumi-nodejs` plugin (pulumi/pulumi#15647).
install_sdk_plugin() {
	local tmp_plugin
	tmp_plugin=$(mktemp "$1/.pulumi-resource-pulumi-nodejs.XXXXXX")
	cp -- "$sdk_plugin" "$tmp_plugin"
	chmod 0755 "$tmp_plugin"
	mv -f -- "$tmp_plugin" "$1/pulumi-resource-pulumi-nodejs"
}

cache_is_complete() {
	[[ -x "$bin_dir/pulumi" && -x "$bin_dir/pulumi-language-nodejs" && -f "$stamp_file" ]] || return 1
	[[ "$(cat -- "$stamp_file")" == "$recipe_hash" ]] || return 1
	[[ "$("$bin_dir/pulumi" version 2>/dev/null)" == "$PULUMI_VERSION" ]]
}

finish() {
	install_sdk_plugin "$bin_dir"
	printf '%s\n' "$bin_dir"
	exit 0
}

mkdir -p -- "$cache_dir"
if cache_is_complete; then
	log "using cached pulumi $PULUMI_VERSION in $bin_dir"
	finish
fi

# Serialize concurrent builds (e.g. parallel CI jobs sharing a cache); the second waiter then finds the cache.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$cache_dir/.lock"
	log "taking the build lock $cache_dir/.lock"
	flock 9
	if cache_is_complete; then
		log "using pulumi $PULUMI_VERSION built by a concurrent run in $bin_dir"
		finish
	fi
	# Holding the lock, any leftover build directory belongs to a run that was killed (e.g. SIGKILL).
	rm -rf -- "$cache_dir"/.build.*
fi

# Build in a private temporary directory next to the final one and rename it into place at the end, so an
# interrupted or failed build never leaves a cache that looks complete.
work_dir=$(mktemp -d "$cache_dir/.build.XXXXXX")
# shellcheck disable=SC2317 # invoked through the EXIT trap
cleanup() { rm -rf -- "$work_dir"; }
trap cleanup EXIT
src_dir="$work_dir/src"
mkdir -p -- "$src_dir" "$work_dir/bin"

log "building pulumi $PULUMI_VERSION with $go_version in $cache_dir (first run: several minutes)"

# Module metadata (and the go.mod files to copy from) via the module proxy.
pkg_json=$(go mod download -json "$PKG_MODULE@$PULUMI_VERSION") ||
	die "could not download $PKG_MODULE@$PULUMI_VERSION from the Go module proxy ($(go env GOPROXY))"
json_field() { sed -n "s/^[[:space:]]*\"$1\": \"\\([^\"]*\\)\".*/\\1/p" | head -n1; }
pkg_gomod=$(json_field GoMod <<<"$pkg_json")
[[ -f "$pkg_gomod" ]] || die "go mod download reported no go.mod for $PKG_MODULE@$PULUMI_VERSION"

# The wrapper's go directive must be at least that of pulumi's modules (1.25.11 for v3.248.0).
go_directive=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$pkg_gomod")
[[ -n "$go_directive" ]] || die "no go directive in $pkg_gomod"
local_go=${go_version#go}
if [[ "$(printf '%s\n' "$go_directive" "$local_go" | sort -V | head -n1)" != "$go_directive" ]]; then
	die "pulumi $PULUMI_VERSION needs Go >= $go_directive, this is $go_version (GOTOOLCHAIN=$(go env GOTOOLCHAIN))"
fi

# `go install pkg/v3/cmd/pulumi@version` is refused because pkg/go.mod has replace directives, hence a wrapper
# module. Upstream builds the CLI inside pkg/, so pkg/go.mod's replaces are the ones in force: copy those whose
# target is a module (for v3.248.0 only the atotto/clipboard fork), drop local ones (sdk/v3 => ../sdk).
# sdk/go.mod's replaces are deliberately not copied: they only apply when building inside sdk/, and at v3.248.0
# one of them (golang.org/x/text => v0.3.8) would downgrade x/text far below the v0.38.0 that pkg requires.
replaces=$(awk '
	/^replace[[:space:]]*\($/ { inblock = 1; next }
	inblock && /^\)/          { inblock = 0; next }
	inblock && /^[[:space:]]*(\/\/.*)?$/ { next }
	inblock                   { line = $0; gsub(/^[[:space:]]+/, "", line) }
	/^replace[[:space:]]+[^(]/ { line = $0; sub(/^replace[[:space:]]+/, "", line) }
	line != "" {
		split(line, parts, "=>"); target = parts[2]; gsub(/^[[:space:]]+/, "", target)
		if (target !~ /^(\.\.?\/|\/)/) print "replace " line
		line = ""
	}' "$pkg_gomod")

cli_src="$src_dir/pulumi-cli"
host_src="$src_dir/pulumi-language-nodejs"
mkdir -p -- "$cli_src" "$host_src"

cat >"$cli_src/go.mod" <<EOF
// Generated by scripts/ensure-pulumi-cli.sh: wrapper module to build the Pulumi CLI $PULUMI_VERSION.
module example.invalid/pulumi-cli

go $go_directive

require (
	$PKG_MODULE $PULUMI_VERSION
	$SDK_MODULE $PULUMI_VERSION
)

// Copied from $PKG_MODULE@$PULUMI_VERSION go.mod (non-local replaces only).
$replaces
EOF

# Keep the CLI main package in the module graph for `go mod tidy`.
printf '//go:build tools\n\npackage tools\n\nimport _ "%s/cmd/pulumi"\n' "$PKG_MODULE" >"$cli_src/tools.go"

# The language host gets a wrapper module of its own: it needs sdk/v3 at $NODEJS_HOST_SDK_VERSION, which cannot
# share a module graph with the CLI's sdk/v3 $PULUMI_VERSION (see NODEJS_HOST_SDK_VERSION above). Its go
# directive is the CLI wrapper's, not sdk/v3@$NODEJS_HOST_SDK_VERSION's `go 1.18`: the main module's go directive
# sets the binary's default GODEBUG, and 1.18 would turn on every compatibility setting since (TLS 1.0 server,
# 3DES and RSA key exchange, panic(nil), ...). sdk/go.mod's replace (golang.org/x/text => v0.3.6) is not copied,
# for the same reason as for the CLI: it only applied when building inside sdk/; without it x/text resolves to
# the v0.7.0 the module graph asks for.
host_sdk_json=$(go mod download -json "$SDK_MODULE@$NODEJS_HOST_SDK_VERSION") ||
	die "could not download $SDK_MODULE@$NODEJS_HOST_SDK_VERSION from the Go module proxy ($(go env GOPROXY))"
host_sdk_dir=$(json_field Dir <<<"$host_sdk_json")
[[ -d "$host_sdk_dir/${NODEJS_HOST_PKG#"$SDK_MODULE"/}" ]] ||
	die "$SDK_MODULE@$NODEJS_HOST_SDK_VERSION has no package $NODEJS_HOST_PKG"

cat >"$host_src/go.mod" <<EOF
// Generated by scripts/ensure-pulumi-cli.sh: wrapper module to build pulumi-language-nodejs from
// $SDK_MODULE $NODEJS_HOST_SDK_VERSION, the newest sdk/v3 release that contains it.
module example.invalid/pulumi-language-nodejs

go $go_directive

require $SDK_MODULE $NODEJS_HOST_SDK_VERSION
EOF
printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$NODEJS_HOST_PKG" >"$host_src/tools.go"

log "resolving modules (go mod tidy)"
(cd -- "$cli_src" && go mod tidy >&2) || die "go mod tidy failed for the wrapper module in $cli_src"
(cd -- "$host_src" && go mod tidy >&2) || die "go mod tidy failed for the wrapper module in $host_src"

log "compiling pulumi"
(cd -- "$cli_src" && go build -trimpath -buildvcs=false -tags "$BUILD_TAGS" -ldflags "$LDFLAGS" \
	-o "$work_dir/bin/" "$PKG_MODULE/cmd/pulumi" >&2) ||
	die "go build failed for the wrapper module in $cli_src (see the go output above)"
log "compiling pulumi-language-nodejs from $SDK_MODULE@$NODEJS_HOST_SDK_VERSION"
(cd -- "$host_src" && go build -trimpath -buildvcs=false -ldflags "$NODEJS_HOST_LDFLAGS" \
	-o "$work_dir/bin/" "$NODEJS_HOST_PKG" >&2) ||
	die "go build failed for the wrapper module in $host_src (see the go output above)"

built_version=$("$work_dir/bin/pulumi" version) || die "the freshly built pulumi does not run"
[[ "$built_version" == "$PULUMI_VERSION" ]] ||
	die "the freshly built pulumi reports version '$built_version', expected $PULUMI_VERSION"
[[ -x "$work_dir/bin/pulumi-language-nodejs" ]] || die "pulumi-language-nodejs was not produced"
printf '%s\n' "$recipe_hash" >"$work_dir/bin/.build-stamp"

# Swap the finished build into place: rename is atomic within the cache directory. The generated wrapper modules
# are kept beside bin/ (in src/) for inspection.
rm -rf -- "$cache_dir/bin.old" "$cache_dir/src.old"
if [[ -e "$bin_dir" ]]; then mv -- "$bin_dir" "$cache_dir/bin.old"; fi
if [[ -e "$cache_dir/src" ]]; then mv -- "$cache_dir/src" "$cache_dir/src.old"; fi
mv -- "$src_dir" "$cache_dir/src"
mv -- "$work_dir/bin" "$bin_dir"
rm -rf -- "$cache_dir/bin.old" "$cache_dir/src.old"
log "built pulumi $PULUMI_VERSION in $bin_dir"
finish
