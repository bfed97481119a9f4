#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Host test (make check, no QEMU) of run-vm.sh's verdict: recorded output
# directories, clean or broken in one way each, are re-read with
# "run-vm.sh --evaluate" and must give the right TAP and exit status.
# Proves that a panic, an oops, a WARN, lockdep/KASAN/kmemleak reports, a
# taint, a hang, a dead guest, a short plan or a host-check mismatch each
# turn the run red, and that expected noise (DMAR faults) does not.

. "$top_srcdir/tests/lib/shunit2-tap.sh"

RUN_VM=${RUN_VM:-$top_srcdir/tests/vm/run-vm.sh}

oneTimeSetUp() {
	base=$(mktemp -d)
}

oneTimeTearDown() {
	rm -rf "$base"
}

# A clean run of one suite "01-s" with two passing tests.
make_run() {
	run=$base/$_shunit_test_
	rm -rf "$run"
	mkdir -p "$run/share/results"
	: >"$run/qemu.cmd"
	: >"$run/qemu.log"
	cat >"$run/run.env" <<-'EOF'
	qemu_rc=0
	wall_ms=12345
	timeout=900
	suite_timeout=300
	suite_names=(01-s)
	host_files=()
	EOF
	echo 3.21 >"$run/share/boot-uptime"
	echo ok >"$run/share/done"
	printf '1..2\nok 1 - a\nok 2 - b\n' >"$run/share/results/01-s.tap"
	printf 'test_a\ntest_b\n' >"$run/share/results/01-s.log"
	echo "0 2500" >"$run/share/results/01-s.rc"
	cat >"$run/console.log" <<-'EOF'
	[    0.000000] Linux version 7.3.4
	[    0.800000] DMAR: Intel(R) Virtualization Technology for Directed I/O
	du-vm: init at 3.21s: 7.3.4
	[    3.500000] du-vm: begin suite 01-s
	[    4.000000] DMAR: DRHD: handling fault status reg 2
	[    4.000100] DMAR: [DMA Write NO_PASID] Request device [0000:00:10.0] fault addr 0x1000000
	[    6.000000] du-vm: end suite 01-s
	[    6.100000] reboot: Power down
	EOF
}

# console_insert SEGMENT LINE: add a kernel line to boot, suite or shutdown.
console_insert() {
	local after
	case "$1" in
	boot) after='DMAR: Intel' ;;
	suite) after='begin suite 01-s' ;;
	shutdown) after='end suite 01-s' ;;
	esac
	sed -i "/$after/a $2" "$run/console.log"
}

evaluate() {
	"$RUN_VM" --evaluate "$run" >"$run/out.tap" 2>"$run/err"
	status=$?
	cat "$run/out.tap" "$run/err" >&2
}

# assert_point STATE DESCRIPTION: the TAP has "STATE N - DESCRIPTION".
assert_point() {
	grep -qE "^$1 [0-9]+ - $2" "$run/out.tap"
	assertTrue "'$1 - $2' in the TAP" $?
}

assert_red() {
	assertEquals "exit status" 1 "$status"
	assertTrue "at least one 'not ok'" "grep -q '^not ok' '$run/out.tap'"
}

assert_valid_tap() {
	local plan n
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$run/out.tap")
	n=$(grep -cE '^(not )?ok [0-9]+ ' "$run/out.tap")
	assertEquals "plan matches the test points" "$plan" "$n"
	assertEquals "no stray lines" "" \
		"$(grep -vE '^(TAP version 13|1\.\.[0-9]+|(not )?ok [0-9]+ - .*|#.*)$' "$run/out.tap")"
}

test_clean_run_is_green() {
	make_run
	evaluate
	assertEquals "exit status" 0 "$status"
	assert_valid_tap
	assertEquals "test points" 7 "$(grep -c '^ok ' "$run/out.tap")"
	assert_point ok 'vm: boot reached guest init \(3.21 s\)'
	assert_point ok 's: a$'
	assert_point ok 's: suite completed \(2.500 s\)'
	assert_point ok 's: kernel log clean'
	assert_point ok 'vm: clean shutdown'
}

test_panic_at_boot_is_red() {
	make_run
	rm "$run/share/boot-uptime" "$run/share/done" "$run/share/results/"*
	sed -i '/du-vm/,$d' "$run/console.log"
	console_insert boot '[    2.000000] Kernel panic - not syncing: Attempted to kill init!'
	evaluate
	assert_red
	assert_valid_tap
	assert_point 'not ok' 'vm: boot reached guest init'
	assert_point 'not ok' 'vm: boot: kernel log clean'
	assert_point 'not ok' 's: suite completed'
	assert_point 'not ok' 'vm: clean shutdown'
}

test_oops_in_suite_is_red() {
	make_run
	console_insert suite '[    5.000000] Oops: general protection fault, probably for non-canonical address'
	evaluate
	assert_red
	assert_point ok 'vm: boot: kernel log clean'
	assert_point 'not ok' 's: kernel log clean'
	assertTrue "the oops is quoted" "grep -q '^#.*Oops: general protection' '$run/out.tap'"
}

test_warn_in_suite_is_red() {
	make_run
	console_insert suite '[    5.000000] WARNING: CPU: 0 PID: 1 at drivers/vfio/pci/vfio_pci_dmabuf.c:100 f+0x1/0x2'
	evaluate
	assert_red
	assert_point 'not ok' 's: kernel log clean'
}

test_lockdep_report_is_red() {
	make_run
	console_insert suite '[    5.000000] ======================================================'
	console_insert suite '[    5.000001] WARNING: possible circular locking dependency detected'
	evaluate
	assert_red
	assert_point 'not ok' 's: kernel log clean'
}

test_inconsistent_lock_state_is_red() {
	make_run
	console_insert suite '[    5.000001] inconsistent {HARDIRQ-ON-W} -> {IN-HARDIRQ-W} usage.'
	console_insert suite '[    5.000000] [ BUG: inconsistent lock state ]'
	evaluate
	assert_red
}

test_kasan_report_is_red() {
	make_run
	console_insert suite '[    5.000000] BUG: KASAN: slab-use-after-free in vfio_pci_dma_buf_release+0x1/0x2'
	evaluate
	assert_red
	assert_point 'not ok' 's: kernel log clean'
}

test_kmemleak_report_is_red() {
	make_run
	console_insert suite '[    5.000000] kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)'
	evaluate
	assert_red
}

test_sleeping_in_atomic_is_red() {
	make_run
	console_insert suite '[    5.000000] BUG: sleeping function called from invalid context at mm/memory.c:1'
	evaluate
	assert_red
}

test_taint_during_suite_is_red() {
	make_run
	console_insert suite '[    5.900000] du-vm: TAINT changed from 0 to 512 during 01-s'
	evaluate
	assert_red
}

test_warn_after_suites_fails_shutdown() {
	make_run
	console_insert shutdown '[    6.050000] WARNING: CPU: 0 PID: 1 at kernel/exit.c:1 f+0x1/0x2'
	evaluate
	assert_red
	assert_point ok 's: kernel log clean'
	assert_point 'not ok' 'vm: clean shutdown'
}

test_dmar_faults_are_not_failures() {
	make_run
	evaluate
	assertEquals "exit status" 0 "$status"
	assert_point ok 's: kernel log clean'
}

test_failed_guest_test_is_red_with_reason() {
	make_run
	printf '1..2\nok 1 - a\nnot ok 2 - b\n' >"$run/share/results/01-s.tap"
	printf 'test_a\ntest_b\nASSERT:BAR size expected:<1> but was:<2>\n' \
		>"$run/share/results/01-s.log"
	echo "1 2500" >"$run/share/results/01-s.rc"
	evaluate
	assert_red
	assert_valid_tap
	assert_point 'not ok' 's: b$'
	assert_point ok 's: suite completed'
	assertTrue "the assertion is quoted" "grep -q '^#   ASSERT:BAR size' '$run/out.tap'"
}

test_guest_died_during_suite_is_red() {
	make_run
	printf '1..2\nok 1 - a\n' >"$run/share/results/01-s.tap"
	rm "$run/share/results/01-s.rc" "$run/share/done"
	sed -i '/end suite/,$d' "$run/console.log"
	evaluate
	assert_red
	assert_point 'not ok' 's: suite completed'
	assert_point 'not ok' 'vm: clean shutdown'
}

test_suite_timeout_is_red() {
	make_run
	printf '1..2\nok 1 - a\n' >"$run/share/results/01-s.tap"
	echo "137 300000" >"$run/share/results/01-s.rc"
	evaluate
	assert_red
	assert_point 'not ok' 's: suite completed'
	assertTrue "timeout explained" "grep -q 'timed out after 300 s' '$run/out.tap'"
}

# guest-init.sh appends the tasks stuck in D state to the suite's log when
# the timeout strikes: the report shows them, not the log's last lines.
test_suite_timeout_names_stuck_tasks() {
	make_run
	printf '1..2\nok 1 - a\n' >"$run/share/results/01-s.tap"
	echo "137 300000" >"$run/share/results/01-s.rc"
	cat >>"$run/share/results/01-s.log" <<-'EOF'
	du-vm: suite timed out; tasks in D state:
	du-vm:   pid 321 (p2p-probe -j --matrix --verify ) wchan pci_dev_wait
	du-vm:     [<0>] pci_dev_wait+0x5c/0x170
	du-vm:     [<0>] vfio_pci_core_enable+0x1a/0x2c0
	EOF
	# a real stack is longer than the ten last lines shown otherwise
	for f in vfio_df_open vfio_df_ioctl_bind_iommufd vfio_device_fops_unl_ioctl \
		 __x64_sys_ioctl do_syscall_64 entry_SYSCALL_64_after_hwframe \
		 f7 f8 f9 f10; do
		echo "du-vm:     [<0>] $f+0x10/0x100" >>"$run/share/results/01-s.log"
	done
	evaluate
	assert_red
	assert_point 'not ok' 's: suite completed'
	assertTrue "stuck task named" "grep -q '^#.*pid 321 (p2p-probe' '$run/out.tap'"
	assertTrue "its stack shown" "grep -q '^#.*vfio_pci_core_enable+0x1a' '$run/out.tap'"
	assert_valid_tap
}

test_vm_hang_is_red() {
	make_run
	sed -i 's/^qemu_rc=0/qemu_rc=124/' "$run/run.env"
	rm "$run/share/done"
	evaluate
	assert_red
	assertTrue "hang explained" "grep -q 'hang: QEMU killed after the 900 s timeout' '$run/out.tap'"
}

# A boot that stopped before init and was booted again (run-vm.sh's
# --boot-stall): green when the second boot worked, with a note saying so.
test_boot_stopped_once_then_worked_is_green_with_a_note() {
	make_run
	printf 'boot_stall=60\nboot_hung=0\nboot_retried=1\n' >>"$run/run.env"
	evaluate
	assertEquals "exit status" 0 "$status"
	assert_valid_tap
	assert_point ok 'vm: boot reached guest init \(3.21 s\)'
	assertTrue "the retry noted" "grep -q '^# boot: the first boot stopped before init (no console output for 60 s; kept as console.boot-hang.log); this is the second' '$run/out.tap'"
}

test_boot_stopped_twice_is_red() {
	make_run
	sed -i 's/^qemu_rc=0/qemu_rc=143/' "$run/run.env"
	printf 'boot_stall=60\nboot_hung=1\nboot_retried=1\n' >>"$run/run.env"
	rm "$run/share/boot-uptime" "$run/share/done" "$run/share/results/"*
	sed -i '/du-vm: init at/,$d' "$run/console.log"
	evaluate
	assert_red
	assert_valid_tap
	assert_point "not ok" 'vm: boot reached guest init$'
	assertTrue "the stop explained" "grep -q 'the boot stopped twice: no console output for 60 s before init' '$run/out.tap'"
}

test_short_plan_is_red() {
	make_run
	printf '1..3\nok 1 - a\nok 2 - b\n' >"$run/share/results/01-s.tap"
	evaluate
	assert_red
	assertTrue "plan mismatch explained" "grep -q 'planned 3 tests, reported 2' '$run/out.tap'"
}

test_nonzero_exit_without_failure_is_red() {
	make_run
	echo "2 2500" >"$run/share/results/01-s.rc"
	evaluate
	assert_red
	assert_point 'not ok' 's: suite completed'
}

test_skipped_suite_is_green() {
	make_run
	echo '1..0 # SKIP device ivshmem missing' >"$run/share/results/01-s.tap"
	evaluate
	assertEquals "exit status" 0 "$status"
	assert_valid_tap
	assert_point ok 's # SKIP device ivshmem missing'
}

test_host_check_compares_bytes() {
	make_run
	local d=$run/share/host-checks/01-s
	mkdir -p "$d"
	printf 'abcd' >"$d/001.bin"
	printf 'wxyz' >"$d/002.bin"
	printf '0123abcd89' >"$run/share/dev.shm"
	printf '001.bin\tdev.shm\t4\tgood bytes\n002.bin\tdev.shm\t4\tbad bytes\n' >"$d/checks"
	evaluate
	assert_red
	assert_point ok 's: host: good bytes'
	assert_point 'not ok' 's: host: bad bytes'
}

tap_run_shunit2
