#!/usr/bin/env bash
# The main job on built-in examples:
#  1. a Hugging Face config.json becomes a moe.layer function, which moe-opt
#     verifies and decomposes into router, dispatch, grouped GEMMs, SwiGLU and
#     combine;
#  2. a full-size example layer (OLMoE-1B-7B: 64 experts, H = 2048) is
#     compiled for this CPU through the C++ API, run on generated inputs and
#     compared with the f64 C++ reference: agreement and time per call.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${MOEC_BUILD_DIR:-$root/build}/bin"
example="${1:-$root/examples/deepseek-v3-16e/config.json}"
compiled="${2:-$root/examples/olmoe-1b-7b/config.json}"
layer="$(mktemp --suffix=.mlir)"
trap 'rm -f "$layer"' EXIT

echo "== main job: $example"
echo "-- moe-translate --import-hf-config"
"$bin/moe-translate" --import-hf-config "$example" -o "$layer"
cat "$layer"
echo "-- moe-opt --moe-decompose-layer --canonicalize --cse"
"$bin/moe-opt" "$layer" --moe-decompose-layer --canonicalize --cse

echo "== compile and run: $compiled"
"$bin/moe-check" --config "$compiled" --tokens 16 --repeat 5
