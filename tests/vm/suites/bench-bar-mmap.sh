#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Not a test: runs tests/vm/helpers/bar-mmap-bench on the booted kernel
# and leaves its figures in $DU_SHARE/bench-bar-mmap.txt for
# scripts/bench-bar-mmap.sh, which boots the base and the patched kernel
# and prints them side by side. Its only test point says whether the
# benchmark ran.
#
#   tests/vm/run-vm.sh --profile ivshmem --suite bench-bar-mmap

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/vm/lib/vm-suite.sh"

test_benchmark_ran() {
	local out=$DU_SHARE/bench-bar-mmap.txt
	bar-mmap-bench --cdev "$DU_IVSHMEM_VFIO" --bar 2 \
		--rounds 200 >"$out" 2>&1
	local rc=$?
	cat "$out" >&2
	assertEquals "bar-mmap-bench ran: $(tail -n 1 "$out")" 0 "$rc"
}

vm_require_devices ivshmem
vm_require_progs bar-mmap-bench
tap_run_shunit2
