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
# -r  rounds; each runs every variant once, and the round with the median
#     named-buffer ratio is reported, with the range over all rounds
#     (default 5)
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
runs=5
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

# loop_rate [-f] N: pairs per second of one run of the C loop
loop_rate() {
	local out
	out=$(iommufd-bench-loop "$@" "$len" ${dev:+"$dev"}) || { echo "iommufd-bench-loop $* failed" >&2; return 1; }
	echo "${out##*pairs_per_second=}"
}

calc() { echo "$*" | bc -l; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

gen named "$pairs" >"$tmp/named.batch"
gen named 0 >"$tmp/named.0.batch"
gen fresh "$fpairs" >"$tmp/fresh.batch"
gen fresh 0 >"$tmp/fresh.0.batch"

# Rounds: each runs every variant once, one right after the other, so that
# a ratio compares runs made under the same load; the median round is
# reported.  (Whole-process time includes start-up; "per pair" subtracts
# the time of the same batch without its pairs.)
variant="no device"
[ -n "$dev" ] && variant="device $dev attached"
[ -n "$rows_only" ] || printf 'variant: %s; %s pairs (one buffer), %s pairs (fresh memory) of %s, %s rounds\n' \
	"$variant" "$pairs" "$fpairs" "$len" "$runs"
declare -a r_named r_named_whole r_fresh
for ((i = 0; i < runs; i++)); do
	l1=$(loop_rate "$pairs") || exit 1
	b1=$(secs "$tmp/named.batch") || exit 1
	b0=$(secs "$tmp/named.0.batch") || exit 1
	lf=$(loop_rate -f "$fpairs") || exit 1
	f1=$(secs "$tmp/fresh.batch") || exit 1
	f0=$(secs "$tmp/fresh.0.batch") || exit 1
	np=$(calc "$pairs / ($b1 - $b0)")
	nw=$(calc "$pairs / $b1")
	fp=$(calc "$fpairs / ($f1 - $f0)")
	r_named[i]=$(calc "$np / $l1")
	r_named_whole[i]=$(calc "$nw / $l1")
	r_fresh[i]=$(calc "$fp / $lf")
	round[i]="$np $nw $l1 $fp $lf"
	[ -n "$rows_only" ] || printf 'round %d: named %.0f pairs/s per pair (%.0f whole), C loop %s: %.2f | fresh %.0f, C loop -f %s: %.2f\n' \
		$((i + 1)) "$np" "$nw" "$l1" "${r_named[i]}" "$fp" "$lf" "${r_fresh[i]}"
done
med=$(median "${r_named[@]}")
for ((i = 0; i < runs; i++)); do
	[ "${r_named[i]}" = "$med" ] && break
done
read -r np nw l1 fp lf <<<"${round[i]}"
ratio() { printf '%.2f' "$1"; }
# One row of the table vm-bench.sh prints (the median round by the
# named-buffer ratio; the ranges over all rounds follow the ratios).
range() { printf '%.2f-%.2f' "$(printf '%s\n' "$@" | sort -g | head -n 1)" "$(printf '%s\n' "$@" | sort -g | tail -n 1)"; }
row=$(printf '| %s | %.0f | %.0f | %.0f | **%s** (%s) | %s | %.0f | %.0f | %s (%s) |' "$variant" \
	"$np" "$nw" "$l1" "$(ratio "${r_named[i]}")" "$(range "${r_named[@]}")" "$(ratio "${r_named_whole[i]}")" \
	"$fp" "$lf" "$(ratio "${r_fresh[i]}")" "$(range "${r_fresh[@]}")")
if [ -n "$rows_only" ]; then
	echo "$row"
	exit 0
fi
printf 'median round: named buffer %.0f pairs/s per pair, C loop one buffer %.0f: ratio %s per pair, %s whole process\n' \
	"$np" "$l1" "$(ratio "${r_named[i]}")" "$(ratio "${r_named_whole[i]}")"
echo "$row"
