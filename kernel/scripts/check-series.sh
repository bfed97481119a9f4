#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Check kernel/patches/series patch by patch: apply each patch in order
# with "git am" onto the pristine base in a scratch worktree, run
# scripts/checkpatch.pl --strict on it, and build bzImage after it with
# the test configuration. Prints one table row per patch and exits
# non-zero if any patch fails to apply, has checkpatch findings (errors,
# warnings or checks) or breaks the build, so that every step of the
# series is known to be bisectable.
#
# Usage: kernel/scripts/check-series.sh [options] [PATCH...]
#   --no-build       apply and checkpatch only
#   --keep-going     after a failed build, go on checking the next patches
#   --skip-base      do not build the base before the first patch
#   --tree DIR       scratch git worktree of the base tree to use (it is
#                    reset to the base: no uncommitted work may live there)
#   --build-dir DIR  kbuild output directory to use
#   PATCH...         check these files instead of the series (e.g. a patch
#                    being prepared; paths relative to kernel/patches or not)
# Defaults: tree $DMABUF_UTILS_CACHE/linux-check (a worktree of the cached
# base tree), build directory $DMABUF_UTILS_CACHE/build/check; both are
# reused, so repeated runs only rebuild what the patches touch. Pointing
# them at an existing development worktree and its build directory reuses
# its objects (ccache keys include the source path).
set -euo pipefail
. "$(dirname "$0")/common.sh"

build=1 keep_going=0 skip_base=0 files=() tree= out=
while [ $# -gt 0 ]; do
	case "$1" in
	--no-build) build=0 ;;
	--keep-going) keep_going=1 ;;
	--skip-base) skip_base=1 ;;
	--tree|--build-dir)
		[ $# -ge 2 ] || { echo "check-series.sh: $1 needs a value" >&2; exit 2; }
		if [ "$1" = --tree ]; then tree=$2; else out=$2; fi
		shift ;;
	-h|--help) sed -n '4,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "check-series.sh: unknown option '$1'" >&2; exit 2 ;;
	*) files+=("$1") ;;
	esac
	shift
done

patches=$KDIR_TOP/patches
list=()
if [ "${#files[@]}" -gt 0 ]; then
	for p in "${files[@]}"; do
		[ -f "$p" ] || p=$patches/$p
		[ -f "$p" ] || die "no such patch: $p"
		list+=("$(cd "$(dirname "$p")" && pwd)/$(basename "$p")")
	done
elif [ -f "$patches/series" ]; then
	while read -r p _; do
		case "$p" in ''|'#'*) continue ;; esac
		[ -f "$patches/$p" ] || die "series names $p, which is not in $patches"
		list+=("$patches/$p")
	done <"$patches/series"
fi
[ "${#list[@]}" -gt 0 ] || { log "empty series: nothing to check"; exit 0; }

"$KDIR_TOP/scripts/fetch.sh"
git -C "$SRC_DIR" rev-parse -q --verify refs/tags/base >/dev/null ||
	die "no base tree at $SRC_DIR"

tree=${tree:-$CACHE/linux-check}
out=${out:-$BUILD_ROOT/check}
if [ ! -e "$tree/.git" ]; then
	log "creating scratch worktree $tree"
	git -C "$SRC_DIR" worktree prune
	git -C "$SRC_DIR" worktree add -q --detach "$tree" base
fi
git -C "$tree" am --abort >/dev/null 2>&1 || true
# Only files that differ are rewritten: the build stays incremental.
git -C "$tree" checkout -q -f --detach base
git -C "$tree" clean -q -f -d

cc="gcc"
command -v ccache >/dev/null && cc="ccache gcc"
jobs=${JOBS:-$(($(nproc) + 1))}
mk=(nice make -s -C "$tree" O="$out" CC="$cc" HOSTCC="$cc" -j"$jobs"
    KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 2026"
    KBUILD_BUILD_USER=dmabuf-utils KBUILD_BUILD_HOST=test)

if [ "$build" = 1 ]; then
	frags=("$KDIR_TOP/config/test.config")
	fsum=$(cat "${frags[@]}" | sha256sum | cut -d' ' -f1)
	mkdir -p "$out"
	if [ ! -f "$out/.config" ] ||
	   [ "$(cat "$out/.fragments" 2>/dev/null)" != "$fsum" ]; then
		log "configuring $out (tinyconfig + test.config)"
		"${mk[@]}" tinyconfig >/dev/null
		(cd "$tree" && KCONFIG_CONFIG="$out/.config" \
			scripts/kconfig/merge_config.sh -m -O "$out" \
			"$out/.config" "${frags[@]}" >/dev/null)
		"${mk[@]}" olddefconfig >/dev/null
		echo "$fsum" >"$out/.fragments"
	fi
	# The base itself must build, or no patch result means anything.
	if [ "$skip_base" = 0 ]; then
		log "building the base"
		"${mk[@]}" olddefconfig >/dev/null
		"${mk[@]}" bzImage >"$out/build-base.log" 2>&1 ||
			die "the base does not build (see $out/build-base.log)"
	fi
fi

mkdir -p "$out"
git_am=(git -c user.name=check-series -c user.email=check-series@invalid
	-C "$tree" am -q --whitespace=error-all)
rows=() fail=0 n=0
for p in "${list[@]}"; do
	n=$((n + 1))
	name=$(basename "$p")
	am=ok cp=- bd=- secs=-
	if ! "${git_am[@]}" "$p" >"$out/am-$n.log" 2>&1; then
		am=FAIL
		cat "$out/am-$n.log" >&2
		git -C "$tree" am --abort >/dev/null 2>&1 || true
	fi
	# checkpatch looks at the patch file, so it runs even if am failed.
	# FILE_PATH_CHANGES ("does MAINTAINERS need updating?") fires for
	# every added file; new files must sit under a path MAINTAINERS
	# already covers. The base tree has no upstream
	# history, so the commits that Fixes: tags name cannot be looked up
	# here (UNKNOWN_COMMIT_ID). The system python first: spdxcheck needs ply+git.
	cprc=0
	(cd "$tree" && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict \
		--no-color --ignore FILE_PATH_CHANGES,UNKNOWN_COMMIT_ID "$p") \
		>"$out/checkpatch-$n.log" 2>"$out/checkpatch-$n.err" || cprc=$?
	res=$(grep -m1 '^total:' "$out/checkpatch-$n.log" || true)
	if [ "$cprc" = 0 ]; then
		cp=ok
	else
		cp=$(sed -n 's/^total: \([0-9]*\) errors, \([0-9]*\) warnings, \([0-9]*\) checks.*/E\1 W\2 C\3/p' <<<"$res")
		[ -n "$cp" ] || cp=FAIL
		grep -E '^(ERROR|WARNING|CHECK):' "$out/checkpatch-$n.log" |
			sed "s/^/  $name: /" >&2 || true
	fi
	if [ "$am" = ok ] && [ "$build" = 1 ]; then
		start=$(date +%s)
		log "[$n/${#list[@]}] building after $name"
		# A patch may add Kconfig symbols; olddefconfig takes defaults.
		if "${mk[@]}" olddefconfig >/dev/null 2>&1 &&
		   "${mk[@]}" bzImage >"$out/build-$n.log" 2>&1; then
			bd=ok
		else
			bd=FAIL
		fi
		secs=$(($(date +%s) - start))s
	fi
	rows+=("$(printf '%2d  %-60.60s  %-4s  %-12s  %-5s  %s' \
		"$n" "$name" "$am" "$cp" "$bd" "$secs")")
	[ "$am" = ok ] && [ "$cp" = ok ] && [ "$bd" != FAIL ] || fail=1
	if [ "$am" = FAIL ]; then
		log "$name does not apply; later patches are not checked"
		break
	fi
	if [ "$bd" = FAIL ]; then
		log "build after $name failed: $out/build-$n.log"
		tail -n 20 "$out/build-$n.log" >&2
		[ "$keep_going" = 1 ] || break
	fi
done

printf '%2s  %-60s  %-4s  %-12s  %-5s  %s\n' \
	"#" "patch" "am" "checkpatch" "build" "time"
printf '%s\n' "${rows[@]}"
if [ "$n" -lt "${#list[@]}" ]; then
	echo "($((${#list[@]} - n)) later patches not checked)"
fi
if [ "$fail" = 0 ]; then
	echo "series OK: ${#list[@]} patches"
else
	echo "series FAILED"
fi
exit "$fail"
