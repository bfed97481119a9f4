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
#   run.sh [-n PAIRS] [-m PAIRS] [-l LENGTH] [-r RUNS] [-d PCI-ADDRESS] [-t] [-a]
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
# -a  run even when iommufd-ctl is built with a sanitizer (ASan, UBSan):
#     its figures then measure the sanitizer, and the rows say so
#
# The binaries are the iommufd-ctl and iommufd-bench-loop found in PATH
# (in the VM: the build directory run-vm.sh was given, --builddir).  A
# benchmark of speed needs an optimized build without sanitizers; a tree
# configured with --enable-asan (as scripts/test-all.sh does) is refused
# unless -a is given.  A release build next to it, for instance:
#   mkdir ../build-rel && cd ../build-rel && ../dmabuf-utils/configure && make
#   tests/vm/run-vm.sh --builddir ../build-rel --profile edu \
#       --suite tools/iommufd-ctl/bench/vm-bench.sh
#
# Variants:
#   batch, named buffer  "mem alloc name M", then "ioas map --mem M" +
#                        "ioas unmap" lines: one buffer mapped over and over
#   batch, named buffer, the same with an IOVA that changes from pair to
#     varying IOVA       pair (4096 different ones, 64 KiB apart from
#                        0x10000 to 0x10000000, below x86's MSI window
#                        at 0xfee00000 and within awk's 32-bit %x): every
#                        line differs, so nothing can gain from repeated
#                        lines (its "per pair" uses the same T(0))
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
allow_san=
while getopts n:m:l:r:d:ta o; do
	case $o in
	n) pairs=$OPTARG ;;
	m) fpairs=$OPTARG ;;
	l) len=$OPTARG ;;
	r) runs=$OPTARG ;;
	d) dev=$OPTARG ;;
	t) rows_only=1 ;;
	a) allow_san=1 ;;
	*) echo "usage: run.sh [-n PAIRS] [-m PAIRS] [-l LENGTH] [-r RUNS] [-d PCI-ADDRESS] [-t] [-a]" >&2; exit 2 ;;
	esac
done

# Which build runs: say it, and refuse a sanitizer build (see above).
# build_kind FILE: "ASan", "UBSan", "ASan+UBSan" or "optimized" (-O level
# unknown: configure's CFLAGS decide; the default is -O2).
build_kind() {
	local k=
	grep -q -a __asan_init "$1" && k=ASan
	grep -q -a __ubsan_handle "$1" && k=${k:+$k+}UBSan
	echo "${k:-no sanitizer}"
}
ctl=$(command -v iommufd-ctl) || { echo "run.sh: iommufd-ctl not found in PATH" >&2; exit 2; }
loop=$(command -v iommufd-bench-loop) || { echo "run.sh: iommufd-bench-loop not found in PATH" >&2; exit 2; }
build="iommufd-ctl: $ctl ($(build_kind "$ctl")); iommufd-bench-loop: $loop ($(build_kind "$loop"))"
sanitized=
case "$(build_kind "$ctl")$(build_kind "$loop")" in
*San*) sanitized=1 ;;
esac
if [ -n "$sanitized" ] && [ -z "$allow_san" ]; then
	echo "run.sh: $build" >&2
	echo "run.sh: refusing to time a sanitizer build (its figures measure the sanitizer): build without --enable-asan/--enable-ubsan, or pass -a" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# gen KIND N: a batch of N pairs (KIND named or fresh)
gen() {
	awk -v kind="$1" -v n="$2" -v len="$len" -v dev="$dev" 'BEGIN {
		if (dev != "") printf "device bind --device %s name D\n", dev
		print "ioas alloc name A"
		if (dev != "") print "device attach --device D --ioas A"
		if (kind != "fresh") printf "mem alloc name M --length %s\n", len
		src = kind != "fresh" ? "--mem M " : ""
		for (i = 0; i < n; i++) {
			iova = kind == "vary" ? sprintf("0x%x", (1 + i % 4096) * 65536) : "0x100000"
			printf "ioas map --ioas A %s--iova %s --length %s\n", src, iova, len
			printf "ioas unmap --ioas A --iova %s --length %s\n", iova, len
		}
	}'
}

# secs FILE: seconds one run of the batch FILE takes (whole process)
secs() {
	local t0 t1
	t0=$EPOCHREALTIME
	"$ctl" -b "$1" >/dev/null || { echo "iommufd-ctl -b $1 failed" >&2; return 1; }
	t1=$EPOCHREALTIME
	echo "$t1 - $t0" | bc -l
}

# loop_rate [-f] N: pairs per second of one run of the C loop
loop_rate() {
	local out
	out=$("$loop" "$@" "$len" ${dev:+"$dev"}) || { echo "iommufd-bench-loop $* failed" >&2; return 1; }
	echo "${out##*pairs_per_second=}"
}

calc() { echo "$*" | bc -l; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

gen named "$pairs" >"$tmp/named.batch"
gen named 0 >"$tmp/named.0.batch"
gen vary "$pairs" >"$tmp/vary.batch"
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
# The build is always said, also with -t (vm-bench.sh shows this line).
echo "build: $build"
[ -z "$sanitized" ] || echo "build: WARNING: a sanitizer build: these figures measure the sanitizer, not the tool"
declare -a r_named r_named_whole r_vary r_fresh
for ((i = 0; i < runs; i++)); do
	l1=$(loop_rate "$pairs") || exit 1
	b1=$(secs "$tmp/named.batch") || exit 1
	b0=$(secs "$tmp/named.0.batch") || exit 1
	v1=$(secs "$tmp/vary.batch") || exit 1
	lf=$(loop_rate -f "$fpairs") || exit 1
	f1=$(secs "$tmp/fresh.batch") || exit 1
	f0=$(secs "$tmp/fresh.0.batch") || exit 1
	np=$(calc "$pairs / ($b1 - $b0)")
	nw=$(calc "$pairs / $b1")
	vp=$(calc "$pairs / ($v1 - $b0)")
	fp=$(calc "$fpairs / ($f1 - $f0)")
	r_named[i]=$(calc "$np / $l1")
	r_named_whole[i]=$(calc "$nw / $l1")
	r_vary[i]=$(calc "$vp / $l1")
	r_fresh[i]=$(calc "$fp / $lf")
	round[i]="$np $nw $l1 $vp $fp $lf"
	[ -n "$rows_only" ] || printf 'round %d: named %.0f pairs/s per pair (%.0f whole), C loop %s: %.2f | varying IOVA %.0f: %.2f | fresh %.0f, C loop -f %s: %.2f\n' \
		$((i + 1)) "$np" "$nw" "$l1" "${r_named[i]}" "$vp" "${r_vary[i]}" "$fp" "$lf" "${r_fresh[i]}"
done
med=$(median "${r_named[@]}")
for ((i = 0; i < runs; i++)); do
	[ "${r_named[i]}" = "$med" ] && break
done
read -r np nw l1 vp fp lf <<<"${round[i]}"
ratio() { printf '%.2f' "$1"; }
# One row of the table vm-bench.sh prints (the median round by the
# named-buffer ratio; the ranges over all rounds follow the ratios).
range() { printf '%.2f-%.2f' "$(printf '%s\n' "$@" | sort -g | head -n 1)" "$(printf '%s\n' "$@" | sort -g | tail -n 1)"; }
row=$(printf '| %s | %.0f | %.0f | %.0f | **%s** (%s) | %s | %.0f | %s (%s) | %.0f | %.0f | %s (%s) |' "$variant" \
	"$np" "$nw" "$l1" "$(ratio "${r_named[i]}")" "$(range "${r_named[@]}")" "$(ratio "${r_named_whole[i]}")" \
	"$vp" "$(ratio "${r_vary[i]}")" "$(range "${r_vary[@]}")" \
	"$fp" "$lf" "$(ratio "${r_fresh[i]}")" "$(range "${r_fresh[@]}")")
if [ -n "$rows_only" ]; then
	echo "$row"
	exit 0
fi
printf 'median round: named buffer %.0f pairs/s per pair, C loop one buffer %.0f: ratio %s per pair, %s whole process\n' \
	"$np" "$l1" "$(ratio "${r_named[i]}")" "$(ratio "${r_named_whole[i]}")"
echo "$row"
