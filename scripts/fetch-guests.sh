#!/usr/bin/env bash
# Fetches Debian's kernels and busybox into .cache/guests/ with apt-get
# download + dpkg-deb -x (no root needed except for the one-time
# `dpkg --add-architecture i386` + `apt-get update`, done when missing).
#   .cache/guests/i386/vmlinuz     linux-image-686 (32-bit)
#   .cache/guests/i386/busybox     busybox-static:i386
#   .cache/guests/amd64/vmlinuz    linux-image-amd64
#   .cache/guests/amd64/busybox    busybox-static:amd64
# Usage: scripts/fetch-guests.sh [i386|amd64 ...]   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
cache=.cache/guests
arches=("$@")
[ ${#arches[@]} -eq 0 ] && arches=(i386 amd64)

need_update=0
if ! dpkg --print-foreign-architectures | grep -qx i386; then
  dpkg --add-architecture i386
  need_update=1
fi
if [ "$need_update" = 1 ] || ! apt-cache show linux-image-686:i386 >/dev/null 2>&1; then
  apt-get update -qq || echo "fetch-guests: apt-get update reported errors; trying with the lists it has" >&2
fi

fetch() { # arch kernel-metapackage
  local arch=$1 meta=$2 dir=$cache/$1
  if [ -s "$dir/vmlinuz" ] && [ -s "$dir/busybox" ]; then
    echo "fetch-guests: $arch already present in $dir"
    return
  fi
  mkdir -p "$dir/work"
  # The metapackage depends on the versioned image package; resolve it.
  local image
  image=$(apt-cache depends "$meta:$arch" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
  [ -n "$image" ] || { echo "fetch-guests: cannot resolve $meta:$arch" >&2; exit 1; }
  (cd "$dir/work" && apt-get download -qq "${image%%:*}:$arch" "busybox-static:$arch")
  for deb in "$dir"/work/*.deb; do dpkg-deb -x "$deb" "$dir/work/root"; done
  cp "$(ls "$dir"/work/root/boot/vmlinuz-* | head -n1)" "$dir/vmlinuz"
  cp "$dir/work/root/bin/busybox" "$dir/busybox" 2>/dev/null || cp "$dir/work/root/usr/bin/busybox" "$dir/busybox"
  # Modules stay available for initramfs builds that load drivers.
  rm -rf "$dir/modules" && mv "$dir/work/root/lib/modules" "$dir/modules" 2>/dev/null || mv "$dir/work/root/usr/lib/modules" "$dir/modules" 2>/dev/null || true
  basename "$(ls "$dir"/work/*.deb | grep linux-image)" > "$dir/kernel-package"
  rm -rf "$dir/work"
  echo "fetch-guests: $arch → $dir ($(cat "$dir/kernel-package"))"
}

for arch in "${arches[@]}"; do
  case $arch in
    i386) fetch i386 linux-image-686 ;;
    amd64) fetch amd64 linux-image-amd64 ;;
    *) echo "fetch-guests: unknown architecture '$arch' (i386 or amd64)" >&2; exit 2 ;;
  esac
done
