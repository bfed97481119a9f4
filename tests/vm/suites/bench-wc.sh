#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Not a test: runs tests/vm/helpers/wc-bench on the booted kernel (two
# 4 MiB buffers of ivshmem BAR2 at 48 MiB, one NC and one WC) and leaves
# its figures in $DU_SHARE/bench-wc.txt for scripts/bench-wc.sh. Its
# only test point says whether the benchmark ran.
#
#   tests/vm/run-vm.sh --profile ivshmem --suite bench-wc

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/vm/lib/vm-suite.sh"

test_benchmark_ran() {
	local out=$DU_SHARE/bench-wc.txt
	wc-bench --cdev "$DU_IVSHMEM_VFIO" --bar 2 --offset 48M \
		--size 4M --rounds 9 >"$out" 2>&1
	local rc=$?
	cat "$out" >&2
	assertEquals "wc-bench ran: $(tail -n 1 "$out")" 0 "$rc"
}

vm_require_devices ivshmem
vm_require_progs wc-bench
tap_run_shunit2
