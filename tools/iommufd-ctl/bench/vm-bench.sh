#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run the iommufd-ctl benchmark in the VM and report the figures as TAP
# diagnostics (one test point: "the benchmark ran"):
#   tests/vm/run-vm.sh --profile edu --suite tools/iommufd-ctl/bench/vm-bench.sh

bench=$top_srcdir/tools/iommufd-ctl/bench/run.sh
echo "1..2"
n=1
for dev in "" "${DU_EDU_BDF:-}"; do
	if [ -z "$dev" ] && [ $n = 2 ]; then
		echo "ok $n - bench with a device # SKIP no edu device"
		n=$((n + 1))
		continue
	fi
	label="without device"
	[ -n "$dev" ] && label="with device $dev"
	if out=$(bash "$bench" -n 2000 -l 64K ${dev:+-d "$dev"} 2>&1); then
		echo "ok $n - bench $label"
	else
		echo "not ok $n - bench $label"
	fi
	sed 's/^/# /' <<<"$out"
	sed 's/^/bench: /' <<<"$out" >&2
	n=$((n + 1))
done
