#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fail when an option the fragments ask for did not survive olddefconfig:
# a dependency is missing and the kernel would silently lack a feature.
#   check-config.sh CONFIG FRAGMENT...   (a later fragment's setting wins)
set -euo pipefail
config=$1
shift
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
done < <(sed -E 's/^# (CONFIG_[A-Za-z0-9_]+) is not set$/\1=n/' "$@" |
	 grep -E '^CONFIG_[A-Za-z0-9_]+=' |
	 awk -F= '!($1 in want) { order[n++] = $1 } { want[$1] = $0 }
		  END { for (i = 0; i < n; i++) print want[order[i]] }')
exit $bad
