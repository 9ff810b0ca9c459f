#!/usr/bin/env sh
# Builds the differential tester's native runner: a freestanding i386 program,
# so any x86-64 gcc can build it without a 32-bit C library.
set -eu
out=${1:-"$(dirname "$0")/../../.cache/difftest/native-runner"}
mkdir -p "$(dirname "$out")"
exec gcc -m32 -nostdlib -static -ffreestanding -fno-pic -no-pie -fno-stack-protector \
  -O1 -Wall -Wextra -o "$out" "$(dirname "$0")/native-runner.c"
