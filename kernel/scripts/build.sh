#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the test kernel: fetch the base, apply the series, configure
# (tinyconfig + kernel/config fragments) and build bzImage with ccache,
# plus the uapi headers and the VFIO kselftests. Incremental when re-run.
#
# Usage: kernel/scripts/build.sh [--debug] [--no-apply] [--print-image]
#   --debug        build the debug variant (test.config + debug.config)
#   --no-apply     build the tree as it is (for kernel development)
#   --print-image  only print the bzImage path of the variant and exit
# Output: $DMABUF_UTILS_CACHE/build/<variant>/arch/x86/boot/bzImage,
#         .../build/<variant>/usr/include, .../build/<variant>/kselftest/vfio
set -euo pipefail
. "$(dirname "$0")/common.sh"

variant=test apply=1 print=0
for a in "$@"; do
	case "$a" in
	--debug) variant=debug ;;
	--no-apply) apply=0 ;;
	--print-image) print=1 ;;
	-h|--help) sed -n '4,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "build.sh: unknown option '$a'" >&2; exit 2 ;;
	esac
done

out=$BUILD_ROOT/$variant
image=$out/arch/x86/boot/bzImage
if [ "$print" = 1 ]; then
	echo "$image"
	exit 0
fi

"$KDIR_TOP/scripts/fetch.sh"
[ "$apply" = 0 ] || "$KDIR_TOP/scripts/apply.sh"

frags=("$KDIR_TOP/config/test.config")
[ "$variant" = debug ] && frags+=("$KDIR_TOP/config/debug.config")

cc="gcc"
command -v ccache >/dev/null && cc="ccache gcc"
jobs=$(($(nproc) + 1))
mk=(make -s -C "$SRC_DIR" O="$out" CC="$cc" HOSTCC="$cc" -j"$jobs"
    KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 2026" KBUILD_BUILD_USER=dmabuf-utils
    KBUILD_BUILD_HOST=test)

mkdir -p "$out"
fsum=$(cat "${frags[@]}" | sha256sum | cut -d' ' -f1)
if [ ! -f "$out/.config" ] || [ "$(cat "$out/.fragments" 2>/dev/null)" != "$fsum" ]; then
	log "configuring $variant kernel"
	"${mk[@]}" tinyconfig >/dev/null
	(cd "$SRC_DIR" && KCONFIG_CONFIG="$out/.config" \
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
# The VFIO kselftests (the series adds vfio_dmabuf_mmap_test), built
# against this kernel's uapi headers; the VM suites run them from here.
make -s -C "$SRC_DIR/tools/testing/selftests/vfio" CC="$cc" -j"$jobs" \
	OUTPUT="$out/kselftest/vfio" KHDR_INCLUDES="-isystem $out/usr/include"
log "built $image and the vfio kselftests in $(($(date +%s) - start)) s"
ln -sfn "$image" "$CACHE/bzImage-$variant"
