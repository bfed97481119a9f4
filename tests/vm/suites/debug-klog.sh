#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The last suite of every debug-kernel boot (scripts/test-all.sh): after
# the other suites have run, check that the debug kernel's checkers were
# armed all along, have kmemleak scan the whole memory, and scan the whole
# kernel log (boot and every suite) with the same scanner the host uses
# (tests/vm/lib/klog-scan.sh). Any KASAN, lockdep, hung-task, kmemleak,
# BUG or WARN report fails it, and the report's lines are printed as TAP
# diagnostics:
#
#   tests/vm/run-vm.sh --kernel "$(kernel/scripts/build.sh --debug --print-image)" \
#       --profile p2p --suite series-dmabuf --suite debug-klog
#
# (guest-init.sh has mounted debugfs.) tests/vm/klog-selftest.sh runs this
# suite on the host with DU_KLOG_DMESG=FILE, a recorded kernel log read
# instead of dmesg, to prove that test 3 fails on real reports.

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/vm/lib/vm-suite.sh"
. "$top_srcdir/tests/vm/lib/klog-scan.sh"

kmemleak=/sys/kernel/debug/kmemleak

klog() {
	if [ -n "${DU_KLOG_DMESG:-}" ]; then cat "$DU_KLOG_DMESG"; else dmesg; fi
}

# Without these the debug boot would pass without having looked.
test_1_debug_checkers_armed() {
	assertTrue "KASAN initialized at boot (dmesg)" \
		"klog | grep -q 'KernelAddressSanitizer initialized'"
	# (lockdep switching itself off is a report of its own, which
	# test 3 catches; /proc/lockdep_stats would say so too, but reading
	# it walks every lock class's dependencies: minutes under TCG.)
	assertTrue "lockdep (PROVE_LOCKING) initialized at boot (dmesg)" \
		"klog | grep -q 'Lock dependency validator'"
	assertTrue "kmemleak present and on ($kmemleak)" "[ -r $kmemleak ]"
	local t
	t=$(cat /proc/sys/kernel/hung_task_timeout_secs 2>/dev/null)
	tap_diag "hung_task_timeout_secs=${t:-missing}"
	assertTrue "hung-task detection on (timeout ${t:-missing} s)" \
		"[ '${t:-0}' -gt 0 ] 2>/dev/null"
}

test_2_kmemleak_scan_clean() {
	if [ ! -w "$kmemleak" ]; then
		fail "no $kmemleak to scan (debug kernel without kmemleak?)"
		return
	fi
	# Objects younger than 5 s are never reported; the second scan
	# confirms what the first found (kmemleak reports an object once it
	# stayed unreferenced over a scan).
	sleep 5
	echo scan >"$kmemleak" && echo scan >"$kmemleak"
	local leaks
	leaks=$(cat "$kmemleak")
	if [ -n "$leaks" ]; then
		tap_diag "kmemleak: $(grep -c '^unreferenced object' <<<"$leaks") unreferenced objects; first lines:"
		tap_diag "$(head -n 40 <<<"$leaks")"
	fi
	[ -z "$leaks" ]
	assertTrue "kmemleak reports no unreferenced object (see the diagnostics)" $?
}

test_3_kernel_log_clean() {
	local hits
	klog >dmesg.txt
	hits=$(klog_scan dmesg.txt)
	if [ -n "$hits" ]; then
		tap_diag "kernel log reports (line:text, first $(wc -l <<<"$hits")):"
		tap_diag "$hits"
	fi
	[ -z "$hits" ]
	assertTrue "no sanitizer, lockdep, hung-task, kmemleak, BUG or WARN report in dmesg (see the diagnostics)" $?
}

[ -n "${DU_SHARE:-}" ] || tap_skip_all "not in a run-vm.sh guest (DU_SHARE unset)"
tap_run_shunit2
