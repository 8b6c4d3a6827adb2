#!/usr/bin/env bash
# The main job on a built-in example: a Hugging Face config.json becomes a
# moe.layer function, which moe-opt verifies and decomposes into router,
# dispatch, grouped GEMMs, SwiGLU and combine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${MOEC_BUILD_DIR:-$root/build}/bin"
example="${1:-$root/examples/deepseek-v3-16e/config.json}"
layer="$(mktemp --suffix=.mlir)"
trap 'rm -f "$layer"' EXIT

echo "== main job: $example"
echo "-- moe-translate --import-hf-config"
"$bin/moe-translate" --import-hf-config "$example" -o "$layer"
cat "$layer"
echo "-- moe-opt --moe-decompose-layer --canonicalize --cse"
"$bin/moe-opt" "$layer" --moe-decompose-layer --canonicalize --cse
