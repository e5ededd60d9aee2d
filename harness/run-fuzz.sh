#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The vqueue format fuzzer (tools/iommu/vqueue_fuzz.c), built from the
# assembled tree SRC with clang's libFuzzer, ASan and UBSan.
#
#   run-fuzz.sh check SRC   one bounded, deterministic run per format over
#                           its seed corpus: TAP on stdout (the unit stage)
#   run-fuzz.sh long SRC    FUZZ_SECONDS (default 1800) of fuzzing both
#                           formats in one process, then the execution count
#                           and the line coverage of the format files
#
# Binaries and seeds go to build/tools/fuzz/; the long run keeps its corpus
# in build/fuzz/corpus (it grows from run to run), crash inputs in
# build/fuzz/artifacts, its log in build/fuzz/fuzz.log and the coverage
# report in build/fuzz/coverage.txt.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-} src=${2:-}
tools=$top/build/tools
bin=$tools/fuzz
state=$top/build/fuzz

# Fixed, so that the case names in harness/manifest stay what they are
CHECK_RUNS=300000
FORMATS="smmuv3 vtd"

usage() {
	echo "usage: $0 check|long SRC" >&2
	exit 2
}

[ -n "$src" ] && [ -f "$src/tools/iommu/Makefile" ] || usage

build() {
	mkdir -p "$tools"
	make -s -C "$src/tools/iommu" OUTPUT="$tools/" "$@" > "$tools/fuzz-build.log" 2>&1
}

check() {
	local n=0 failed=0 f log rc runs corpus
	# The same inputs every time: a fixed seed, no corpus reload, and no
	# address randomisation, which moves the stack and so the stack-depth
	# features libFuzzer keeps inputs for
	local fixed=(setarch "$(uname -m)" -R)

	"${fixed[@]}" true 2> /dev/null || fixed=()

	echo "TAP version 13"
	echo "1..$(echo $FORMATS | wc -w)"
	if ! build fuzz; then
		sed 's/^/# /' "$tools/fuzz-build.log"
		for f in $FORMATS; do
			n=$((n + 1))
			echo "not ok $n - fuzz_$f bounded: $CHECK_RUNS runs, no crash # build failed"
		done
		return 1
	fi
	for f in $FORMATS; do
		n=$((n + 1))
		log=$bin/check-$f.log
		corpus=$(mktemp -d)
		# New inputs go to the scratch directory, the seeds stay as built
		"${fixed[@]}" "$bin/vqueue_fuzz" -seed=1 -runs=$CHECK_RUNS \
			-max_len=4096 -reload=0 -print_final_stats=1 \
			-artifact_prefix="$bin/check-$f-" \
			"$corpus" "$bin/seeds/$f" > "$log" 2>&1
		rc=$?
		rm -rf "$corpus"
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		if [ $rc -eq 0 ] && [ "$runs" = "$CHECK_RUNS" ]; then
			echo "ok $n - fuzz_$f bounded: $CHECK_RUNS runs, no crash"
		else
			failed=1
			grep -m5 -E "invariant violated|ERROR|runtime error|SUMMARY" "$log" |
				sed 's/^/# /'
			echo "# exit status $rc, ${runs:-no} runs; log: $log"
			echo "not ok $n - fuzz_$f bounded: $CHECK_RUNS runs, no crash"
		fi
	done
	return $failed
}

long() {
	local seconds=${FUZZ_SECONDS:-1800} rc execs f
	local srcs=() prof=$state/profile

	build fuzz fuzz_cov || { cat "$tools/fuzz-build.log" >&2; return 1; }
	mkdir -p "$state/corpus" "$state/artifacts"
	for f in $FORMATS; do
		srcs+=("$bin/seeds/$f")
	done

	echo "run-fuzz: fuzzing for $seconds s, log: $state/fuzz.log"
	"$bin/vqueue_fuzz" -max_total_time="$seconds" -max_len=4096 \
		-print_final_stats=1 -artifact_prefix="$state/artifacts/" \
		"$state/corpus" "${srcs[@]}" > "$state/fuzz.log" 2>&1
	rc=$?
	grep -E "^stat::|invariant violated|ERROR|runtime error|SUMMARY" "$state/fuzz.log"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$state/fuzz.log")
	echo "run-fuzz: ${execs:-0} executions, exit status $rc"

	# Coverage of what the corpus reaches, by the instrumented build
	rm -rf "$prof" && mkdir -p "$prof"
	LLVM_PROFILE_FILE="$prof/%p.profraw" "$bin/vqueue_fuzz_cov" -runs=0 \
		"$state/corpus" "${srcs[@]}" > "$prof/replay.log" 2>&1
	llvm-profdata merge -sparse "$prof"/*.profraw -o "$prof/fuzz.profdata" &&
	llvm-cov report "$bin/vqueue_fuzz_cov" -instr-profile="$prof/fuzz.profdata" \
		"$src"/drivers/iommu/iommufd/vqueue_{smmuv3,vtd,smmuv3_debug,vtd_debug}.c \
		> "$state/coverage.txt" &&
	llvm-cov show "$bin/vqueue_fuzz_cov" -instr-profile="$prof/fuzz.profdata" \
		-show-line-counts-or-regions \
		"$src"/drivers/iommu/iommufd/vqueue_{smmuv3,vtd}.c > "$state/coverage-lines.txt" ||
		{ echo "run-fuzz: coverage report failed" >&2; return 1; }
	cat "$state/coverage.txt"
	echo "run-fuzz: line by line in $state/coverage-lines.txt"
	return $rc
}

case $mode in
check) check ;;
long) long ;;
*) usage ;;
esac
