#!/usr/bin/env bash
# Builds moec if needed and runs every test: the lit/FileCheck suites and
# each GoogleTest case (through lit's GoogleTest format). Ends with the line
# "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${MOEC_BUILD_DIR:-$root/build}"
lit=/usr/lib/llvm-22/bin/lit
[ -x "$lit" ] || { echo "test.sh: $lit not found; run scripts/setup.sh first" >&2; exit 1; }

if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja || exit 1
fi
ninja -C "$build" || exit 1

results="$build/test-results.json"
rm -f "$results"
"$lit" -sv "$build/test" -o "$results"
status=$?
[ -f "$results" ] || { echo "0 passed, 1 failed"; exit 1; }
python3 - "$results" <<'PY'
import json, sys
tests = json.load(open(sys.argv[1]))["tests"]
passed = sum(t["code"] in ("PASS", "XFAIL") for t in tests)
skipped = sum(t["code"] in ("UNSUPPORTED", "SKIPPED", "EXCLUDED") for t in tests)
failed = len(tests) - passed - skipped
line = f"{passed} passed, {failed} failed"
print(line + (f", {skipped} skipped" if skipped else ""))
PY
exit $status
