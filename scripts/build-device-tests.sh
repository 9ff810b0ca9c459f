#!/bin/sh
# Rebuilds every device test kernel guests/devices/<name>.bin from
# <name>.asm. The sources include the CPU kernels' library (guests/tests/lib)
# and their own (guests/devices/devlib). As for the CPU kernels, the .bin
# files are committed so that machines without nasm can run them, and
# `nasm -f bin` output has no timestamps, so `--check` can compare them.
#
# Usage: scripts/build-device-tests.sh [--check]
#   --check  assemble into a temporary folder and fail if any committed .bin
#            differs from its source (nothing is written into the tree).
set -eu

root="$(cd "$(dirname "$0")/../guests" && pwd)"
dir="$root/devices"
mode="${1:-build}"
case "$mode" in
  build | --check) ;;
  *)
    echo "usage: $0 [--check]" >&2
    exit 2
    ;;
esac

if ! command -v nasm >/dev/null 2>&1; then
  echo "build-device-tests: nasm is not installed; the committed .bin files are left as they are"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$dir"
status=0
for src in *.asm; do
  name="${src%.asm}"
  # "lib/..." resolves in guests/tests, "devlib/..." in guests/devices.
  nasm -f bin -w+all -I "$root/tests/" -I "$dir/" -o "$tmp/$name.bin" "$src"
  if [ "$mode" = "--check" ]; then
    if cmp -s "$tmp/$name.bin" "$name.bin"; then
      echo "build-device-tests: $name.bin is up to date"
    else
      echo "build-device-tests: $name.bin differs from $src (run $0)" >&2
      status=1
    fi
  else
    mv "$tmp/$name.bin" "$name.bin"
    echo "build-device-tests: built $name.bin ($(wc -c <"$name.bin") bytes)"
  fi
done
exit "$status"
