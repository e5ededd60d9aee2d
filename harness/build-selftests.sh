#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build, statically linked, every kselftest program harness/suites names.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
src=$1 obj=$2 out=$3

declare -A targets
while read -r name timeout modes program args; do
	case "$name" in ''|'#'*) continue ;; esac
	dir=${program%%/*}
	targets[$dir]+=" $out/$program"
done < "$top/harness/suites"

for dir in "${!targets[@]}"; do
	mkdir -p "$out/$dir"
	# shellcheck disable=SC2086
	make -C "$src/tools/testing/selftests/$dir" -j"$(nproc)" \
		CC="ccache gcc" OUTPUT="$out/$dir" \
		KHDR_INCLUDES="-isystem $obj/usr/include" \
		LDFLAGS="-static -pthread -no-pie" ${targets[$dir]}
done
