#!/usr/bin/env bash
# Set-up command 1: install the Debian packages, build the release preset, run the demo:
#  1. `mint demo`: a small model built in code, compiled with f32, f16 and int8 weights, run;
#  2. the trained DCGAN (models/image/trained/dcgan) compiled to static int8, calibrated on its
#     committed latents; `mint bench` prints its latency and plan size, `mint eval gan` writes
#     a PNG grid of generated samples (and FID-FMNIST on a few samples, with the classifier
#     compiled by mint; see docs/results/images.md for the full evaluation);
#  3. the distilled GPT-2 student compiled to int4 (group 32), generating a paragraph from a
#     prompt; `mint generate` prints time to first token, tokens/s, plan size and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release
cmake --build --preset release --target mint_tool
mint=./build/release/mint
out=build/release/demo
mkdir -p "$out"
$mint demo -o "$out/demo.mint"

trained=models/image/trained
echo
echo "== trained DCGAN -> static int8 plan"
$mint compile "$trained/dcgan/generator.onnx" -o "$out/dcgan_int8.mint" \
    --weights int8 --calibration "$trained/dcgan/latents.bin"
$mint compile "$trained/classifier/classifier.onnx" -o "$out/classifier.mint"
$mint bench "$out/dcgan_int8.mint" --threads 1,2 --runs 100 --warmup 10
$mint eval gan "$out/dcgan_int8.mint" --classifier "$out/classifier.mint" \
    --samples 256 --real 1000 --grid "$out/dcgan_int8_samples.png"
echo "samples: $out/dcgan_int8_samples.png"

echo
echo "== distilled GPT-2 student (models/text/trained/gpt2-student) -> int4 plan, generation"
# Layers whose input width is not a multiple of the group size (the student is 48 wide) keep
# int8 weights; `mint inspect` lists each weight's precision.
$mint compile models/text/trained/gpt2-student -o "$out/student_int4.mint" --weights int4 \
    --group-size 32 --context 256
$mint generate "$out/student_int4.mint" -p "The State of the Union is" -n 96 \
    --temperature 0.8 --top-k 40 --seed 1 --threads 2
