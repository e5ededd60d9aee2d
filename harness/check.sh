#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: every test the project has, in one run.  Each stage leaves its
# verdicts in build/test-results/verdicts/; the last line sums them up as
# "N passed, N failed, N skipped".  Stages after a failed one still run when
# they do not depend on it, so one run reports everything it can.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build results=$top/build/test-results
rm -rf "$results"
mkdir -p "$results/verdicts" "$results/logs"
cd "$top"

# stage NAME DESCRIPTION COMMAND...: run a build step; its success is a test.
stage() {
	local name=$1 what=$2 start=$SECONDS rc
	shift 2
	printf '== %-28s ' "$name"
	"$@" > "$results/logs/$name.log" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		printf 'ok     (%ds)\n' $((SECONDS - start))
		printf 'TAP version 13\n1..1\nok 1 - %s\n' "$what" > "$results/verdicts/$name.tap"
	else
		printf 'FAILED (%ds), log: %s\n' $((SECONDS - start)) "$results/logs/$name.log"
		tail -n 25 "$results/logs/$name.log" | sed 's/^/   | /'
		printf 'TAP version 13\n1..1\nnot ok 1 - %s\n' "$what" > "$results/verdicts/$name.tap"
	fi
	return $rc
}

# tap_stage NAME COMMAND...: a step that prints its own verdicts as TAP.
tap_stage() {
	local name=$1 start=$SECONDS
	shift
	printf '== %-28s ' "$name"
	"$@" > "$results/verdicts/$name.tap" 2> "$results/logs/$name.log"
	if grep -q '^not ok' "$results/verdicts/$name.tap"; then
		printf 'FAILED (%ds)\n' $((SECONDS - start))
		grep -A8 '^not ok' "$results/verdicts/$name.tap" | head -40 | sed 's/^/   | /'
	else
		printf 'ok     (%ds)\n' $((SECONDS - start))
	fi
}

finish() {
	echo
	python3 "$top/harness/results.py" summary "$results/verdicts"
	exit $?
}

started=$SECONDS
stage deps "build dependencies installed" make -s deps || finish
stage tree "kernel tree assembled from the series" make -s tree || finish
stage unit "userspace unit tests pass" make -s unit
if stage kernel "x86_64 test kernel builds" make kernel; then
	tap_stage kernel-warnings bash -c '
		if w=$(harness/project-warnings.sh build/linux build/kernel-build.log); then
			printf "TAP version 13\n1..1\nok 1 - no compiler warnings in project files (x86_64)\n"
		else
			printf "TAP version 13\n1..1\nnot ok 1 - no compiler warnings in project files (x86_64)\n"
			echo "$w" | sed "s/^/# /"
		fi'
	if stage selftests "selftests and initramfs build" make initramfs; then
		printf '== %-28s ' qemu
		qemu_start=$SECONDS
		harness/run-qemu.sh --mode check --kernel build/obj/x86_64/arch/x86/boot/bzImage \
			--initramfs build/initramfs.cpio --out "$results" > "$results/logs/qemu.log" 2>&1
		if grep -q '^not ok' "$results/verdicts/qemu.tap" 2>/dev/null; then
			printf 'FAILED (%ds), log: %s\n' $((SECONDS - qemu_start)) "$results/logs/qemu.log"
			grep '^FAIL' "$results/logs/qemu.log" | head -40 | sed 's/^/   | /'
		elif [ -f "$results/verdicts/qemu.tap" ]; then
			printf 'ok     (%ds)\n' $((SECONDS - qemu_start))
		else
			printf 'FAILED: no verdicts, log: %s\n' "$results/logs/qemu.log"
			printf 'TAP version 13\n1..1\nnot ok 1 - QEMU run produced verdicts\n' \
				> "$results/verdicts/qemu.tap"
		fi
	fi
fi
tap_stage arm64 harness/arm64-check.sh
tap_stage patches harness/export-patches.sh build/linux build/patches --verify
echo "== total                        $((SECONDS - started))s"
finish
