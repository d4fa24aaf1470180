#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The C lines a change adds or modifies, held to .clang-format: git
# clang-format (Debian's clang-format package) formats only those lines.
# Older lines are not checked.  Prints what formatting would change and exits
# 1; exits 0 when the changed lines are formatted; exits 77 when there is no
# base to compare against (not a git checkout, or a clone of one commit).
#
#   scripts/check-format.sh [BASE]
#
# What is checked: everything between BASE and the working tree (commits,
# uncommitted edits), and every untracked, unignored .c/.h file as a whole.
# BASE by default: the merge-base with origin/main when the branch has
# commits of its own; else HEAD~1, the last commit (CI's fresh clone of
# main).  Fix what it reports with `git clang-format BASE` (edits files).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

if ! why=$(git rev-parse --is-inside-work-tree 2>&1 >/dev/null); then
	# not a checkout (a source tarball), or one git refuses to read (another
	# user's: "dubious ownership")
	echo "check-format: no git history to compare with: $(printf '%s\n' "$why" | head -1)"
	exit 77
fi
base=${1:-}
if [ -z "$base" ]; then
	mb=$(git merge-base HEAD origin/main 2>/dev/null) || mb=
	if [ -n "$mb" ] && [ "$mb" != "$(git rev-parse HEAD)" ]; then
		base=$mb
	elif git rev-parse -q --verify 'HEAD~1^{commit}' >/dev/null; then
		base=HEAD~1
	else
		echo "check-format: HEAD has no parent here (a shallow clone?): nothing to compare with"
		exit 77
	fi
fi
if ! git rev-parse -q --verify "$base^{commit}" >/dev/null; then
	echo "check-format: $base is not a commit"
	exit 2
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
# Tracked files: only the lines that differ from base.  git clang-format
# prints "no modified files to format" or "clang-format did not modify any
# files" when there is nothing to say, a diff otherwise.
if ! git clang-format --extensions c,h --diff "$base" -- >"$out" 2>&1; then
	cat "$out"
	echo "check-format: git clang-format failed"
	exit 2
fi
grep -q '^diff ' "$out" || : >"$out"
# Untracked files: every line is new.
while IFS= read -r f; do
	clang-format --style=file "$f" | diff -u --label "a/$f" --label "b/$f" "$f" - >>"$out"
done < <(git ls-files --others --exclude-standard -- '*.c' '*.h')

if [ -s "$out" ]; then
	cat "$out"
	echo "check-format: lines changed since $(git rev-parse --short "$base") are not formatted" \
		"as .clang-format says: the diff above would fix them" \
		"(git clang-format $(git rev-parse --short "$base"))"
	exit 1
fi
echo "check-format: lines changed since $(git rev-parse --short "$base") are formatted"
exit 0
