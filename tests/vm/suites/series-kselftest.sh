#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run the series' kselftests, tools/testing/selftests/vfio/
# vfio_dmabuf_mmap_test, vfio_dmabuf_lifetime_test and
# vfio_dmabuf_memattr_test, on the ivshmem
# device (and edu as the second device for the cross-device revoke test,
# when present); the reset cases need a resettable ivshmem (profile e2e):
#
#   tests/vm/run-vm.sh --profile e2e-up --suite series-kselftest
# (e2e-up: one vCPU, see the profile for why)
#
# The test binary is built on the host from the patched tree against the
# patched kernel's uapi headers, e.g.
#   make -C $CACHE/linux-7.3.4/tools/testing/selftests/vfio \
#        OUTPUT=$CACHE/build/test/kselftest/vfio \
#        KHDR_INCLUDES="-isystem $CACHE/build/test/usr/include"
# (kernel/scripts/build.sh does this for each variant), and found in
# build/{test,debug}/kselftest/vfio of the dmabuf-utils cache. Each
# kselftest test case becomes one test point here.

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/vm/lib/vm-suite.sh"

kselftests=(vfio_dmabuf_mmap_test vfio_dmabuf_lifetime_test vfio_dmabuf_memattr_test)

# The directory with both tests
find_tests() {
	local cache=${DMABUF_UTILS_CACHE:-/root/.cache/dmabuf-utils} c t
	# kernel/scripts/build.sh builds them for each variant from the same
	# applied tree and uapi headers, so either variant's copy fits.
	for c in "$cache/build/test" "$cache/build/debug"; do
		for t in "${kselftests[@]}"; do
			[ -x "$c/kselftest/vfio/$t" ] || continue 2
		done
		echo "$c/kselftest/vfio"
		return
	done
}

oneTimeSetUp() {
	work=$(mktemp -d)
	# the page table dump (PMD checks) lives in debugfs
	mountpoint -q /sys/kernel/debug ||
		mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	local args=("$DU_IVSHMEM_BDF")
	[ -n "${DU_EDU_BDF:-}" ] && args+=("$DU_EDU_BDF")
	# The harness forks per test case and kills a case at its timeout.
	# Streamed to the suite's log as it runs, so that a hang shows where
	local t rc
	kst_rc=0
	for t in "${kselftests[@]}"; do
		(cd "$work" && timeout 900 "$kst/$t" "${args[@]}") 2>&1 |
			tee "$work/$t.out" >&2
		rc=${PIPESTATUS[0]}
		[ "$rc" -eq 0 ] || [ "$rc" -eq 4 ] || kst_rc=$rc
		cat "$work/$t.out" >>"$work/out"
	done
}

oneTimeTearDown() {
	rm -rf "$work"
}

test_kselftest_completed() {
	local t
	for t in "${kselftests[@]}"; do
		assertTrue "$t printed its plan" \
			"grep -q '^1\.\.[0-9]' '$work/$t.out'"
		assertTrue "$t printed its totals" \
			"grep -q '^# Totals:' '$work/$t.out'"
	done
	assertEquals "kselftest exit status (0 pass, 4 skip)" 0 \
		"$([ "$kst_rc" -eq 0 ] || [ "$kst_rc" -eq 4 ]; echo $?)"
}

# One test point per kselftest case: "ok N name" / "not ok N name".
test_kselftest_cases() {
	local line name
	while IFS= read -r line; do
		case "$line" in
		"ok "*"# SKIP"*)
			tap_diag "skipped: ${line#ok }" ;;
		"ok "*) ;;
		"not ok "*)
			name=${line#not ok }
			fail "kselftest case failed: $name" ;;
		esac
	done <"$work/out"
	assertTrue "at least 10 cases passed" \
		"[ $(grep -c '^ok [0-9]* [a-z]' "$work/out") -ge 10 ]"
}

vm_require_devices ivshmem
kst=$(find_tests)
[ -n "$kst" ] || tap_skip_all "${kselftests[*]} not built (see this suite's header)"
tap_run_shunit2
