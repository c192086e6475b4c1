#!/usr/bin/env bash
# Latency and plan size of the image models (DCGAN generator, beta-VAE decoder): f32, static
# int8 (calibrated on the committed latents), 50 % channel-pruned f32 and pruned int8, at 1 and
# 2 threads, with `mint run` (median of REPEAT runs after one warm-up; random inputs). Plans go
# to .data/ (git-ignored). docs/benchmarks.md lists the figures of a run.
#
#   scripts/bench_image_models.sh [MINT] [REPEAT]     (defaults: build/release/mint, 1000)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mint="${1:-build/release/mint}"
repeat="${2:-1000}"
trained=models/image/trained
mkdir -p .data
declare -A onnx=([dcgan]=$trained/dcgan/generator.onnx [vae_decoder]=$trained/vae/decoder.onnx)
declare -A latents=([dcgan]=$trained/dcgan/latents.bin [vae_decoder]=$trained/vae/latents.bin)
printf '%-12s %-14s %10s %11s %11s\n' model plan bytes "1 thread ms" "2 threads ms"
for model in dcgan vae_decoder; do
  for variant in f32 int8 pruned50_f32 pruned50_int8; do
    plan=.data/${model}_${variant}.mint
    args=()
    [[ $variant == *int8 ]] && args+=(--weights int8 --calibration "${latents[$model]}")
    [[ $variant == pruned50* ]] && args+=(--prune-channels 0.5)
    "$mint" compile "${onnx[$model]}" -o "$plan" "${args[@]}" >/dev/null
    t1=$("$mint" run "$plan" --threads 1 --repeat "$repeat" | sed -n 's/.*latency median \([0-9.]*\) ms.*/\1/p')
    t2=$("$mint" run "$plan" --threads 2 --repeat "$repeat" | sed -n 's/.*latency median \([0-9.]*\) ms.*/\1/p')
    printf '%-12s %-14s %10s %11s %11s\n' "$model" "$variant" "$(stat -c %s "$plan")" "$t1" "$t2"
  done
done
