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
#   run.sh [-n PAIRS] [-m PAIRS] [-l LENGTH] [-r RUNS] [-d PCI-ADDRESS] [-t]
#
# -n  pairs for the one-buffer variants (default 20000)
# -m  pairs for the fresh-memory variants, which are much slower (default 2000)
# -l  bytes per mapping (default 64K)
# -r  runs of each variant; the best is kept (default 3)
# -d  bind and attach this device, so maps reach an IO page table; without,
#     the IOAS has no domain and only iommufd's bookkeeping runs
# -t  print only the table rows (for vm-bench.sh)
#
# Variants:
#   batch, named buffer  "mem alloc name M", then "ioas map --mem M" +
#                        "ioas unmap" lines: one buffer mapped over and over
#   batch, fresh memory  "ioas map --length" + "ioas unmap" lines: each map
#                        maps fresh anonymous memory
#   C loop, one buffer   iommufd-bench-loop: the same two ioctls on one buffer
#   C loop, fresh mmap   iommufd-bench-loop -f: mmap/munmap around each pair
#
# A batch is timed as a whole process (start-up, reading, parsing, output
# to /dev/null, the ioctls) and again with its set-up lines only (no
# pairs): "per pair" is N / (T(N) - T(0)), the cost of the lines
# themselves, which is what the C loop's own clock measures (it times its
# loop only).  Both figures are printed.

set -u
pairs=20000
fpairs=2000
len=64K
runs=3
dev=
rows_only=
while getopts n:m:l:r:d:t o; do
	case $o in
	n) pairs=$OPTARG ;;
	m) fpairs=$OPTARG ;;
	l) len=$OPTARG ;;
	r) runs=$OPTARG ;;
	d) dev=$OPTARG ;;
	t) rows_only=1 ;;
	*) echo "usage: run.sh [-n PAIRS] [-m PAIRS] [-l LENGTH] [-r RUNS] [-d PCI-ADDRESS] [-t]" >&2; exit 2 ;;
	esac
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# gen KIND N: a batch of N pairs (KIND named or fresh)
gen() {
	awk -v kind="$1" -v n="$2" -v len="$len" -v dev="$dev" 'BEGIN {
		if (dev != "") printf "device bind --device %s name D\n", dev
		print "ioas alloc name A"
		if (dev != "") print "device attach --device D --ioas A"
		if (kind == "named") printf "mem alloc name M --length %s\n", len
		map = kind == "named" ? "ioas map --ioas A --mem M --iova 0x100000 --length " len \
				      : "ioas map --ioas A --iova 0x100000 --length " len
		unmap = "ioas unmap --ioas A --iova 0x100000 --length " len
		for (i = 0; i < n; i++) { print map; print unmap }
	}'
}

# secs FILE: seconds one run of the batch FILE takes (whole process)
secs() {
	local t0 t1
	t0=$EPOCHREALTIME
	iommufd-ctl -b "$1" >/dev/null || { echo "iommufd-ctl -b $1 failed" >&2; return 1; }
	t1=$EPOCHREALTIME
	echo "$t1 - $t0" | bc -l
}

# best_batch KIND N: "WHOLE_RATE PAIR_RATE SECONDS" of the best of $runs runs
best_batch() {
	local kind=$1 n=$2 full empty best_full= best_empty= i
	gen "$kind" "$n" >"$tmp/$kind.batch"
	gen "$kind" 0 >"$tmp/$kind.0.batch"
	for ((i = 0; i < runs; i++)); do
		full=$(secs "$tmp/$kind.batch") || return 1
		empty=$(secs "$tmp/$kind.0.batch") || return 1
		if [ -z "$best_full" ] || [ "$(echo "$full < $best_full" | bc -l)" = 1 ]; then best_full=$full; fi
		if [ -z "$best_empty" ] || [ "$(echo "$empty < $best_empty" | bc -l)" = 1 ]; then best_empty=$empty; fi
	done
	echo "$(echo "$n / $best_full" | bc -l) $(echo "$n / ($best_full - $best_empty)" | bc -l) $best_full"
}

# best_loop [-f] N: pairs per second, best of $runs runs
best_loop() {
	local best= r i out
	for ((i = 0; i < runs; i++)); do
		out=$(iommufd-bench-loop "$@" "$len" ${dev:+"$dev"}) || { echo "iommufd-bench-loop $* failed" >&2; return 1; }
		r=${out##*pairs_per_second=}
		if [ -z "$best" ] || [ "$r" -gt "$best" ]; then best=$r; fi
	done
	echo "$best"
}

# The loop takes COUNT LENGTH: insert the count before the length.
loop_one=$(best_loop "$pairs") || exit 1
loop_fresh=$(best_loop -f "$fpairs") || exit 1
read -r named_whole named_pair named_s <<<"$(best_batch named "$pairs")" || exit 1
read -r fresh_whole fresh_pair fresh_s <<<"$(best_batch fresh "$fpairs")" || exit 1
[ -n "$named_pair" ] && [ -n "$fresh_pair" ] || exit 1

variant="no device"
[ -n "$dev" ] && variant="device $dev attached"
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }
# One row of the table vm-bench.sh prints (header: table_header).
row=$(printf '| %s | %.0f | %.0f | %.0f | **%s** | %s | %.0f | %.0f | %s |' "$variant" \
	"$named_pair" "$named_whole" "$loop_one" "$(ratio "$named_pair" "$loop_one")" "$(ratio "$named_whole" "$loop_one")" \
	"$fresh_pair" "$loop_fresh" "$(ratio "$fresh_pair" "$loop_fresh")")
if [ -n "$rows_only" ]; then
	echo "$row"
	exit 0
fi
printf 'variant: %s; %s pairs (one buffer), %s pairs (fresh memory) of %s, best of %s runs\n' \
	"$variant" "$pairs" "$fpairs" "$len" "$runs"
printf 'batch, named buffer: %8.0f pairs/s per pair, %8.0f whole process (%.3f s)\n' "$named_pair" "$named_whole" "$named_s"
printf 'C loop, one buffer:  %8.0f pairs/s\n' "$loop_one"
printf 'batch, fresh memory: %8.0f pairs/s per pair, %8.0f whole process (%.3f s)\n' "$fresh_pair" "$fresh_whole" "$fresh_s"
printf 'C loop, fresh mmap:  %8.0f pairs/s\n' "$loop_fresh"
printf 'ratio named / one buffer: %s per pair, %s whole process\n' "$(ratio "$named_pair" "$loop_one")" "$(ratio "$named_whole" "$loop_one")"
printf 'ratio fresh / fresh mmap: %s per pair, %s whole process\n' "$(ratio "$fresh_pair" "$loop_fresh")" "$(ratio "$fresh_whole" "$loop_fresh")"
echo "$row"
