#!/usr/bin/env sh
# Builds the differential tester's 64-bit native runner (native-runner64.c):
# a freestanding x86-64 program, no C library needed.
set -eu
out=${1:-"$(dirname "$0")/../../.cache/difftest/native-runner64"}
mkdir -p "$(dirname "$out")"
exec gcc -nostdlib -static -ffreestanding -fno-pic -no-pie -fno-stack-protector \
  -mgeneral-regs-only -O1 -Wall -Wextra -o "$out" "$(dirname "$0")/native-runner64.c"
