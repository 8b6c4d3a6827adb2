#!/usr/bin/env bash
# moec on a fresh Debian 12 machine: installs every package the project needs
# (idempotent), configures and builds with CMake + Ninja, then runs the main
# job on a built-in example.
#
#   scripts/setup.sh                    # all of it
#   scripts/setup.sh --skip-main-job    # packages + build only (CI)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${MOEC_BUILD_DIR:-$root/build}"
run_main_job=1
for arg in "$@"; do
  case "$arg" in
    --skip-main-job) run_main_job=0 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

packages=(
  cmake ninja-build python3
  clang-22 lld-22 llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  libgtest-dev libomp-22-dev libopenblas-dev gnuplot-nox pkgconf
)

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup.sh: need root or sudo to install packages" >&2; exit 1; }
  as_root=(sudo)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
echo "== packages"
if "${as_root[@]}" apt-get update -qq; then
  :
elif [ ${#missing[@]} -gt 0 ]; then
  echo "setup.sh: apt-get update failed and packages are missing: ${missing[*]}" >&2
  exit 1
else
  echo "apt-get update failed; every package is already installed, going on"
fi
if [ ${#missing[@]} -gt 0 ]; then
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "all ${#packages[@]} packages already installed"
fi

echo "== build ($build)"
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja
fi
ninja -C "$build"

if [ "$run_main_job" -eq 1 ]; then
  "$root/scripts/main-job.sh"
fi
