#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/lib/shunit2-tap.sh, the wrapper every shunit2 suite of the project
# runs through: a made-up suite with a passing, a failing and a skipped
# test must give the right TAP and the same summary shunit2 prints on its
# own, and its assertions must not start an `expr` each (the wrapper's
# counters; each process costs up to a second in the debug guests).

. "$top_srcdir/tests/lib/shunit2-tap.sh"

oneTimeSetUp() {
	work=$(mktemp -d)
	# an expr that logs each call, first in PATH
	mkdir "$work/bin"
	cat >"$work/bin/expr" <<-EOF
	#!/bin/sh
	echo "\$*" >>"$work/expr.calls"
	exec $(command -v expr) "\$@"
	EOF
	chmod +x "$work/bin/expr"
	cat >"$work/suite.sh" <<-'EOF'
	. "$top_srcdir/tests/lib/shunit2-tap.sh"
	test_a_passes() {
		assertEquals one 1 1
		assertEquals two 2 2
		assertTrue three "[ 3 -eq 3 ]"
		assertNotNull four x
	}
	test_b_fails() {
		assertEquals "meant to fail" 1 2
		assertEquals after 5 5
	}
	test_c_skips() {
		skip_test "no device here"
		assertEquals skipped 1 2
	}
	tap_run_shunit2
	EOF
}

oneTimeTearDown() {
	rm -rf "$work"
}

run_suite() {
	: >"$work/expr.calls"
	PATH=$work/bin:$PATH bash "$work/suite.sh" >"$work/tap" 2>"$work/err"
	rc=$?
}

test_tap_of_pass_fail_skip() {
	run_suite
	assertEquals "exit status (a test failed)" 1 "$rc"
	assertEquals "TAP" "1..3
ok 1 - a_passes
not ok 2 - b_fails
ok 3 - c_skips # SKIP no device here" "$(cat "$work/tap")"
}

test_shunit2_summary_unchanged() {
	run_suite
	assertContains "tests run" "$(cat "$work/err")" "Ran 3 tests."
	# 4 + 2 + 1 assertions: 1 failed, 1 skipped; shunit2's own wording
	assertContains "failures and skips" "$(cat "$work/err")" \
		"FAILED (failures=1,skipped=1)"
	assertContains "the failed assertion's message" "$(cat "$work/err")" \
		"ASSERT:meant to fail expected:<1> but was:<2>"
}

test_assertions_start_no_process() {
	run_suite
	local n
	# shunit2 2.1.8 counts with "expr N + 1": twice per assertion, once
	# per test added and once per test run; only the last are left
	n=$(grep -c ' + 1$' "$work/expr.calls")
	assertEquals "expr counting calls (one per test run): $(tr '\n' ';' <"$work/expr.calls")" \
		3 "$n"
}

tap_run_shunit2
