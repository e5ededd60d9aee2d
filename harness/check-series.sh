#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Check every commit of the series on its own, as a maintainer applying it
# one patch at a time would:
#   check-series.sh SRC OBJ CONFIG
# Each commit of pristine..vqueue in SRC is checked out in turn and the
# directories holding the project's code are built in OBJ, incrementally from
# the previous commit, with CONFIG (the test kernel's .config) adapted to that
# commit's Kconfig.  checkpatch --strict runs on every commit through
# export-patches.sh --verify, which also applies the exported mails with git
# am.  SRC is left on the tip of the series.  Verdicts are printed as TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
src=$(realpath "$1") obj=$(realpath -m "$2") config=$(realpath "$3")
logs=$top/build/series-logs
dirs=(arch/x86/kvm/ drivers/iommu/)
kmake=(make -C "$src" O="$obj" ARCH=x86_64 CC="ccache gcc" HOSTCC="ccache gcc")

g() { git -C "$src" "$@"; }
if [ -n "$(g status --porcelain --untracked-files=no)" ]; then
	echo "check-series: $src has uncommitted changes; commit or drop them first" >&2
	exit 2
fi
restore() { g checkout -q -f vqueue; }
trap restore EXIT

mapfile -t commits < <(g rev-list --reverse pristine..vqueue)
rm -rf "$logs"
mkdir -p "$obj" "$logs"
echo "TAP version 13"
echo "1..$((${#commits[@]} + 1))"
n=0 failed=0 start=$SECONDS
for c in "${commits[@]}"; do
	n=$((n + 1))
	subject=$(g log -1 --format=%s "$c")
	log=$logs/$(printf '%02d' $n).log
	warnings=
	t=$SECONDS
	g checkout -q -f "$c"
	cp "$config" "$obj/.config"
	if "${kmake[@]}" -s olddefconfig > "$log" 2>&1 &&
	   "${kmake[@]}" -j"$(nproc)" "${dirs[@]}" >> "$log" 2>&1 &&
	   warnings=$("$top/harness/project-warnings.sh" "$src" "$log"); then
		echo "ok $n - $(printf '%02d' $n) builds: $subject"
	else
		failed=1
		echo "not ok $n - $(printf '%02d' $n) builds: $subject"
		{ echo "${warnings:-}"; grep -E '(error|warning):|\*\*\*' "$log" | head -20; } |
			grep . | sed 's/^/# /'
		echo "# log: $log"
	fi
	echo "check-series: $(printf '%02d' $n)/${#commits[@]} built in $((SECONDS - t))s" >&2
done
restore
n=$((n + 1))
if "$top/harness/export-patches.sh" "$src" "$top/build/patches" --verify > "$logs/export.tap" &&
   ! grep -q '^not ok' "$logs/export.tap" && grep -q '^ok' "$logs/export.tap"; then
	echo "ok $n - the exported series applies with git am and each patch passes checkpatch --strict"
else
	failed=1
	echo "not ok $n - the exported series applies with git am and each patch passes checkpatch --strict"
	grep -A8 '^not ok' "$logs/export.tap" | sed 's/^/# /'
fi
echo "check-series: ${#commits[@]} commits in $((SECONDS - start))s" >&2
exit $failed
