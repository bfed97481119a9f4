#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Host test (make check, no QEMU) of the kernel-log scanner
# (tests/vm/lib/klog-scan.sh) on kernel logs in tests/vm/fixtures/klog: a
# hung-task report recorded from the debug kernel (LKDTM HUNG_TASK through
# suites/debug-provoke.sh), a KASAN use-after-free, a lockdep
# circular-dependency report and a kmemleak report written in the
# kernel's format, and the console of a real clean boot of the debug
# kernel (with its series-kselftest run). Each report must be found by klog_scan, fail the debug boot's
# "kernel log clean" test (suites/debug-klog.sh run here on the recorded
# log instead of dmesg) with the report's lines in its diagnostics, and
# fail run-vm.sh's verdict on a run whose console holds it; the clean boot
# must pass all three.

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/vm/lib/klog-scan.sh"

fix=$top_srcdir/tests/vm/fixtures/klog
RUN_VM=$top_srcdir/tests/vm/run-vm.sh

oneTimeSetUp() {
	work=$(mktemp -d)
}

oneTimeTearDown() {
	rm -rf "$work"
}

# scan FIXTURE: klog_scan's output in $hits, its status in $status
scan() {
	hits=$(klog_scan "$fix/$1")
	status=$?
	printf '%s\n' "$hits" >&2
}

# run_suite FIXTURE: run suites/debug-klog.sh on the fixture; TAP in $tap
run_suite() {
	local d=$work/suite-$1
	mkdir -p "$d"
	tap=$(cd "$d" && DU_SHARE=$d DU_KLOG_DMESG=$fix/$1 \
		bash "$top_srcdir/tests/vm/suites/debug-klog.sh" 2>"$d/err")
	printf '%s\n' "$tap" >&2
}

# evaluate FIXTURE: run-vm.sh --evaluate on a recorded run whose one
# suite logged the fixture; TAP in $tap, exit status in $status
evaluate() {
	local run=$work/run-$1
	rm -rf "$run"
	mkdir -p "$run/share/results"
	: >"$run/qemu.log"
	printf 'qemu_rc=0\nwall_ms=1000\ntimeout=900\nsuite_timeout=300\nsuite_names=(01-s)\nhost_files=()\n' \
		>"$run/run.env"
	echo 3.21 >"$run/share/boot-uptime"
	echo ok >"$run/share/done"
	printf '1..1\nok 1 - a\n' >"$run/share/results/01-s.tap"
	: >"$run/share/results/01-s.log"
	echo "0 1000" >"$run/share/results/01-s.rc"
	{
		echo "[    0.000000] Linux version 7.3.4"
		echo "[    3.500000] du-vm: begin suite 01-s"
		grep -v 'du-vm: \(begin\|end\) suite' "$fix/$1"
		echo "[  200.000000] du-vm: end suite 01-s"
	} >"$run/console.log"
	tap=$("$RUN_VM" --evaluate "$run" 2>/dev/null)
	status=$?
	printf '%s\n' "$tap" >&2
}

# assert_reported FIXTURE LINE-REGEX: found by all three, LINE quoted
assert_reported() {
	scan "$1"
	assertEquals "$1: klog_scan finds a report" 0 "$status"
	assertTrue "$1: klog_scan prints '$2'" "grep -qE -- '$2' <<<\"\$hits\""
	run_suite "$1"
	assertTrue "$1: debug-klog's kernel log test fails" \
		"grep -q '^not ok 3 - 3_kernel_log_clean' <<<\"\$tap\""
	assertTrue "$1: debug-klog quotes '$2'" \
		"grep -qE -- '^# [0-9]+:.*($2)' <<<\"\$tap\""
	evaluate "$1"
	assertEquals "$1: run-vm.sh verdict" 1 "$status"
	assertTrue "$1: run-vm.sh fails the suite's kernel log" \
		"grep -q '^not ok [0-9]* - s: kernel log clean' <<<\"\$tap\""
	assertTrue "$1: run-vm.sh quotes '$2'" \
		"grep -qE -- '^#   [0-9]+:.*($2)' <<<\"\$tap\""
}

test_kasan_use_after_free() {
	assert_reported kasan-use-after-free.txt 'BUG: KASAN: slab-use-after-free in '
}

test_lockdep_circular_dependency() {
	assert_reported lockdep-circular.txt 'WARNING: possible circular locking dependency detected'
}

test_hung_task() {
	assert_reported hung-task.txt 'INFO: task .* blocked for more than [0-9]+ seconds'
}

test_kmemleak() {
	assert_reported kmemleak.txt 'kmemleak: [0-9]+ new suspected memory leaks'
}

test_clean_debug_boot_passes() {
	scan clean-debug-boot.txt
	assertEquals "klog_scan finds nothing" 1 "$status"
	assertEquals "and prints nothing" "" "$hits"
	run_suite clean-debug-boot.txt
	assertTrue "debug-klog's kernel log test passes" \
		"grep -q '^ok 3 - 3_kernel_log_clean' <<<\"\$tap\""
	evaluate clean-debug-boot.txt
	assertEquals "run-vm.sh verdict" 0 "$status"
}

tap_run_shunit2
