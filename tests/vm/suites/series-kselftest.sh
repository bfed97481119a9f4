#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run the series' kselftest, tools/testing/selftests/vfio/
# vfio_dmabuf_mmap_test, on the ivshmem device (and edu as the second
# device for the cross-device revoke test, when present):
#
#   tests/vm/run-vm.sh --profile p2p --suite series-kselftest
#
# The test binary is built on the host from the patched tree against the
# patched kernel's uapi headers, e.g.
#   make -C $CACHE/linux-7.3.4/tools/testing/selftests/vfio \
#        OUTPUT=$CACHE/build/test/kselftest/vfio \
#        KHDR_INCLUDES="-isystem $CACHE/build/test/usr/include"
# (kernel/scripts/build.sh does this for each variant), and found through
# $DU_VFIO_KSELFTEST (the binary), or in build/{test,debug}/kselftest/vfio
# of the dmabuf-utils cache. Each kselftest test case becomes one test
# point here.

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/vm/lib/vm-suite.sh"

find_test() {
	local cache=${DMABUF_UTILS_CACHE:-/root/.cache/dmabuf-utils} c
	if [ -n "${DU_VFIO_KSELFTEST:-}" ]; then
		echo "$DU_VFIO_KSELFTEST"
		return
	fi
	# kernel/scripts/build.sh builds it for each variant from the same
	# applied tree and uapi headers, so either variant's copy fits.
	for c in "$cache/build/test" "$cache/build/debug"; do
		if [ -x "$c/kselftest/vfio/vfio_dmabuf_mmap_test" ]; then
			echo "$c/kselftest/vfio/vfio_dmabuf_mmap_test"
			return
		fi
	done
}

oneTimeSetUp() {
	work=$(mktemp -d)
	# the page table dump (PMD checks) lives in debugfs
	mountpoint -q /sys/kernel/debug ||
		mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	local args=("$DU_IVSHMEM_BDF")
	[ -n "${DU_EDU_BDF:-}" ] && args+=("$DU_EDU_BDF")
	# The harness forks per test case; 10 s each is plenty under TCG
	# Streamed to the suite's log as it runs, so that a hang shows where
	(cd "$work" && timeout 600 "$kst" "${args[@]}") 2>&1 |
		tee "$work/out" >&2
	kst_rc=${PIPESTATUS[0]}
}

oneTimeTearDown() {
	rm -rf "$work"
}

test_kselftest_completed() {
	assertTrue "the kselftest printed its plan" \
		"grep -q '^1\.\.[0-9]' '$work/out'"
	assertTrue "the kselftest printed its totals" \
		"grep -q '^# Totals:' '$work/out'"
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
kst=$(find_test)
[ -n "$kst" ] || tap_skip_all "vfio_dmabuf_mmap_test not built (see this suite's header)"
tap_run_shunit2
