#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the test kernel: fetch the base, apply the series, configure
# (tinyconfig + kernel/config fragments) and build bzImage with ccache,
# plus the uapi headers and the VFIO and iommu kselftests. Incremental
# when re-run.
#
# Usage: kernel/scripts/build.sh [--debug|--base] [--no-apply] [--print-image]
#   --debug        build the debug variant (test.config + debug.config)
#   --base         build the unpatched base (test.config) in its own git
#                  worktree of the cached tree
#   --no-apply     build the tree as it is (for kernel development)
#   --print-image  only print the bzImage path of the variant and exit
# Output: $DMABUF_UTILS_CACHE/build/<variant>/arch/x86/boot/bzImage,
#         .../build/<variant>/usr/include,
#         .../build/<variant>/kselftest/{vfio,iommu}
#         (base: $DMABUF_UTILS_CACHE/base/build/base/...)
set -euo pipefail
. "$(dirname "$0")/common.sh"

variant=test apply=1 print=0
for a in "$@"; do
	case "$a" in
	--debug) variant=debug ;;
	--base) variant=base ;;
	--no-apply) apply=0 ;;
	--print-image) print=1 ;;
	-h|--help) sed -n '4,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "build.sh: unknown option '$a'" >&2; exit 2 ;;
	esac
done

# The base lives in a worktree of its own, $CACHE/base/linux-VERSION, so
# that the cached tree stays on the branch apply.sh leaves it on. Its
# build directory is $CACHE/base/build/base: seen from there the sources
# are ../../linux-VERSION, exactly as the test kernel's are from
# $CACHE/build/test, and with CCACHE_BASEDIR=$CACHE (common.sh) ccache
# rewrites both to the same relative paths, so every file the series does
# not touch is a cache hit and the cold base build costs minutes.
src=$SRC_DIR
out=$BUILD_ROOT/$variant
if [ "$variant" = base ]; then
	src=$BASE_SRC_DIR
	out=$BASE_BUILD_DIR
fi
image=$out/arch/x86/boot/bzImage
if [ "$print" = 1 ]; then
	echo "$image"
	exit 0
fi

"$KDIR_TOP/scripts/fetch.sh"
if [ "$variant" = base ]; then
	if [ ! -e "$src/.git" ]; then
		log "adding the base worktree $src"
		mkdir -p "${src%/*}"
		git -C "$SRC_DIR" worktree prune
		git -C "$SRC_DIR" worktree add -q --detach "$src" base
	fi
	# Our own worktree: put it back at the base if anything moved it.
	if [ "$(git -C "$src" rev-parse HEAD)" != "$(git -C "$SRC_DIR" rev-parse 'base^{commit}')" ] ||
	   ! git -C "$src" diff --quiet HEAD; then
		log "resetting $src to the base"
		git -C "$src" checkout -q -f --detach base
	fi
elif [ "$apply" = 1 ]; then
	"$KDIR_TOP/scripts/apply.sh"
fi

frags=("$KDIR_TOP/config/test.config")
[ "$variant" = debug ] && frags+=("$KDIR_TOP/config/debug.config")

cc="gcc"
command -v ccache >/dev/null && cc="ccache gcc"
jobs=$(($(nproc) + 1))
mk=(make -s -C "$src" O="$out" CC="$cc" HOSTCC="$cc" -j"$jobs"
    KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 2026" KBUILD_BUILD_USER=dmabuf-utils
    KBUILD_BUILD_HOST=test)

mkdir -p "$out"
fsum=$(cat "${frags[@]}" | sha256sum | cut -d' ' -f1)
if [ ! -f "$out/.config" ] || [ "$(cat "$out/.fragments" 2>/dev/null)" != "$fsum" ]; then
	log "configuring $variant kernel"
	"${mk[@]}" tinyconfig >/dev/null
	(cd "$src" && KCONFIG_CONFIG="$out/.config" \
		scripts/kconfig/merge_config.sh -m -O "$out" "$out/.config" \
		"${frags[@]}" >/dev/null)
	"${mk[@]}" olddefconfig >/dev/null
	# Every requested option must have survived the dependency checks.
	bad=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF "$line" "$out/.config" && continue ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }; opt=${opt%% *}
			grep -q "^$opt=" "$out/.config" || continue ;;
		*) continue ;;
		esac
		log "config: '$line' did not take effect"
		bad=1
	done < <(cat "${frags[@]}")
	[ "$bad" = 0 ] || die "configuration incomplete (see above)"
	echo "$fsum" >"$out/.fragments"
fi

log "building $variant kernel in $out (ccache: ${cc% gcc})"
start=$(date +%s)
"${mk[@]}" bzImage
"${mk[@]}" headers_install INSTALL_HDR_PATH="$out/usr" >/dev/null
# The VFIO and iommu kselftests, built against this kernel's uapi headers;
# the VM suites run them from here. The series adds cases to both
# (tests/vm/suites/series-kselftest.sh and series-iommufd.sh run the
# patched ones); the base's binaries are what
# tests/vm/suites/series-upstream.sh runs on the base and on the patched
# kernel alike.
kst=(vfio iommu)
for t in "${kst[@]}"; do
	# Their Makefiles know only the .c files that a binary is built from,
	# not the headers (iommufd_utils.h): start over when any source of
	# the directory changed since the last build.
	stamp=$out/kselftest/$t/.built
	if [ -e "$stamp" ] && [ -n "$(find "$src/tools/testing/selftests/$t" \
			-newer "$stamp" -print -quit)" ]; then
		rm -rf "$out/kselftest/$t"
	fi
	# The iommu selftests' Makefile does not create its OUTPUT directory
	mkdir -p "$out/kselftest/$t"
	make -s -C "$src/tools/testing/selftests/$t" CC="$cc" -j"$jobs" \
		OUTPUT="$out/kselftest/$t" KHDR_INCLUDES="-isystem $out/usr/include"
	touch "$stamp"
done
log "built $image and the ${kst[*]} kselftests in $(($(date +%s) - start)) s"
ln -sfn "$image" "$CACHE/bzImage-$variant"
