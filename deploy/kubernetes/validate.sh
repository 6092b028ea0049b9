#!/usr/bin/env bash
# Validates the Kubernetes manifests here (or the YAML files given) against the Kubernetes OpenAPI schemas,
# offline, with the npm package kubernetes-models (validate.mjs says what it checks). Needs node and npm;
# installs the pinned packages into a temporary folder and removes it. Exit 0 when every document is valid.
#
#   deploy/kubernetes/validate.sh [FILE.yaml...]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ $# -eq 0 ]; then set -- "$here"/*.yaml; fi
files=()
for f in "$@"; do files+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"); done
command -v npm >/dev/null 2>&1 || { echo "validate.sh: needs node and npm (Debian: apt-get install nodejs npm)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$here/validate.mjs" "$tmp/"
(cd "$tmp" && timeout 300 npm install --no-audit --no-fund --silent --no-save kubernetes-models@5.1.0 yaml@2.9.1 \
  >/dev/null 2>&1) || { echo "validate.sh: npm install kubernetes-models@5.1.0 yaml@2.9.1 failed" >&2; exit 2; }
node "$tmp/validate.mjs" "${files[@]}"
