#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fail when an option the fragment asks for did not survive olddefconfig:
# a dependency is missing and the test kernel would silently lack a feature.
set -euo pipefail
fragment=$1 config=$2
bad=0
while IFS='=' read -r key want; do
	got=$(sed -n "s/^$key=//p" "$config")
	if [ "$want" = n ]; then
		[ -z "$got" ] && continue
	elif [ "$got" = "$want" ]; then
		continue
	fi
	echo "check-config: $key=$want requested, got '${got:-not set}'" >&2
	bad=1
done < <(grep -E '^CONFIG_[A-Za-z0-9_]+=' "$fragment")
exit $bad
