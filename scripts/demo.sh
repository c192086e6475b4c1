#!/usr/bin/env bash
# Set-up command 1: install the Debian packages, build the release preset, run the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release
cmake --build --preset release --target mint_tool
./build/release/mint demo -o build/release/demo.mint
