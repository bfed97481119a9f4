#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Benchmark (figures, not a test): time and peak memory of iommufd-ctl
# batches against their size, to show how batch processing scales.  Runs
# anywhere: every batch is run with --dry-run (-n), which goes through the
# same reading, lexing, option parsing, object and mapping bookkeeping and
# output as a real run, and skips only /dev/iommu, the ioctls and the
# memory a real "ioas map" maps.
#
#   batch-scaling.sh [-b IOMMUFD-CTL] [-s "10000 20000 ..."] [-t SECONDS] [-w WORKLOADS]
#
# -b  the binary (default: iommufd-ctl from PATH); build it without
#     --enable-asan for meaningful figures (ASan multiplies time and memory)
# -s  batch sizes in lines (default: 10000 20000 40000 100000 200000)
# -t  give up on one run after this many seconds (default 120)
# -w  workloads to run, among: alloc alloc-json maps pairs mem-pairs churn
#     (default: all)
#
# Workloads (N lines each):
#   alloc       N x "ioas alloc name A<i>": N named objects (the name index)
#   alloc-json  the same with -j (one JSON document of N results)
#   maps        "ioas alloc", then N-1 x "ioas map --length 4K": N live
#               mappings at IOVAs the dry run chooses as the kernel would
#   pairs       map + unmap of 64K at a fixed IOVA, N/2 times (what
#               bench/run.sh measures for real in the VM), fresh memory
#   mem-pairs   the same with one named buffer ("mem alloc name M", then
#               "ioas map --mem M"): bench/run.sh's named-buffer variant
#   churn       (ioas alloc name A; ioas map --length 4K; ioas destroy
#               --ioas A) N/3 times: memory must stay flat
#
# Prints one line per run: workload, lines, wall and CPU seconds, CPU
# microseconds per line and the peak resident set (from wait4()).  On a
# loaded machine trust the CPU column more than the wall one.

set -u
bin=iommufd-ctl
sizes="10000 20000 40000 100000 200000"
limit=120
workloads="alloc alloc-json maps pairs mem-pairs churn"
while getopts b:s:t:w: o; do
	case $o in
	b) bin=$OPTARG ;;
	s) sizes=$OPTARG ;;
	t) limit=$OPTARG ;;
	w) workloads=$OPTARG ;;
	*) sed -n '/^#   batch-scaling.sh/p' "$0" >&2; exit 2 ;;
	esac
done

here=$(cd "$(dirname "$0")" && pwd)
rusage=$(command -v iommufd-bench-rusage || true)
[ -z "$rusage" ] && [ -x "$here/../../../iommufd-bench-rusage" ] && rusage=$here/../../../iommufd-bench-rusage
if [ -z "$rusage" ]; then
	echo "batch-scaling.sh: iommufd-bench-rusage not found (build it: make iommufd-bench-rusage)" >&2
	exit 2
fi
binpath=$(command -v "$bin") || { echo "batch-scaling.sh: $bin not found" >&2; exit 2; }
if grep -q __asan_init "$binpath" 2>/dev/null; then
	echo "# warning: $binpath is built with ASan: figures are inflated" >&2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gen() {
	local w=$1 n=$2
	case $w in
	alloc | alloc-json)
		awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++) printf "ioas alloc name A%d\n", i }' ;;
	maps)
		awk -v n="$n" 'BEGIN { print "ioas alloc name A"; for (i = 2; i <= n; i++) print "ioas map --length 4K" }' ;;
	pairs)
		awk -v n="$n" 'BEGIN { print "ioas alloc name A"; for (i = 1; i < n; i += 2) { print "ioas map --ioas A --iova 0x100000 --length 64K"; print "ioas unmap --ioas A --iova 0x100000 --length 64K" } }' ;;
	mem-pairs)
		awk -v n="$n" 'BEGIN { print "ioas alloc name A"; print "mem alloc name M --length 64K"; for (i = 2; i < n; i += 2) { print "ioas map --ioas A --mem M --iova 0x100000 --length 64K"; print "ioas unmap --ioas A --iova 0x100000 --length 64K" } }' ;;
	churn)
		awk -v n="$n" 'BEGIN { for (i = 0; i + 3 <= n; i += 3) { print "ioas alloc name A"; print "ioas map --length 4K"; print "ioas destroy --ioas A" } }' ;;
	esac
}

echo "# iommufd-ctl batch scaling, dry run (-n); binary: $binpath"
echo "# $(uname -srm), $(nproc) CPUs, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-11s %8s %9s %9s %12s %12s %s\n' workload lines wall_s cpu_s cpu_us/line peak_rss_MB status
for w in $workloads; do
	for n in $sizes; do
		gen "$w" "$n" >"$tmp/batch"
		lines=$(wc -l <"$tmp/batch")
		args=(-n -b -)
		[ "$w" = alloc-json ] && args=(-n -j -b -)
		r=$("$rusage" "$tmp/batch" timeout "$limit" "$binpath" "${args[@]}")
		# status=S wall=W cpu=C maxrss_kb=K
		eval "${r// / ; }"
		# shellcheck disable=SC2154
		if [ "$status" = 124 ]; then
			printf '%-11s %8d %9s %9s %12s %12s %s\n' "$w" "$lines" ">$limit" - - - "timeout"
			continue
		fi
		# shellcheck disable=SC2154
		printf '%-11s %8d %9.2f %9.2f %12.2f %12.1f %s\n' "$w" "$lines" "$wall" "$cpu" \
			"$(echo "$cpu * 1000000 / $lines" | bc -l)" "$(echo "$maxrss_kb / 1024" | bc -l)" \
			"$([ "$status" = 0 ] && echo ok || echo "exit $status")"
	done
done
