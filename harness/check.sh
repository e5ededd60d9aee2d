#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: every test the project has, in one run.  Each stage leaves its
# verdicts in build/test-results/verdicts/ (cases/: test cases, checks/:
# everything else that must pass); the summary checks the cases against
# harness/manifest and ends in "N passed, N failed, N skipped", counting test
# cases only.  Stages after a failed one still run when they do not depend on
# it, so one run reports everything it can.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
results=$top/build/test-results
rm -rf "$results"
mkdir -p "$results/verdicts" "$results/logs"
cd "$top"

# stage NAME WHAT [--tap | --results PREFIX] COMMAND...
#   Run one stage, its output in logs/NAME.log, and record its checks
#   (verdicts/checks/NAME.tap).  Plain: it passes when it exits 0.  --tap: it
#   prints TAP verdicts, and passes when they do and it exits 0.  --results:
#   it writes verdict files named PREFIX* itself, and a non-zero exit must be
#   explained by a failure in them.  Returns non-zero when the stage failed.
stage() {
	local name=$1 what=$2 start=$SECONDS rc judge=()
	shift 2
	case "$1" in
	--tap) judge=(--tap "$results/logs/$name.tap"); shift ;;
	--results) judge=(--results "$2"); shift 2 ;;
	esac
	printf '== %-28s ' "$name"
	if [ "${judge[0]:-}" = --tap ]; then
		"$@" > "$results/logs/$name.tap" 2> "$results/logs/$name.log"
	else
		"$@" > "$results/logs/$name.log" 2>&1
	fi
	rc=$?
	python3 harness/results.py stage "$name" "$what" "$rc" "$results" "${judge[@]}" \
		--seconds $((SECONDS - start)) --log "$results/logs/$name.log"
}

finish() {
	echo "== total                        $((SECONDS - started))s"
	echo
	python3 harness/results.py summary "$results"
	exit $?
}

started=$SECONDS
stage deps "build dependencies installed" make -s deps || finish
stage tree "kernel tree assembled from the series" make -s tree || finish
stage unit "userspace unit tests ran" --results unit- make -s unit
if stage kernel "x86_64 test kernel builds" make kernel; then
	stage kernel-warnings "no compiler warnings in project files (x86_64)" \
		harness/project-warnings.sh build/linux build/kernel-build.log
	if stage selftests "selftests and initramfs build" make initramfs; then
		stage run-tests "QEMU run of the KUnit suites and kselftests" \
			--results qemu make -s run-tests RUN_TESTS_DEPS=
		stage intel-iommu "QEMU boot with emulated VT-d: the Intel driver probes it" \
			--tap harness/intel-iommu-boot.sh
	fi
fi
stage arm64 "arm64 compile check" --tap harness/arm64-check.sh
stage patches "series export" --tap harness/export-patches.sh build/linux build/patches --verify
finish
