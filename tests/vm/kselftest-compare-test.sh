#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Host test (make check) of tests/vm/kselftest-compare.sh, the base vs
# patched comparison of the upstream selftests: identical results agree,
# and a changed result, a test case missing on one side, a binary missing
# on one side, or nothing to compare each fail and name what differs.

. "$top_srcdir/tests/lib/shunit2-tap.sh"

CMP=$top_srcdir/tests/vm/kselftest-compare.sh

oneTimeSetUp() {
	base=$(mktemp -d)
}

oneTimeTearDown() {
	rm -rf "$base"
}

# kselftest harness output as the vfio and iommu selftests print it.
sample() {
	cat <<-'EOF2'
	TAP version 13
	1..4
	# Starting 4 tests from 2 test cases.
	#  RUN           iommufd.simple_close ...
	#            OK  iommufd.simple_close
	ok 1 iommufd.simple_close
	#  RUN           iommufd.cmd_fail ...
	#            OK  iommufd.cmd_fail
	ok 2 iommufd.cmd_fail
	#  RUN           iommufd_ioas.mock_domain.dirty_tracking ...
	#      SKIP      no hugepages
	ok 3 iommufd_ioas.mock_domain.dirty_tracking # SKIP no hugepages
	#  RUN           iommufd_ioas.mock_domain.access_pin ...
	# iommufd.c:1234:access_pin:Expected 0 (0) == rc (-1)
	#          FAIL  iommufd_ioas.mock_domain.access_pin
	not ok 4 iommufd_ioas.mock_domain.access_pin
	# FAILED: 2 / 4 tests passed.
	# Totals: pass:2 fail:1 xfail:0 xpass:0 skip:1 error:0
	rc=1
	EOF2
}

suite_setUp() {
	a=$base/${_shunit_test_}/a b=$base/${_shunit_test_}/b
	mkdir -p "$a" "$b"
	sample >"$a/iommufd.tap"
	sample >"$b/iommufd.tap"
	printf 'TAP version 13\n1..1\nok 1 vfio_pci_device_test.config_space\n' >"$a/vfio_pci_device_test.tap"
	cp "$a/vfio_pci_device_test.tap" "$b/"
}

# compare [OPTION...]: kselftest-compare.sh of $a against $b.
compare() {
	"$CMP" "$@" "$a" "$b" >"$a.out" 2>&1
	status=$?
	cat "$a.out" >&2
}

test_same_results_agree() {
	compare
	assertEquals "exit status" 0 "$status"
	assertTrue "one ok per binary" \
		"[ \$(grep -c '^ok ' '$a.out') -eq 2 ] && grep -q '^1\.\.2$' '$a.out'"
	assertTrue "counts stated" \
		"grep -q '^ok 1 - iommufd: same per-test results on base and patched (4 cases: 2 pass, 1 fail, 1 skip)' '$a.out'"
}

test_pass_to_fail_differs() {
	sed -i 's/^ok 2 iommufd.cmd_fail/not ok 2 iommufd.cmd_fail/' "$b/iommufd.tap"
	compare
	assertEquals "exit status" 1 "$status"
	assertTrue "binary reported" "grep -q '^not ok 1 - iommufd: same per-test results' '$a.out'"
	assertTrue "test named with both results" \
		"grep -q '^#   iommufd.cmd_fail: base PASS, patched FAIL$' '$a.out'"
	assertTrue "the other binary agrees" "grep -q '^ok 2 - vfio_pci_device_test' '$a.out'"
}

test_fail_to_pass_differs_too() {
	sed -i 's/^not ok 4 /ok 4 /' "$b/iommufd.tap"
	compare
	assertEquals "exit status" 1 "$status"
	assertTrue "test named" \
		"grep -q 'access_pin: base FAIL, patched PASS$' '$a.out'"
}

test_skip_to_pass_differs() {
	sed -i 's/^ok 3 \(.*\) # SKIP no hugepages/ok 3 \1/' "$b/iommufd.tap"
	compare
	assertEquals "exit status" 1 "$status"
	assertTrue "test named" \
		"grep -q 'dirty_tracking: base SKIP, patched PASS$' '$a.out'"
}

test_case_missing_on_one_side_differs() {
	# the patched run died after the second case
	sed -i '/^#  RUN.*dirty_tracking/,$d' "$b/iommufd.tap"
	compare
	assertEquals "exit status" 1 "$status"
	assertTrue "missing cases named" \
		"grep -q 'dirty_tracking: base SKIP, patched MISSING$' '$a.out' &&
		 grep -q 'access_pin: base FAIL, patched MISSING$' '$a.out'"
}

test_binary_missing_on_one_side_differs() {
	rm "$b/vfio_pci_device_test.tap"
	compare
	assertEquals "exit status" 1 "$status"
	assertTrue "missing file named" \
		"grep -q '^#   no vfio_pci_device_test.tap from the patched kernel' '$a.out'"
}

test_nothing_to_compare_fails() {
	printf 'TAP version 13\n1..0\n' >"$a/iommufd.tap"
	cp "$a/iommufd.tap" "$b/iommufd.tap"
	compare
	assertEquals "exit status" 1 "$status"
	assertTrue "explained" "grep -q 'nothing was compared' '$a.out'"
}

test_usage_errors() {
	"$CMP" "$a" >/dev/null 2>&1
	assertEquals "one directory" 2 $?
	"$CMP" "$a" "$base/nonexistent" >/dev/null 2>&1
	assertEquals "missing directory" 2 $?
}

# --expect: a listed difference is reported and passes; one not listed
# still fails; a listed one that does not happen fails too.
test_expected_difference_passes() {
	sed -i 's/^not ok 4 iommufd_ioas.mock_domain.access_pin/ok 4 iommufd_ioas.mock_domain.access_pin/' "$b/iommufd.tap"
	printf '# the series fixes it\niommufd iommufd_ioas.*.access_pin FAIL PASS  # patch 25\n' >"$a.expect"
	compare --expect "$a.expect"
	assertEquals "exit status" 0 "$status"
	assertTrue "binary agrees" "grep -q '^ok 1 - iommufd: same per-test results' '$a.out'"
	assertTrue "difference reported" \
		"grep -q '^#   iommufd_ioas.mock_domain.access_pin: base FAIL, patched PASS$' '$a.out'"
}

test_unexpected_difference_still_fails() {
	sed -i 's/^ok 2 iommufd.cmd_fail/not ok 2 iommufd.cmd_fail/' "$b/iommufd.tap"
	sed -i 's/^not ok 4 iommufd_ioas.mock_domain.access_pin/ok 4 iommufd_ioas.mock_domain.access_pin/' "$b/iommufd.tap"
	printf 'iommufd iommufd_ioas.*.access_pin FAIL PASS\n' >"$a.expect"
	compare --expect "$a.expect"
	assertEquals "exit status" 1 "$status"
	assertTrue "the unexpected one named" \
		"grep -q '^#   iommufd.cmd_fail: base PASS, patched FAIL$' '$a.out'"
}

test_promised_difference_missing_fails() {
	printf 'iommufd iommufd_ioas.*.access_pin FAIL PASS\n' >"$a.expect"
	compare --expect "$a.expect"
	assertEquals "exit status" 1 "$status"
	assertTrue "the promise named" \
		"grep -q '^#   iommufd_ioas.\\*.access_pin: expected base FAIL, patched PASS (--expect), but no test case differs so$' '$a.out'"
}

test_bad_expect_line_is_a_usage_error() {
	printf 'iommufd only-two-fields\n' >"$a.expect"
	compare --expect "$a.expect"
	assertEquals "exit status" 2 "$status"
	assertTrue "names the file" "grep -q 'bad line' '$a.out'"
}

tap_run_shunit2
