#!/usr/bin/env bash
# Builds the prebuilt addons committed under dist/native/: linux-x64 natively and linux-arm64 with
# Debian's cross compiler (apt-get install g++-aarch64-linux-gnu). Plain dynamic libstdc++ and no
# new libc calls keep them on an old baseline: GLIBC_2.17 / GLIBCXX_3.4.21 at most.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

build() { # arch cross-prefix
  local arch="$1" prefix="$2" dir="$work/$1"
  mkdir -p "$dir" && cp -r "$root/native/binding.gyp" "$root/native/src" "$dir/"
  ln -s "$root/node_modules" "$dir/node_modules"
  CC="${prefix}gcc" CXX="${prefix}g++" LINK="${prefix}g++" AR="${prefix}ar" \
    npx --prefix "$root" node-gyp rebuild --loglevel=error --arch="$arch" --directory "$dir" >/dev/null
  mkdir -p "$root/dist/native/linux-$arch"
  "${prefix}strip" -o "$root/dist/native/linux-$arch/perfgate.node" "$dir/build/Release/perfgate.node"
  local newest
  newest=$("${prefix}objdump" -T "$root/dist/native/linux-$arch/perfgate.node" | grep -oE 'GLIBC_[0-9.]+' | sort -uV | tail -1)
  echo "dist/native/linux-$arch/perfgate.node (needs $newest)"
}

build x64 ""
if command -v aarch64-linux-gnu-g++ >/dev/null; then
  build arm64 aarch64-linux-gnu-
else
  echo "skipping linux-arm64: install g++-aarch64-linux-gnu" >&2
fi
