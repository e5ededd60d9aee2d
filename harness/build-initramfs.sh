#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The test initramfs: static busybox, the guest-side runner (/init), the
# suite list and the statically linked selftests.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
selftests=$1 cpio=$2
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,etc,tests}
cp /bin/busybox "$stage/bin/busybox"
install -m 0755 "$top/harness/guest-init" "$stage/init"
while read -r name timeout modes program args; do
	case "$name" in ''|'#'*) continue ;; esac
	mkdir -p "$stage/tests/$(dirname "$program")"
	cp "$selftests/$program" "$stage/tests/$program"
	echo "$name $timeout $modes /tests/$program $args" >> "$stage/etc/suites"
done < "$top/harness/suites"

(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet -R 0:0) > "$cpio.tmp"
mv "$cpio.tmp" "$cpio"
echo "build-initramfs: $cpio ($(du -h "$cpio" | cut -f1))"
