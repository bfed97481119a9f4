# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# The kernel-log scanner: what in a kernel log fails a run. One definition,
# used on the host by run-vm.sh (the console, split per suite) and in the
# guest by suites/debug-klog.sh (dmesg after every suite, after a kmemleak
# scan), and tested on recorded reports by tests/vm/klog-selftest.sh.
#
#     . "$top_srcdir/tests/vm/lib/klog-scan.sh"
#     klog_scan FILE          # or: dmesg | klog_scan

# Kernel messages that fail a run wherever they appear: panics, oopses,
# BUG/WARN (WARN_ON, DEBUG_VM's VM_WARN/VM_BUG, DEBUG_ATOMIC_SLEEP's
# "BUG: sleeping function called from invalid context"), lockdep's reports
# (each starts with "WARNING: possible ..." or "WARNING: inconsistent ...",
# and lockdep switching itself off), RCU stalls, soft/hard lockups, hung
# tasks, KASAN/UBSAN/KFENCE, kmemleak, list and refcount corruption, and
# the guest init's note that the taint flags changed during a suite.
KLOG_BAD_RE='Kernel panic|BUG:|Oops|WARNING:|general protection fault|kernel BUG at|Unable to handle|'
KLOG_BAD_RE+='invalid opcode:|double fault|Call Trace:|possible circular locking|possible recursive locking|'
KLOG_BAD_RE+='inconsistent lock state|bad unlock balance|suspicious RCU usage|lock held when returning|'
KLOG_BAD_RE+='lock order detected|possible irq lock inversion|turning off the locking correctness validator|'
KLOG_BAD_RE+='detected stall|soft lockup|hard LOCKUP|blocked for more than|KASAN:|UBSAN:|KFENCE:|'
KLOG_BAD_RE+='new suspected memory leaks|unreferenced object|list_add corruption|list_del corruption|'
KLOG_BAD_RE+='refcount_t:|stack-protector|page dumped because|du-vm: TAINT'

# klog_scan [FILE]: print the report lines of a kernel log (FILE, else
# stdin) as "LINE:TEXT", at most $KLOG_MAX (20) of them. Exit status 0
# when it found a report, 1 when the log is clean, 2 if FILE is unreadable.
klog_scan() {
	grep -nE -m "${KLOG_MAX:-20}" -e "$KLOG_BAD_RE" -- "${1:--}"
}
