#!/usr/bin/env bash
# Regenerates every examples/<model>/layer.mlir from the config.json beside it
# with moe-translate. test/Examples checks that the committed files match.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
translate="${MOE_TRANSLATE:-$root/build/bin/moe-translate}"
for config in "$root"/examples/*/config.json; do
  dir="$(dirname "$config")"
  (cd "$dir" && "$translate" --import-hf-config config.json -o layer.mlir)
  echo "wrote ${dir#$root/}/layer.mlir"
done
