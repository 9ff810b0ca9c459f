#!/bin/sh
# Rebuilds every guest test kernel guests/tests/<name>.bin from <name>.asm.
# The .bin files are committed next to their sources so that machines without
# nasm can still run them; this script only needs nasm when a source changes.
# `nasm -f bin` output has no timestamps or paths in it, so the same source
# always gives the same bytes (checked by `--check`).
#
# Usage: scripts/build-guest-tests.sh [--check]
#   --check  assemble into a temporary folder and fail if any committed .bin
#            differs from its source (nothing is written into the tree).
set -eu

dir="$(cd "$(dirname "$0")/../guests/tests" && pwd)"
mode="${1:-build}"
case "$mode" in
  build | --check) ;;
  *)
    echo "usage: $0 [--check]" >&2
    exit 2
    ;;
esac

if ! command -v nasm >/dev/null 2>&1; then
  echo "build-guest-tests: nasm is not installed; the committed .bin files are left as they are"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$dir"
status=0
for src in *.asm; do
  name="${src%.asm}"
  # Sources include "lib/....inc" relative to guests/tests.
  nasm -f bin -w+all -I "$dir/" -o "$tmp/$name.bin" "$src"
  if [ "$mode" = "--check" ]; then
    if cmp -s "$tmp/$name.bin" "$name.bin"; then
      echo "build-guest-tests: $name.bin is up to date"
    else
      echo "build-guest-tests: $name.bin differs from $src (run $0)" >&2
      status=1
    fi
  else
    mv "$tmp/$name.bin" "$name.bin"
    echo "build-guest-tests: built $name.bin ($(wc -c <"$name.bin") bytes)"
  fi
done
exit "$status"
