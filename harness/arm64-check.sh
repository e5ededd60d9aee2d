#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Compile the kernel directories that hold the project's code for arm64, and
# write their verdicts (TAP) to stdout.  Build output goes to build/arm64-build.log.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
src=$top/build/linux obj=$top/build/obj/arm64 log=$top/build/arm64-build.log
dirs=(arch/arm64/kvm/ drivers/iommu/iommufd/ drivers/iommu/arm/arm-smmu-v3/)
kmake=(make -C "$src" O="$obj" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
       CC="ccache aarch64-linux-gnu-gcc" HOSTCC="ccache gcc")
fragment=$top/harness/configs/arm64-compile.config

: > "$log"
n=0
verdict() { n=$((n + 1)); echo "$1 $n - arm64 $2"; }
{
	mkdir -p "$obj"
	if [ ! -f "$obj/.config" ] || [ "$fragment" -nt "$obj/.config" ]; then
		"${kmake[@]}" -s tinyconfig &&
		"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$fragment" >/dev/null &&
		"${kmake[@]}" -s olddefconfig &&
		"$top/harness/check-config.sh" "$obj/.config" "$fragment"
	fi && "${kmake[@]}" -j"$(nproc)" prepare
} >> "$log" 2>&1
prepared=$?
echo "TAP version 13"
echo "1..$((${#dirs[@]} + 1))"
for d in "${dirs[@]}"; do
	if [ $prepared -eq 0 ] && "${kmake[@]}" -j"$(nproc)" "$d" >> "$log" 2>&1; then
		verdict ok "compiles $d"
	else
		verdict "not ok" "compiles $d"
		echo "# see $log"
	fi
done
if warnings=$("$top/harness/project-warnings.sh" "$src" "$log"); then
	verdict ok "no compiler warnings in project files"
else
	verdict "not ok" "no compiler warnings in project files"
	echo "$warnings" | sed 's/^/# /'
fi
