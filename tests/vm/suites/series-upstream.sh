#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Upstream selftests for the no-regression comparison of the kernel series:
# tools/testing/selftests/vfio (on ivshmem, and the driver and SR-IOV tests
# on igb when the igb profile is present) and tools/testing/selftests/iommu
# (iommufd and iommufd_fail_nth, on the CONFIG_IOMMUFD_TEST mock). Run it
# once on the base kernel and once on the patched kernel, same binaries,
# same profiles:
#
#   tests/vm/run-vm.sh --kernel BASE --profile p2p,igb --suite series-upstream --out A
#   tests/vm/run-vm.sh --kernel PATCHED --profile p2p,igb --suite series-upstream --out B
#   tests/vm/kselftest-compare.sh A/share/series-upstream B/share/series-upstream
#
# (scripts/test-all.sh does exactly this). The binaries are the base's
# (kernel/scripts/build.sh --base builds them against the base's uapi
# headers), so that only the kernel differs between the two runs; they come
# from $DU_KSELFTEST_DIR/{vfio,iommu}, else base/build/base/kselftest of the
# dmabuf-utils cache. A test point here only says that a binary ran to its
# end (its own verdicts are in the .tap files, since the base kernel is
# expected to fail some of them the same way).

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/vm/lib/vm-suite.sh"

find_dir() {
	local cache=${DMABUF_UTILS_CACHE:-/root/.cache/dmabuf-utils} c
	for c in "${DU_KSELFTEST_DIR:-}" "$cache/base/build/base/kselftest"; do
		[ -n "$c" ] && [ -d "$c/vfio" ] && [ -d "$c/iommu" ] &&
			{ echo "$c"; return; }
	done
}

oneTimeSetUp() {
	res=$DU_SHARE/series-upstream
	mkdir -p "$res"
}

# alive COMM: true if a process named COMM (the kernel's 15-character
# comm) exists and is not a zombie. A killed process that is still
# exiting has no command line any more (its memory went first) but still
# has its name, and it closes its files before it becomes a zombie.
alive() {
	local f line
	for f in /proc/[0-9]*/stat; do
		read -r line 2>/dev/null <"$f" || continue
		[[ "$line" == *" ($1) "[!Z]* ]] && return 0
	done
	return 1
}

# wait_gone BIN SECONDS: wait until no process of BIN is alive, at most
# SECONDS; false if one is left.
wait_gone() {
	local comm=${1##*/} i
	comm=${comm:0:15}
	for ((i = 0; i < $2; i++)); do
		alive "$comm" || return 0
		sleep 1
	done
	return 1
}

# run_to FILE BINARY ARGS...: run a kselftest binary from /tmp (at most
# 15 minutes), its output to FILE.
run_to() {
	local file=$1
	shift
	(cd /tmp && timeout 900 "$@") >"$file" 2>&1
}

# run NAME BINARY ARGS...: run a kselftest binary, keep its TAP output.
run() {
	local name=$1 bin=$2 rc
	shift 2
	if [ ! -x "$bin" ]; then
		skip_test "$bin not built"
		return
	fi
	run_to "$res/$name.tap" "$bin" "$@"
	rc=$?
	# A case the harness killed at its timeout says the host was loaded,
	# and it fails the cases after it: the harness sends SIGKILL and does
	# not wait, so the next case opens the device while the killed one is
	# still exiting (igb's driver test: init_remove killed while it held a
	# 1 GiB pinned region; every later case then got EINVAL from
	# VFIO_DEVICE_BIND_IOMMUFD, as a VFIO cdev is opened once at a time).
	# Wait until no process of the binary is left, then run it once more
	# and compare that run; the first one is kept beside it.
	if grep -q '^# [^ ]*: Test terminated by timeout' "$res/$name.tap"; then
		mv "$res/$name.tap" "$res/$name.first-run"
		tap_diag "$name: a case timed out; running it again: $(grep -m3 'Test terminated by timeout' "$res/$name.first-run" | tr '\n' ' ')"
		if ! wait_gone "$bin" 300; then
			tap_diag "$name: a process of $bin is still alive after 300 s"
		fi
		run_to "$res/$name.tap" "$bin" "$@"
		rc=$?
	fi
	echo "rc=$rc" >>"$res/$name.tap"
	# A binary that cannot run here at all says "1..0 # SKIP reason" and
	# exits 4 (KSFT_SKIP); the comparison sees the same on both kernels.
	if [ "$rc" -eq 4 ] && grep -q '^1\.\.0 # SKIP' "$res/$name.tap"; then
		skip_test "$name: $(sed -n 's/^1\.\.0 # SKIP //p' "$res/$name.tap" | head -n 1)"
		return
	fi
	tap_diag "$name: $(grep -m1 '^# Totals' "$res/$name.tap") (exit $rc)"
	assertTrue "$name ran to its end (exit $rc)" \
		"grep -q '^# Totals:' '$res/$name.tap'"
}

test_vfio_pci_device_test() {
	run vfio_pci_device_test "$dir/vfio/vfio_pci_device_test" "$DU_IVSHMEM_BDF"
}

test_vfio_dma_mapping_mmio_test() {
	run vfio_dma_mapping_mmio_test "$dir/vfio/vfio_dma_mapping_mmio_test" \
		"$DU_IVSHMEM_BDF"
}

test_vfio_dma_mapping_test() {
	run vfio_dma_mapping_test "$dir/vfio/vfio_dma_mapping_test" "$DU_IVSHMEM_BDF"
}

test_vfio_iommufd_setup_test() {
	run vfio_iommufd_setup_test "$dir/vfio/vfio_iommufd_setup_test" \
		"$DU_IVSHMEM_BDF"
}

test_vfio_pci_driver_test_igb() {
	if [ -z "${DU_IGB_BDF:-}" ]; then
		skip_test "no igb device (profile igb)"
		return
	fi
	# One IOMMU mode of the five (the iommufd cdev): under TCG each mode
	# takes about two minutes once the igb DMA engine works (its
	# memcpy_to_unmapped_iova cases wait out the DMA fault), all five
	# over ten; both kernels run the same subset.
	run vfio_pci_driver_test "$dir/vfio/vfio_pci_driver_test" -v iommufd "$DU_IGB_BDF"
}

test_vfio_pci_sriov_uapi_test_igb() {
	if [ -z "${DU_IGB_BDF:-}" ]; then
		skip_test "no igb device (profile igb)"
		return
	fi
	run vfio_pci_sriov_uapi_test "$dir/vfio/vfio_pci_sriov_uapi_test" "$DU_IGB_BDF"
}

test_iommufd() {
	run iommufd "$dir/iommu/iommufd"
}

test_iommufd_fail_nth() {
	run iommufd_fail_nth "$dir/iommu/iommufd_fail_nth"
}

vm_require_devices ivshmem
dir=$(find_dir)
[ -n "$dir" ] || tap_skip_all "upstream selftests not built (see this suite's header)"
tap_run_shunit2
