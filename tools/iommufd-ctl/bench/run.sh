#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Benchmark (figures, not a test): map+unmap pairs per second through an
# iommufd-ctl batch against a plain C loop issuing the same ioctls
# (iommufd-bench-loop), on the same kernel.  Needs /dev/iommu: run it in
# the VM, e.g.
#   tests/vm/run-vm.sh --profile edu --suite tools/iommufd-ctl/bench/vm-bench.sh
# or on any machine with iommufd.
#
#   run.sh [-n PAIRS] [-l LENGTH] [-d PCI-ADDRESS]
#
# With -d the device is bound and attached, so maps reach an IO page table;
# without, the IOAS has no domain and only iommufd's bookkeeping runs.
# Prints one line per variant and the ratio.

set -u
pairs=2000
len=64K
dev=
while getopts n:l:d: o; do
	case $o in
	n) pairs=$OPTARG ;;
	l) len=$OPTARG ;;
	d) dev=$OPTARG ;;
	*) echo "usage: run.sh [-n PAIRS] [-l LENGTH] [-d PCI-ADDRESS]" >&2; exit 2 ;;
	esac
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

{
	[ -n "$dev" ] && printf 'device bind --device %s name D\n' "$dev"
	echo "ioas alloc name A"
	[ -n "$dev" ] && echo "device attach --device D --ioas A"
	for ((i = 0; i < pairs; i++)); do
		echo "ioas map --ioas A --iova 0x100000 --length $len"
		echo "ioas unmap --ioas A --iova 0x100000 --length $len"
	done
} >"$tmp/batch"

now() { date +%s.%N; }

t0=$(now)
iommufd-ctl -b "$tmp/batch" >/dev/null || { echo "iommufd-ctl batch failed" >&2; exit 1; }
t1=$(now)
batch_rate=$(echo "$pairs / ($t1 - $t0)" | bc -l)
loop=$(iommufd-bench-loop "$pairs" "$len" ${dev:+"$dev"}) || { echo "C loop failed" >&2; exit 1; }
loop_rate=${loop##*pairs_per_second=}
fresh=$(iommufd-bench-loop -f "$pairs" "$len" ${dev:+"$dev"}) || { echo "C loop -f failed" >&2; exit 1; }
fresh_rate=${fresh##*pairs_per_second=}

variant="no device attached"
[ -n "$dev" ] && variant="device $dev attached"
printf 'variant: %s, %s pairs of %s\n' "$variant" "$pairs" "$len"
printf 'iommufd-ctl -b:       %8.0f map+unmap pairs/s (%.3f s, whole process: parse, mmap, ioctls, output)\n' \
	"$batch_rate" "$(echo "$t1 - $t0" | bc -l)"
printf 'C loop, one buffer:   %8.0f map+unmap pairs/s (%s)\n' "$loop_rate" "$loop"
printf 'C loop, fresh mmap:   %8.0f map+unmap pairs/s (%s)\n' "$fresh_rate" "$fresh"
printf 'ratio:                %8.3f (batch / C loop, one buffer)\n' "$(echo "$batch_rate / $loop_rate" | bc -l)"
printf 'ratio:                %8.3f (batch / C loop, fresh mmap: the same work)\n' "$(echo "$batch_rate / $fresh_rate" | bc -l)"
