#!/usr/bin/env bash
# Installs the Debian bookworm packages mint builds and tests with. Idempotent: packages
# already present are skipped by apt. Runs apt through sudo when not root.
set -euo pipefail
packages=(
  cmake ninja-build g++ pkg-config python3
  libxnnpack-dev libpthreadpool-dev libcpuinfo-dev
  libflatbuffers-dev flatbuffers-compiler
  libgtest-dev libbenchmark-dev
  libonnx-testdata
  # training, export and reference scripts (run with /usr/bin/python3), the data they use
  python3-torch python3-numpy python3-onnx python3-sentencepiece python3-scipy
  python3-matplotlib dataset-fashion-mnist
  libopenblas0-pthread   # Debian torch and numpy otherwise run on the reference BLAS
)
if [[ "${1:-}" == "--cross" ]]; then
  packages+=(g++-aarch64-linux-gnu qemu-user)
fi
# node and npm fetch and run the npm packages the tests compare with (gpt-3-encoder); use
# the machine's own node if it has one, else Debian's.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
