#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the build and the tests need, once per machine.
# The kernel source is pinned to the version the patch series was developed
# against while the archive still offers it.
set -euo pipefail

PINNED_SOURCE_VERSION=6.12.117-1~deb12u1

packages=(
	linux-source-6.12 qemu-system-x86 busybox-static ccache bc flex bison
	libelf-dev libssl-dev cpio gcc-aarch64-linux-gnu make gcc git python3
	perl rsync xz-utils gnuplot-nox python3-ply python3-git
	clang libclang-rt-14-dev llvm
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
have_source=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || true)
[ ${#missing[@]} -eq 0 ] && [ "$have_source" = "$PINNED_SOURCE_VERSION" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]:-linux-source-6.12=$PINNED_SOURCE_VERSION}" >&2
	echo "install-deps: run as root, or install them with apt-get" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q </dev/null
others=()
for p in "${missing[@]}"; do
	[ "$p" = linux-source-6.12 ] || others+=("$p")
done
[ ${#others[@]} -eq 0 ] || apt-get install -y -q "${others[@]}" </dev/null

if ! apt-get install -y -q --allow-downgrades \
	"linux-source-6.12=$PINNED_SOURCE_VERSION" </dev/null; then
	echo "install-deps: linux-source-6.12 $PINNED_SOURCE_VERSION is no longer offered;" \
	     "using the newest 6.12 instead (the series was developed against $PINNED_SOURCE_VERSION)" >&2
	apt-get install -y -q linux-source-6.12 </dev/null
fi
