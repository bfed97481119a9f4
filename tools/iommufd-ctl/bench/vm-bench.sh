#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run the iommufd-ctl benchmark in the VM, without and with a device
# attached, one after the other in one boot, and print the table (TAP
# diagnostics, one test point per variant: "the benchmark ran"):
#   tests/vm/run-vm.sh --profile edu --suite tools/iommufd-ctl/bench/vm-bench.sh
# BENCH_ARGS (e.g. "-n 50000 -r 5") go to run.sh.

bench=$top_srcdir/tools/iommufd-ctl/bench/run.sh
echo "1..2"
n=1
rows=()
builds=()
for dev in "" "${DU_EDU_BDF:-}"; do
	if [ -z "$dev" ] && [ $n = 2 ]; then
		echo "ok $n - bench with a device # SKIP no edu device"
		n=$((n + 1))
		continue
	fi
	label="without device"
	[ -n "$dev" ] && label="with device $dev"
	# shellcheck disable=SC2086
	if out=$(bash "$bench" ${BENCH_ARGS:-} ${dev:+-d "$dev"} 2>&1); then
		echo "ok $n - bench $label"
		rows+=("$(tail -n 1 <<<"$out")")
		builds+=("$(grep '^build: ' <<<"$out")")
	else
		echo "not ok $n - bench $label"
	fi
	sed 's/^/# /' <<<"$out"
	n=$((n + 1))
done
{
	# Which binaries ran (run.sh refuses a sanitizer build without -a).
	printf '%s\n' "${builds[@]}" | sort -u
	echo "| variant | batch, named buffer: pairs/s per pair | same, whole process | C loop, one buffer | ratio per pair (range) | ratio whole process | named buffer, varying IOVA: per pair | ratio (range) | batch, fresh memory: per pair | C loop, fresh mmap | ratio (range) |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	printf '%s\n' "${rows[@]}"
} | sed 's/^/bench: /' | tee /dev/stderr | sed 's/^bench: /# /'
