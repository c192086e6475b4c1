#!/usr/bin/env bash
# Builds the arm64 dependency sysroot for cross builds (cmake/aarch64-linux-gnu.cmake) without
# multiarch co-installation: Debian's arm64 packages of XNNPACK, pthreadpool and cpuinfo cannot
# be installed beside the amd64 ones, so their .debs are only downloaded (`apt-get download`,
# into a cache) and unpacked (`dpkg -x`) into a plain folder that CMake is pointed at with
# -DMINT_DEPS_ROOT=<sysroot>. Nothing is installed into the system; the amd64 packages stay.
#
#   cmake/fetch-arm64-sysroot.sh [--force] [SYSROOT]
#
#   SYSROOT  where to unpack (default: <repo>/.sysroot/arm64, git-ignored)
#   --force  download and unpack again even if SYSROOT is up to date
#   MINT_ARM64_DEB_CACHE  where the .debs are kept (default: SYSROOT's parent/debs-arm64)
#
# Idempotent and fast when already done: a stamp file in SYSROOT records the package list, and a
# matching stamp means there is nothing to do (no apt call at all). The C library, libstdc++
# and libgcc come from the cross toolchain (g++-aarch64-linux-gnu, /usr/aarch64-linux-gnu);
# FlatBuffers headers and flatc come from the host. If arm64 is not yet a dpkg architecture,
# the script adds it and runs `apt-get update` (needs root).
set -euo pipefail

# Everything the cross build links or includes: runtime libraries and their -dev packages.
PACKAGES=(
  libxnnpack0 libxnnpack-dev
  libpthreadpool0 libpthreadpool-dev
  libcpuinfo0 libcpuinfo-dev
  libgtest-dev
  libbenchmark1debian libbenchmark-dev
)
STAMP_VERSION=1

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
force=0
sysroot=""
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}"; exit 0 ;;
    -*) echo "fetch-arm64-sysroot: unknown option $arg" >&2; exit 2 ;;
    *) sysroot="$arg" ;;
  esac
done
sysroot="${sysroot:-$repo_root/.sysroot/arm64}"
mkdir -p "$(dirname "$sysroot")"
sysroot="$(cd "$(dirname "$sysroot")" && pwd)/$(basename "$sysroot")"
cache="${MINT_ARM64_DEB_CACHE:-$(dirname "$sysroot")/debs-arm64}"
stamp="$sysroot/.mint-sysroot-stamp"
want_stamp="v$STAMP_VERSION ${PACKAGES[*]}"

if [[ $force -eq 0 && -f "$stamp" && "$(cat "$stamp")" == "$want_stamp" ]]; then
  echo "fetch-arm64-sysroot: $sysroot is up to date"
  exit 0
fi

log() { echo "fetch-arm64-sysroot: $*"; }
as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else
    command -v sudo >/dev/null || { log "need root for: $*" >&2; exit 1; }
    sudo "$@"
  fi
}

if ! dpkg --print-foreign-architectures | grep -qx arm64 &&
   [[ "$(dpkg --print-architecture)" != arm64 ]]; then
  log "adding the arm64 dpkg architecture"
  as_root dpkg --add-architecture arm64
  as_root apt-get update -qq
fi

# apt drops privileges to _apt for downloads; when that user cannot write the cache (root-owned
# folders), run the download as root instead of printing a warning per package.
apt_opts=(-q)
[[ $(id -u) -eq 0 ]] && apt_opts+=(-o APT::Sandbox::User=root)

mkdir -p "$cache"
download() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    compgen -G "$cache/${p}_*_arm64.deb" >/dev/null || missing+=("$p:arm64")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "downloading ${missing[*]}"
  (cd "$cache" && apt-get download "${apt_opts[@]}" "${missing[@]}")
}
if ! download; then
  log "download failed; refreshing the package lists and retrying"
  as_root apt-get update -qq
  download
fi

# Unpack into a fresh folder and swap it in, so an interrupted run never leaves a half sysroot
# with a valid stamp.
tmp="$sysroot.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
for p in "${PACKAGES[@]}"; do
  # Newest cached version of each package (a cache may hold older ones after an apt update).
  deb="$(ls -1 "$cache/${p}"_*_arm64.deb | sort -V | tail -n 1)"
  dpkg -x "$deb" "$tmp"
done
# Dangling absolute symlinks (e.g. to /usr/share/doc) are harmless; drop the docs altogether.
rm -rf "$tmp/usr/share/doc" "$tmp/usr/share/lintian" "$tmp/usr/share/man"
echo "$want_stamp" >"$tmp/.mint-sysroot-stamp"
rm -rf "$sysroot"
mv "$tmp" "$sysroot"
trap - EXIT
log "unpacked ${#PACKAGES[@]} packages into $sysroot"
