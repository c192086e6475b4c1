#!/usr/bin/env bash
# AArch64 CI: cross-compiles mint with Debian's cross toolchain against arm64 packages unpacked
# into .sysroot/arm64 (cmake/fetch-arm64-sysroot.sh, no multiarch installs), then runs the whole
# test suite under qemu-aarch64 twice:
#   QEMU_CPU=max         every ARM kernel runs (NEON, dotprod, fp16, i8mm)
#   QEMU_CPU=cortex-a53  plain ARMv8.0 NEON: the dotprod kernels must detect that and skip
# Benchmarks are not built here (nothing runs them in CI). Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Build tools from Debian, installed only if missing (a fresh CI machine).
missing=()
command -v cmake >/dev/null || missing+=(cmake)
command -v ninja >/dev/null || missing+=(ninja-build)
command -v aarch64-linux-gnu-g++ >/dev/null || missing+=(g++-aarch64-linux-gnu)
command -v qemu-aarch64 >/dev/null || missing+=(qemu-user)
command -v flatc >/dev/null || missing+=(flatbuffers-compiler)
[[ -f /usr/include/flatbuffers/flatbuffers.h ]] || missing+=(libflatbuffers-dev)
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "aarch64 CI: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake/fetch-arm64-sysroot.sh
cmake --preset aarch64 -DMINT_BUILD_BENCHMARKS=OFF
cmake --build --preset aarch64

status=0
echo "aarch64 CI: tests with QEMU_CPU=max"
ctest --preset aarch64 || status=1
echo "aarch64 CI: tests with QEMU_CPU=cortex-a53"
ctest --preset aarch64-a53 || status=1
if [[ $status -ne 0 ]]; then
  echo "aarch64 CI: FAILED" >&2
fi
exit $status
