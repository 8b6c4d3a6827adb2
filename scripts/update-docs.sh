#!/usr/bin/env bash
# Copies the ODS-generated references from the build into docs/reference/.
# test/Docs fails while the committed copies differ from what ODS generates.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
ninja -C "$build" moec-docs >/dev/null
for doc in MoEDialect MoENpuDialect MoEPasses MoECodegenPasses; do
  cp "$build/docs/$doc.md" "$root/docs/reference/$doc.md"
  echo "updated docs/reference/$doc.md"
done
