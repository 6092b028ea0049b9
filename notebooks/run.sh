#!/usr/bin/env bash
# Executes every notebook in notebooks/ headless and fails when a cell fails or a notebook is committed
# with outputs. Used by CI; works from any directory.
#
#   notebooks/run.sh                 # all notebooks/*.ipynb, in name order
#   notebooks/run.sh notebooks/02-sparsity-sweep.ipynb
#
# Needs Debian's Jupyter (jupyter-nbconvert, python3-ipykernel, python3-matplotlib); installs them with
# apt-get when /usr/bin/python3 cannot import them (network to the Debian mirror only then). Builds the
# Compresso jar with Maven when target/ has none.
#
# Environment:
#   NOTEBOOK_OUT  folder for the executed notebooks (default: a temporary folder, deleted at the end)
#   COMPRESSO_NB_WORK  folder for what the notebooks write (default: a temporary folder, deleted)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"
py=/usr/bin/python3   # Debian's Python: the one its Jupyter packages and kernel spec use (not pyenv's)

need() { "$py" -c 'import nbconvert, nbclient, ipykernel, matplotlib, numpy, PIL' 2>/dev/null; }
if ! [ -x "$py" ] || ! need; then
  echo "run.sh: installing Jupyter from Debian's packages" >&2
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "run.sh: Jupyter is missing and this is not root (no sudo)" >&2; exit 2; }
    sudo=sudo
  fi
  $sudo apt-get update -q || exit 2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q \
    jupyter-nbconvert python3-ipykernel python3-matplotlib || exit 2
  need || { echo "run.sh: Jupyter installed but $py cannot import it" >&2; exit 2; }
fi

jar="$root/target/compresso-0.1.0-SNAPSHOT.jar"
if [ ! -f "$jar" ]; then
  echo "run.sh: building $jar" >&2
  mvn -q -B -DskipTests package || { echo "run.sh: the build failed" >&2; exit 2; }
fi

failed=()
"$py" "$here/check_stripped.py" || failed+=("check_stripped.py")

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
out=${NOTEBOOK_OUT:-$scratch/executed}
mkdir -p "$out"
export COMPRESSO_NB_WORK=${COMPRESSO_NB_WORK:-$scratch/work}
export COMPRESSO_HOME="$root"
export PYDEVD_DISABLE_FILE_VALIDATION=1   # quiets the kernel's debugger warning about frozen modules

if [ $# -gt 0 ]; then notebooks=("$@"); else notebooks=("$here"/*.ipynb); fi
summary=()
for nb in "${notebooks[@]}"; do
  name=$(basename "$nb")
  echo "run.sh: executing $name" >&2
  start=$(date +%s)
  if "$py" -m nbconvert --to notebook --execute --ExecutePreprocessor.timeout=600 \
      --ExecutePreprocessor.kernel_name=python3 --output-dir "$out" "$nb"; then
    status=ok
  else
    status=FAILED
    failed+=("$name")
  fi
  summary+=("$(printf '%-34s %-6s %4d s' "$name" "$status" $(( $(date +%s) - start )))")
done

printf '%s\n' "${summary[@]}"
[ -n "${NOTEBOOK_OUT:-}" ] && echo "executed notebooks: $out"
if [ ${#failed[@]} -gt 0 ]; then
  echo "run.sh: failed: ${failed[*]}" >&2
  exit 1
fi
echo "run.sh: all ${#notebooks[@]} notebook(s) ran"
