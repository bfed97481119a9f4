#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# NOT part of scripts/test-all.sh: this suite breaks the kernel on purpose.
# On the debug kernel (CONFIG_LKDTM), provoke a real KASAN use-after-free
# report and a real hung-task report through debugfs provoke-crash, so
# that one can see the whole chain turn red:
#
#   tests/vm/run-vm.sh --kernel "$(kernel/scripts/build.sh --debug --print-image)" \
#       --profile edu --suite debug-provoke --suite debug-klog
#
# must end with "debug-provoke: kernel log clean" and "debug-klog:
# 3_kernel_log_clean" both "not ok", quoting the reports. The recorded
# reports in tests/vm/fixtures/klog/ come from such a run. This suite's
# own test points check that each report appeared.

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/vm/lib/vm-suite.sh"

lkdtm=/sys/kernel/debug/provoke-crash/DIRECT

test_1_kasan_use_after_free() {
	echo READ_AFTER_FREE >"$lkdtm" 2>/dev/null
	assertTrue "KASAN reported the use-after-free" \
		"dmesg | grep -q 'BUG: KASAN: slab-use-after-free'"
}

test_2_hung_task() {
	# Report after 5 s instead of 45; the task stays stuck in D state
	# (nothing can kill it), the guest powers off regardless.
	echo 5 >/proc/sys/kernel/hung_task_timeout_secs
	(echo HUNG_TASK >"$lkdtm") &
	for _ in $(seq 60); do
		dmesg | grep -q 'blocked for more than' && break
		sleep 1
	done
	assertTrue "the hung task was reported" \
		"dmesg | grep -q 'blocked for more than'"
}

vm_require_progs dmesg
[ -w "$lkdtm" ] || tap_skip_all "no $lkdtm (the debug kernel has CONFIG_LKDTM)"
tap_run_shunit2
