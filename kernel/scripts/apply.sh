#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Apply kernel/patches/series with "git am" onto the pristine base, on the
# branch "dmabuf-utils" of the cached tree. Skips the work when the tree
# already carries exactly this series (same files, same contents), so a
# re-run rebuilds nothing. An empty series leaves the base as it is.
set -euo pipefail
. "$(dirname "$0")/common.sh"

patches=$KDIR_TOP/patches
git -C "$SRC_DIR" rev-parse -q --verify refs/tags/base >/dev/null ||
	die "no base tree at $SRC_DIR: run kernel/scripts/fetch.sh"

list=()
if [ -f "$patches/series" ]; then
	while read -r p _; do
		case "$p" in ''|'#'*) continue ;; esac
		[ -f "$patches/$p" ] || die "series names $p, which is not in $patches"
		list+=("$patches/$p")
	done <"$patches/series"
fi

want=$( { echo "base=$(git -C "$SRC_DIR" rev-parse base)"
	  for p in "${list[@]}"; do sha256sum <"$p"; done; } | sha256sum | cut -d' ' -f1)
have=$(git -C "$SRC_DIR" config --get dmabuf-utils.series || true)
head=$(git -C "$SRC_DIR" symbolic-ref -q --short HEAD || true)
if [ "$want" = "$have" ] && [ "$head" = dmabuf-utils ] &&
   git -C "$SRC_DIR" diff --quiet HEAD; then
	log "series already applied (${#list[@]} patches)"
	exit 0
fi

cd "$SRC_DIR"
git am --abort >/dev/null 2>&1 || true
git config --unset dmabuf-utils.series || true
# Only files that differ are rewritten, so unchanged files keep their
# mtimes and the next build stays incremental.
git checkout -q -f -B dmabuf-utils base
if [ "${#list[@]}" -gt 0 ]; then
	log "applying ${#list[@]} patches"
	if ! git am -q --whitespace=error-all "${list[@]}"; then
		git am --abort >/dev/null 2>&1 || true
		die "series does not apply to the base; tree left at base"
	fi
fi
git config dmabuf-utils.series "$want"
log "tree at $(git log -1 --format='%h %s')"
