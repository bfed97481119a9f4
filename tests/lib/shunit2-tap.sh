# SPDX-License-Identifier: GPL-2.0-or-later
#
# Make a shunit2 suite a TAP producer, so that automake's TAP driver and
# the VM harness count every test function as one result.
#
# Use, at the top of a suite:
#     . "$top_srcdir/tests/lib/shunit2-tap.sh"
# then define test_* functions, optionally suite_setUp / suite_tearDown
# (per test) and oneTimeSetUp / oneTimeTearDown, and end with
#     tap_run_shunit2
# (no argument: shunit2 would take one as the name of a test to run)
#
# Inside a test:
#     skip_test "reason"   report this test as SKIP (the rest of its
#                          assertions are not evaluated)
# Before tap_run_shunit2 (e.g. when a required device is missing):
#     tap_skip_all "reason" report the whole suite as skipped and exit 0
#
# shunit2's own chatter goes to stderr; stdout carries only TAP.

: "${SHUNIT2:=$(command -v shunit2 || echo /usr/share/shunit2/shunit2)}"
: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"

_tap_n=0
_tap_skip_reason=

exec 3>&1 1>&2	# fd 3: TAP; everything else to stderr

tap_skip_all() {
	echo "1..0 # SKIP $*" >&3
	exit 0
}

skip_test() {
	_tap_skip_reason=$*
	startSkipping
}

# Diagnostics that should appear in the TAP log.
tap_diag() {
	local l
	while IFS= read -r l; do echo "# $l" >&3; done <<<"$*"
}

setUp() {
	_tap_skip_reason=
	if declare -F suite_setUp >/dev/null; then suite_setUp; fi
}

tearDown() {
	# shunit2 calls tearDown once more from its exit trap: not a test.
	[ -n "${_shunit_test_:-}" ] || return 0
	if declare -F suite_tearDown >/dev/null; then suite_tearDown; fi
	_tap_n=$((_tap_n + 1))
	local name=${_shunit_test_#test_}
	# From shunit2's INT/TERM trap: the test was cut short.
	case "${_shunit_name_:-}" in
	INT|TERM)
		echo "not ok $_tap_n - $name # interrupted by SIG${_shunit_name_}" >&3
		return 0 ;;
	esac
	# A failure stands even if the test skipped its remaining checks.
	if [ "${__shunit_testSuccess}" != "${SHUNIT_TRUE}" ]; then
		echo "not ok $_tap_n - $name" >&3
	elif [ -n "$_tap_skip_reason" ]; then
		echo "ok $_tap_n - $name # SKIP $_tap_skip_reason" >&3
	else
		echo "ok $_tap_n - $name" >&3
	fi
	return 0
}

# shunit2 2.1.8 counts every assertion with two `expr` commands, each a
# fork and an exec: about 0.1 s under TCG and a second on the debug
# kernel, where a suite makes hundreds of assertions. shunit2 calls
# suite() after defining its internals and before the first test; there
# the counters are replaced by shell arithmetic (same variables, same
# values: the summary shunit2 prints is unchanged). Only for the version
# whose functions these are; any other version keeps its own.
_tap_fast_counters() {
	[ "${SHUNIT_VERSION:-}" = 2.1.8 ] || return 0
	_shunit_assertPass() {
		__shunit_assertsPassed=$((__shunit_assertsPassed + 1))
		__shunit_assertsTotal=$((__shunit_assertsTotal + 1))
	}
	_shunit_incFailedCount() {
		__shunit_assertsFailed=$((__shunit_assertsFailed + 1))
		__shunit_assertsTotal=$((__shunit_assertsTotal + 1))
	}
	_shunit_assertSkip() {
		__shunit_assertsSkipped=$((__shunit_assertsSkipped + 1))
		__shunit_assertsTotal=$((__shunit_assertsTotal + 1))
	}
	suite_addTest() {
		__shunit_suite="${__shunit_suite:+${__shunit_suite} }${1:-}"
		__shunit_testsTotal=$((__shunit_testsTotal + 1))
	}
}

# Runs every function named test_* in the order of their names (bash's
# declare -F sorts them; number them, e.g. test_s1_..., when order
# matters), announcing the plan first; shunit2 exits the shell when done.
tap_run_shunit2() {
	mapfile -t _tap_tests < <(declare -F | awk '$3 ~ /^test_/ { print $3 }')
	echo "1..${#_tap_tests[@]}" >&3
	suite() {
		local t
		_tap_fast_counters
		for t in "${_tap_tests[@]}"; do suite_addTest "$t"; done
	}
	SHUNIT_COLOR=none
	. "$SHUNIT2"
}
