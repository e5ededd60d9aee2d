#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Export the series as git format-patch mails with a cover letter:
#   export-patches.sh SRC OUT [--verify]
# With --verify, also apply it with `git am` to the pristine tree, compare the
# result with the assembled tree, run checkpatch --strict on every patch, and
# print the verdicts as TAP.
set -uo pipefail
src=$(realpath "$1") out=$(realpath -m "$2") verify=${3:-}
rm -rf "$out"
count=$(git -C "$src" rev-list --count pristine..vqueue)
if [ "$count" -eq 0 ]; then
	mkdir -p "$out"
	[ -n "$verify" ] && printf 'TAP version 13\n1..0 # SKIP the series is empty\n'
	echo "export-patches: the series is empty" >&2
	exit 0
fi
git -C "$src" format-patch -q --cover-letter --cover-from-description=subject \
	--base=pristine -o "$out" pristine..vqueue
echo "export-patches: $count patches and a cover letter in $out" >&2
[ -n "$verify" ] || exit 0

n=0
verdict() { n=$((n + 1)); echo "$1 $n - $2"; }
echo "TAP version 13"
echo "1..$((count + 2))"
wt=$(mktemp -d)
mapfile -t series < <(ls "$out"/*.patch | grep -v '/0000-cover-letter\.patch$')
if git -C "$src" worktree add -q --detach "$wt/tree" pristine &&
   git -C "$wt/tree" -c user.name=check -c user.email=check@localhost \
	am -q "${series[@]}" 2>"$wt/am.log" &&
   [ "$(git -C "$wt/tree" rev-parse HEAD^{tree})" = "$(git -C "$src" rev-parse vqueue^{tree})" ]; then
	verdict ok "series applies with git am to the pristine tree"
else
	verdict "not ok" "series applies with git am to the pristine tree"
	sed 's/^/# /' "$wt/am.log"
fi
git -C "$src" worktree remove --force "$wt/tree" 2>/dev/null
rm -rf "$wt"
# checkpatch asks of every new file whether MAINTAINERS needs updating; the
# check below answers that question for the whole series instead.
for p in "${series[@]}"; do
	# checkpatch's SPDX check runs "python3" from PATH and needs Debian's
	# python3-ply, which only the system interpreter has.
	if report=$(cd "$src" && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict -q --no-summary \
			--ignore FILE_PATH_CHANGES "$p" 2>&1); then
		verdict ok "checkpatch --strict $(basename "$p")"
	else
		verdict "not ok" "checkpatch --strict $(basename "$p")"
		echo "$report" | sed 's/^/# /'
	fi
done
uncovered=
for f in $(git -C "$src" diff --name-only --diff-filter=A pristine vqueue); do
	(cd "$src" && scripts/get_maintainer.pl --nogit --nogit-fallback --norolestats \
		--nol -f "$f" 2>/dev/null) | grep -q . || uncovered+=" $f"
done
if [ -z "$uncovered" ]; then
	verdict ok "every new file is covered by a MAINTAINERS entry"
else
	verdict "not ok" "every new file is covered by a MAINTAINERS entry"
	echo "# not covered:$uncovered"
fi
