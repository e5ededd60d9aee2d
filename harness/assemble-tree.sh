#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Assemble the kernel tree: the pristine Debian linux-source-6.12 as a git
# repository (tag "pristine"), then one commit per line of patches/series on
# branch "vqueue", each holding its patch's hunks and the project's new files
# it claims.  The commits are built with git plumbing in a private index and
# only then checked out, so files whose content did not change keep their
# timestamps and the kernel build stays incremental.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
src=${1:-$top/build/linux}
tarball=/usr/src/linux-source-6.12.tar.xz
series=$top/patches/series
pinned=$(sed -n 's/^PINNED_SOURCE_VERSION=//p' "$top/harness/install-deps.sh")
installed=$(dpkg-query -W -f='${Version}' linux-source-6.12)
# Fixed identities and dates make the assembled commits reproducible: an
# unchanged series yields the same commit ids and the checkout is a no-op.
export GIT_COMMITTER_NAME="vqueue tree assembler" GIT_COMMITTER_EMAIL="assembler@localhost"
export GIT_COMMITTER_DATE="2024-11-17T00:00:00Z"

die() { echo "assemble-tree: $*" >&2; exit 1; }

g() { git -C "$src" "$@"; }
# The project repository; GIT_INDEX_FILE below names the kernel's private index.
project_git() { env -u GIT_INDEX_FILE git -C "$top" "$@"; }

if [ ! -f "$src/.vq-source-version" ] || [ "$(cat "$src/.vq-source-version")" != "$installed" ]; then
	echo "assemble-tree: unpacking linux-source-6.12 $installed into $src"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -C "$src.tmp" --strip-components=1 -xf "$tarball"
	git -C "$src.tmp" init -q -b pristine-base
	git -C "$src.tmp" config gc.auto 0
	git -C "$src.tmp" config core.quotepath off
	echo "/.vq-*" >> "$src.tmp/.git/info/exclude"
	git -C "$src.tmp" add -A -f .
	GIT_AUTHOR_NAME=Debian GIT_AUTHOR_EMAIL=debian-kernel@lists.debian.org \
	GIT_AUTHOR_DATE=$GIT_COMMITTER_DATE \
		git -C "$src.tmp" commit -q -m "Linux $(make -s -C "$src.tmp" kernelversion) (Debian linux-source-6.12 $installed)"
	git -C "$src.tmp" tag pristine
	echo "$installed" > "$src.tmp/.vq-source-version"
	mv "$src.tmp" "$src"
fi

# The project's new files: everything tracked (or untracked and not ignored)
# under a top-level directory that is also a top-level directory of the kernel.
overlay_files() {
	local d
	for d in $(cd "$top" && ls -d */ 2>/dev/null); do
		d=${d%/}
		[ -d "$src/$d" ] || continue
		project_git ls-files --cached --others --exclude-standard -- "$d"
	done | sort -u
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GIT_INDEX_FILE=$tmp/index
g read-tree pristine
parent=$(g rev-parse pristine)
: > "$tmp/claimed"

while read -r patch paths; do
	case "$patch" in ''|'#'*) continue ;; esac
	[ -f "$top/patches/$patch" ] || die "patches/series names $patch, which does not exist"
	g mailinfo "$tmp/msg" "$tmp/diff" < "$top/patches/$patch" > "$tmp/info"
	subject=$(sed -n 's/^Subject: //p' "$tmp/info")
	[ -n "$subject" ] || die "$patch has no Subject"
	if [ -s "$tmp/diff" ] && ! g apply --cached --whitespace=nowarn "$tmp/diff"; then
		die "$patch does not apply to linux-source-6.12 $installed" \
		    "(the series was developed against $pinned)"
	fi
	for p in $paths; do
		files=$(project_git ls-files --cached --others --exclude-standard -- "$p")
		[ -n "$files" ] || die "patches/series: $patch claims $p, which does not exist"
		for f in $files; do
			[ -f "$top/$f" ] || continue
			if g cat-file -e "pristine:$f" 2>/dev/null; then
				die "$f exists in the kernel tree: change it with a hunk in a patch, not a copy"
			fi
			mode=100644
			[ -x "$top/$f" ] && mode=100755
			blob=$(g hash-object -w --path="$f" "$top/$f")
			g update-index --add --cacheinfo "$mode,$blob,$f"
			echo "$f" >> "$tmp/claimed"
		done
	done
	{ printf '%s\n\n' "$subject"; cat "$tmp/msg"; } > "$tmp/message"
	tree=$(g write-tree)
	parent=$(GIT_AUTHOR_NAME=$(sed -n 's/^Author: //p' "$tmp/info") \
		 GIT_AUTHOR_EMAIL=$(sed -n 's/^Email: //p' "$tmp/info") \
		 GIT_AUTHOR_DATE=$(sed -n 's/^Date: //p' "$tmp/info" | grep . || echo "$GIT_COMMITTER_DATE") \
		 g commit-tree "$tree" -p "$parent" -F "$tmp/message")
done < "$series"

overlay_files > "$tmp/overlay"
sort "$tmp/claimed" | uniq -d > "$tmp/twice"
[ -s "$tmp/twice" ] && die "claimed by more than one series line: $(tr '\n' ' ' < "$tmp/twice")"
sort -u "$tmp/claimed" | comm -23 "$tmp/overlay" - > "$tmp/unclaimed"
if [ -s "$tmp/unclaimed" ]; then
	# UNCLAIMED=warn lets a developer build while other new files are in progress.
	msg="new files no series line claims: $(tr '\n' ' ' < "$tmp/unclaimed")"
	[ "${UNCLAIMED:-}" = warn ] || die "$msg"
	echo "assemble-tree: warning: $msg (left out)" >&2
fi

unset GIT_INDEX_FILE
g update-ref refs/heads/vqueue "$parent"
if [ "$(g rev-parse -q --verify HEAD || true)" != "$parent" ] || ! g diff --quiet HEAD; then
	g checkout -q -f vqueue
fi
g config branch.vqueue.description "$(cat "$top/patches/cover-letter")"
echo "assemble-tree: $src at $(g rev-parse --short HEAD)," \
     "$(g rev-list --count pristine..vqueue) patches on linux-source-6.12 $installed"
