#!/usr/bin/env bash
# Compiles every src/main/cpp/<name>.cpp into <out>/lib<name>.so (run by Maven in generate-resources).
# Extra g++ flags for one file go on a line of that file starting with "// g++-flags:".
# Native code is loaded at run time from the classpath (see dev.compresso.tflite.NativeLibraries).
set -euo pipefail
src_dir=$(cd "$(dirname "$0")" && pwd)
out_dir=$1
if ! command -v g++ >/dev/null 2>&1; then
  echo "ERROR: g++ not found. Compresso's native bridge is compiled with g++: install it (Debian: apt-get install g++)." >&2
  exit 1
fi
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
mkdir -p "$out_dir"
shopt -s nullglob
for src in "$src_dir"/*.cpp; do
  name=$(basename "$src" .cpp)
  lib="$out_dir/lib$name.so"
  if [ -f "$lib" ] && [ "$lib" -nt "$src" ] && [ "$lib" -nt "$0" ]; then
    continue
  fi
  extra=$(sed -n 's|^// g++-flags:||p' "$src" | tr '\n' ' ')
  echo "g++: $src -> $lib"
  # shellcheck disable=SC2086
  g++ -std=c++17 -O2 -fPIC -shared -Wall -Wno-unused-function \
    -I"$java_home/include" -I"$java_home/include/linux" -I"$src_dir" \
    -o "$lib.tmp" "$src" $extra
  mv "$lib.tmp" "$lib"
done
