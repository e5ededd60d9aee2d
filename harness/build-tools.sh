#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the project's userspace tools from the assembled tree into OUT.
set -euo pipefail
src=$1 out=$2
mkdir -p "$out"
if [ -f "$src/tools/iommu/Makefile" ]; then
	make -C "$src/tools/iommu" OUTPUT="$out/" CC="ccache gcc"
fi
