#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Userspace unit tests: the result parser itself, then the project's userspace
# test programs built from the assembled tree.  Each leaves its TAP output in
# RESULTS/unit/ and its verdicts in RESULTS/verdicts/{cases,checks}/unit-*.tap.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
src=$1 results=$2
mkdir -p "$results/unit" "$results/verdicts"
status=0

run() {
	local name=$1 rc
	shift
	"$@" > "$results/unit/$name.tap" 2>&1
	rc=$?
	python3 "$top/harness/results.py" tap-verdict "$name" $rc "$results/unit/$name.tap" \
		--out "$results" > /dev/null ||
		{ status=1; echo "run-unit-tests: $name failed, see $results/unit/$name.tap"; }
}

# The parser's KUnit tests read KTAP with the tree's kunit_parser.py.
export KERNEL_TREE=$src
run harness python3 "$top/harness/test_results.py"
if [ -f "$src/tools/iommu/Makefile" ]; then
	mkdir -p "$top/build/tools"
	run tools-iommu make -s -C "$src/tools/iommu" OUTPUT="$top/build/tools/" \
		CC="ccache gcc" run_tests
	# A bounded, deterministic run of the format fuzzer, one case a format
	run fuzz "$top/harness/run-fuzz.sh" check "$src"
fi
exit $status
