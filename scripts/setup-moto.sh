#!/usr/bin/env bash
# Installs the ECR emulator (moto in server mode) into the project's git-ignored .venv.
# The venv is rebuilt only when test/requirements.txt or test/constraints.txt change, so later
# runs take a second; pip's download cache lives outside the repository (~/.cache/pip).
# Prints nothing on stdout; fails loudly when Python or PyPI is not usable, because the test
# tiers that need the emulator must not be skipped silently.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
stamp="$venv/.requirements.sha256"
wanted="$(cat "$root/test/requirements.txt" "$root/test/constraints.txt" | sha256sum | cut -d' ' -f1)"

if [[ -x "$venv/bin/moto_server" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
  exit 0
fi

python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
  echo "setup-moto: $python not found; the ECR emulator (moto) needs Python 3.10 or newer" >&2
  exit 1
fi

echo "setup-moto: installing moto[server] into $venv" >&2
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  -r "$root/test/requirements.txt" -c "$root/test/constraints.txt" >&2
"$venv/bin/moto_server" --help >/dev/null
echo "$wanted" > "$stamp"
