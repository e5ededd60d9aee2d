#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the compiler diagnostics a build log holds for files the series adds
# or changes; exit 1 if there are any.
set -uo pipefail
src=$1 log=$2
files=$(git -C "$src" diff --name-only pristine vqueue -- '*.c' '*.h')
[ -n "$files" ] || exit 0
hits=$(grep -E '(warning|error):' "$log" | grep -F -f <(echo "$files") || true)
[ -z "$hits" ] || { echo "$hits"; exit 1; }
