#!/bin/sh
# Rebuilds the built-in demo guest guests/demo/demo.bin from demo.asm and its
# .inc files. The .bin is committed so that `npm start` needs no assembler;
# this script only needs nasm when a source changes. `nasm -f bin` output has
# no timestamps or paths in it, so the same sources always give the same bytes.
#
# Usage: scripts/build-demo-guest.sh [--check]
#   --check  assemble into a temporary folder and fail if the committed
#            demo.bin differs from its sources (nothing is written).
set -eu

dir="$(cd "$(dirname "$0")/../guests/demo" && pwd)"
mode="${1:-build}"
case "$mode" in
  build | --check) ;;
  *)
    echo "usage: $0 [--check]" >&2
    exit 2
    ;;
esac

if ! command -v nasm >/dev/null 2>&1; then
  echo "build-demo-guest: nasm is not installed; the committed demo.bin is left as it is"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$dir"
# -I makes the %include lines relative to guests/demo wherever we run from.
nasm -f bin -w+all -w+error -I "$dir/" -o "$tmp/demo.bin" demo.asm
if [ "$mode" = "--check" ]; then
  if cmp -s "$tmp/demo.bin" demo.bin; then
    echo "build-demo-guest: demo.bin is up to date"
  else
    echo "build-demo-guest: demo.bin differs from demo.asm (run $0)" >&2
    exit 1
  fi
else
  mv "$tmp/demo.bin" demo.bin
  echo "build-demo-guest: built demo.bin ($(wc -c <demo.bin) bytes)"
fi
