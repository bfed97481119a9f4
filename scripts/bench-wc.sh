#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# CPU write bandwidth through an uncached (NC) and a write-combining (WC)
# mapping of the same size in ivshmem BAR2, on the patched kernel in QEMU
# (tests/vm/helpers/wc-bench). A benchmark: it prints figures and judges
# nothing. QEMU's TCG does not model memory types, and ivshmem's BAR is
# host RAM, so under TCG both columns measure the same thing; the figures
# that matter come from real hardware:
#
#   sudo tests/vm/helpers/wc-bench --cdev /dev/vfio/devices/vfio0 \
#        --bar 2 --offset 0 --size 4M --rounds 20
#
# with a prefetchable BAR of device memory that is safe to overwrite (an
# FPGA's BRAM, a GPU aperture; never a register BAR) bound to vfio-pci.
#
# Usage: scripts/bench-wc.sh [PATCHED_IMAGE]
#   The image defaults to kernel/scripts/build.sh --print-image (build it
#   first). The tools must be built (./configure && make).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
img=${1:-$("$top/kernel/scripts/build.sh" --print-image)}
[ -f "$img" ] || { echo "bench-wc.sh: no kernel image $img (build it first)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$top/tests/vm/run-vm.sh" --kernel "$img" --profile ivshmem \
	--suite "$top/tests/vm/suites/bench-wc.sh" --out "$work/vm" \
	>"$work/vm.tap" 2>"$work/vm.log" || true
f=$work/vm/share/bench-wc.txt
if ! grep -q '^wc_block64_mbps=' "$f" 2>/dev/null; then
	echo "bench-wc.sh: the run printed no figures:" >&2
	cat "$f" "$work/vm.log" >&2 2>/dev/null || true
	exit 1
fi
val() { sed -n "s/^$1=//p" "$f"; }
printf 'CPU writes to BAR%s, %s bytes per buffer, median of %s rounds, MB/s\n' \
	"$(val bar)" "$(val size)" "$(val rounds)"
printf '%-16s %12s %12s %8s\n' pattern NC WC 'WC/NC'
for k in store8 block64; do
	n=$(val "nc_${k}_mbps") w=$(val "wc_${k}_mbps")
	printf '%-16s %12s %12s %8s\n' "$k" "$n" "$w" \
		"$(awk -v n="$n" -v w="$w" 'BEGIN { if (n > 0) printf "%.2f", w / n; else print "-" }')"
done
printf 'kernel %s; WC: %s\n' "$(val kernel)" "$(val wc)"
