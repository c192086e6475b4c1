#!/usr/bin/env bash
# Prefill speed of one text plan with a single prefill chunk of 32 rows (mint's only chunk
# before text.prefill_chunks) against the default chunks (8, 32, 128), GPT-2 Small shapes with
# random weights, int8 weights, for several prompt lengths at 1 and 2 threads. Prints a
# Markdown table: threads, prompt tokens, prefill tokens/s of each plan (median of --runs 5 of
# `mint decode-bench`), and their ratio.
#
#   bash benchmarks/text/prefill_chunks.sh [BUILD_DIR]     (default build/release)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/release}
ckpt=.data/random/gpt2-small
[[ -f $ckpt/config.json ]] || /usr/bin/python3 models/text/make_random_checkpoint.py gpt2-small
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$build/mint" compile "$ckpt" -o "$out/chunk32.mint" --weights int8 --context 1024 --chunk 32 >/dev/null
"$build/mint" compile "$ckpt" -o "$out/default.mint" --weights int8 --context 1024 >/dev/null
prefill() {  # plan threads prompt -> prefill tokens/s
  "$build/mint" decode-bench "$1" --threads "$2" --prompt "$3" --tokens 2 --runs 5 | tail -1 |
    sed -E 's/.*: ([0-9.]+) tokens\/s; decode.*/\1/'
}
echo "| threads | prompt | --chunk 32 tok/s | default chunks tok/s | ratio |"
echo "|---:|---:|---:|---:|---:|"
for t in 1 2; do
  for p in 8 20 32 72 128 200 500; do
    a=$(prefill "$out/chunk32.mint" $t $p)
    b=$(prefill "$out/default.mint" $t $p)
    echo "| $t | $p | $a | $b | $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }') |"
  done
done
