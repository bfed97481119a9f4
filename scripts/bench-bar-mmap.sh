#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# How long mmap() of a BAR through the VFIO device fd takes on the base
# kernel (Linux 7.3.4 as pinned, unpatched) and on the patched kernel,
# measured one after the other by the same program in the same QEMU
# machine (tests/vm/helpers/bar-mmap-bench, 64 MiB ivshmem BAR2, mapped
# at a 2 MiB-aligned address, one touch per 2 MiB). A benchmark: it
# prints a table of figures and judges nothing.
#
# Usage: scripts/bench-bar-mmap.sh [BASE_IMAGE PATCHED_IMAGE]
#   The images default to kernel/scripts/build.sh --base --print-image and
#   kernel/scripts/build.sh --print-image (build them first). The tools
#   must be built (./configure && make).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
base=${1:-$("$top/kernel/scripts/build.sh" --base --print-image)}
patched=${2:-$("$top/kernel/scripts/build.sh" --print-image)}
for k in "$base" "$patched"; do
	[ -f "$k" ] || { echo "bench-bar-mmap.sh: no kernel image $k (build it first)" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for kind in base patched; do
	img=$base
	[ $kind = patched ] && img=$patched
	"$top/tests/vm/run-vm.sh" --kernel "$img" \
		--profile ivshmem --suite "$top/tests/vm/suites/bench-bar-mmap.sh" \
		--out "$work/$kind" >"$work/$kind.tap" 2>"$work/$kind.log" || true
	f=$work/$kind/share/bench-bar-mmap.txt
	[ -s "$f" ] || { echo "bench-bar-mmap.sh: the $kind run left no figures (see $work/$kind.log)" >&2; cat "$work/$kind.log" >&2; exit 1; }
	grep -q '^mmap_median_us=' "$f" || {
		echo "bench-bar-mmap.sh: the $kind run printed no figures:" >&2
		cat "$f" >&2
		exit 1
	}
	cp "$f" "$work/$kind.txt"
done
val() { sed -n "s/^$2=//p" "$work/$1.txt"; }
printf 'mmap() of a %s-byte BAR through the VFIO device fd, %s rounds, microseconds\n' \
	"$(val base size)" "$(val base rounds)"
printf '%-22s %12s %12s %8s\n' figure "base" "patched" ratio
for k in first_mmap_us mmap_min_us mmap_median_us mmap_p90_us mmap_max_us \
	 first_touch_us touch_median_us unmap_median_us; do
	b=$(val base $k) p=$(val patched $k)
	printf '%-22s %12s %12s %8s\n' "${k%_us}" "$b" "$p" \
		"$(awk -v b="$b" -v p="$p" 'BEGIN { if (b > 0) printf "%.2f", p / b; else print "-" }')"
done
printf '%-22s %12s %12s\n' kernel "$(val base kernel)" "$(val patched kernel)"
