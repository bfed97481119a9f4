#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The UAPI that kernel/patches adds, exercised directly (not through the
# kselftest): mmap() of exported VFIO DMA-BUFs, DMA-BUF-backed BAR mmap()
# of the device fd and its /proc/<pid>/maps name, PMD mappings, permanent
# revoke (VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE, 14), memory attributes
# (VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, 15), temporary revoke on memory
# disable, and device close before buffer close.
#
#   tests/vm/run-vm.sh --profile p2p --suite series-dmabuf
#
# Profile: ivshmem (64 MiB BAR2 backed by a host file); edu as well (p2p)
# for the cross-device revoke. On a kernel without the series every test
# is skipped ("the running kernel lacks the feature").
#
# ivshmem BAR2 layout used here (distinct ranges, so that the host's
# end-of-run comparisons see every test's bytes):
#   2M..4M    PMD test (aligned 2 MiB)
#   4M        single-range write, checked in the backing file
#   27M..31M  multi-range write (apart from the base suite's 8M marker and
#             iommufd-ctl's 16M..26M: suites of one boot share the file)
#   10M..     revoke, memattr, temporary revoke, close order

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/vm/lib/vm-suite.sh"

BAR=2

oneTimeSetUp() {
	work=$(mktemp -d)
	# the page table dump (PMD checks) lives in debugfs
	mountpoint -q /sys/kernel/debug ||
		mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	series-dmabuf --cdev "$DU_IVSHMEM_VFIO" probe >"$work/probe" 2>&1
	probe_rc=$?
	cat "$work/probe" >&2
}

oneTimeTearDown() {
	rm -rf "$work"
}

# sd STEP [ARGS...]: run the helper on ivshmem; output in $work/out, the
# last "KEY=value" it printed for each KEY in ${sdv[KEY]}, the first three
# lines of its stderr in $sd_err. Shell builtins only: on the debug kernel
# every process started costs about a second.
declare -A sdv=()
sd() {
	local step=$1 rc l n=0
	shift
	series-dmabuf --cdev "$DU_IVSHMEM_VFIO" --bar "$BAR" "$@" "$step" \
		>"$work/out" 2>"$work/err"
	rc=$?
	sdv=() sd_err=
	while IFS= read -r l; do
		echo "$l" >&2
		[[ "$l" =~ ^([A-Za-z0-9_]+)=(.*)$ ]] && sdv[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
	done <"$work/out"
	while IFS= read -r l; do
		echo "$l" >&2
		[ -n "$l" ] && [ "$n" -lt 3 ] && sd_err+="$l " && n=$((n + 1))
	done <"$work/err"
	return "$rc"
}

need_series() {
	if [ "$probe_rc" -eq 3 ]; then
		skip_test "the running kernel lacks the series' features"
		return 1
	fi
	return 0
}

test_features_probe() {
	need_series || return
	assertEquals "probe exit status" 0 "$probe_rc"
	assertEquals "DMA_BUF_REVOKE (14) probes" 0 \
		"$(sed -n 's/^probe_revoke=//p' "$work/probe")"
	assertEquals "DMA_BUF_MEMATTR (15) probes" 0 \
		"$(sed -n 's/^probe_memattr=//p' "$work/probe")"
}

test_mmap_write_reaches_backing_file() {
	need_series || return
	local off=$((4 << 20))
	sd write --range "$off:64K" --seed 3 --out "$work/pattern3"
	assertEquals "write through the DMA-BUF mapping ${sd_err}" 0 $? || return
	cmp -n 65536 -i "0:$off" "$work/pattern3" "$DU_IVSHMEM_FILE" >&2
	assertEquals "pattern in the ivshmem backing file (guest view)" 0 $?
	vm_host_expect "DMA-BUF mmap write at BAR$BAR+$(printf '0x%x' "$off")" \
		"$DU_IVSHMEM_FILE" "$off" "$work/pattern3"
}

test_mmap_multi_range() {
	need_series || return
	sd write --range 29M:4K --range 27M:8K --range 30M:4K --seed 4
	assertEquals "multi-range write, checked by pread ${sd_err}" 0 $?
}

test_bar_mapping_maps_name() {
	need_series || return
	sd bar-name
	assertEquals "bar-name ${sd_err}" 0 $? || return
	assertEquals "maps name of a BAR mapping of the device fd" \
		"/dmabuf:${DU_IVSHMEM_VFIO##*/}:$DU_IVSHMEM_BDF/$BAR" \
		"${sdv[maps_path]-}"
}

test_pmd_mappings() {
	need_series || return
	sd pmd
	local rc=$?
	[ "$rc" -eq 3 ] && { skip_test "no page table dump in debugfs"; return; }
	tap_diag "exported buffer: ${sdv[dmabuf_ptdump]-}"
	tap_diag "BAR via device fd: ${sdv[bar_ptdump]-}"
	assertEquals "exported 2 MiB range mapped by a PMD" 1 "${sdv[dmabuf_pmd]-}"
	assertEquals "BAR 2 MiB mapping of the device fd mapped by a PMD" 1 \
		"${sdv[bar_pmd]-}"
	assertEquals "pmd step ${sd_err}" 0 "$rc"
}

test_revoke() {
	need_series || return
	sd revoke --range 10M:64K
	assertEquals "revoke step ${sd_err}" 0 $?
	assertEquals "import before revoke" 0 "${sdv[import_before]-}"
	assertEquals "revoke" 0 "${sdv[revoke]-}"
	assertEquals "access after revoke" SIGBUS "${sdv[access_after]-}"
	assertEquals "mmap after revoke" ENODEV "${sdv[mmap_after]-}"
	assertEquals "IOMMU_IOAS_MAP_FILE after revoke" ENODEV "${sdv[import_after]-}"
	assertEquals "second revoke" EBADFD "${sdv[revoke_again]-}"
	assertEquals "revoke of fd -1" EBADF "${sdv[revoke_badfd]-}"
	assertEquals "revoke of a non-DMA-BUF fd" EINVAL "${sdv[revoke_not_dmabuf]-}"
}

test_revoke_through_other_device() {
	need_series || return
	if [ -z "${DU_EDU_VFIO:-}" ]; then
		skip_test "needs a second vfio-pci device (edu; profile p2p)"
		return
	fi
	sd wrong-device --range 10M:4K --other "$DU_EDU_VFIO"
	assertEquals "wrong-device step ${sd_err}" 0 $?
	assertEquals "revoke through edu of an ivshmem buffer" ENODEV \
		"${sdv[revoke_other]-}"
}

test_memattr() {
	need_series || return
	sd memattr --range 11M:64K
	assertEquals "memattr step ${sd_err}" 0 $?
	assertEquals "default memattr (NC)" 0 "${sdv[memattr_default]-}"
	assertEquals "unknown memattr" EOPNOTSUPP "${sdv[memattr_unknown]-}"
	local set pte
	set=${sdv[memattr_set_wc]-} pte=${sdv[memattr_pte]-}
	tap_diag "SET WC: $set; new mapping: ${sdv[memattr_ptdump]-}"
	if grep -qw nopat /proc/cmdline; then
		# documented: no WC memory type without PAT, so SET refuses it
		assertEquals "SET WC with nopat" EOPNOTSUPP "$set"
		assertEquals "memattr after the refused SET WC" 0 "${sdv[memattr_after_set]-}"
		[ -z "$pte" ] || assertEquals "PTE cache mode of the NC mapping with nopat" uc- "$pte"
		return
	fi
	if vm_wc_owed "$DU_IVSHMEM_BDF" "$BAR"; then
		# x86 with PAT, prefetchable BAR: WC must be accepted and real
		assertEquals "SET WC on a prefetchable BAR with PAT" ok "$set"
		assertEquals "memattr after SET WC" 1 "${sdv[memattr_after_set]-}"
		assertEquals "PTE cache mode of the WC mapping" wc "$pte"
		return
	fi
	case "$set" in
	ok)
		assertEquals "memattr after SET WC" 1 "${sdv[memattr_after_set]-}"
		# x86: an accepted WC must give WC PTEs, not UC-
		[ -z "$pte" ] || assertEquals "PTE cache mode of the WC mapping" wc "$pte" ;;
	EOPNOTSUPP)
		# refused where the platform cannot provide it (nopat, or a
		# BAR that is not prefetchable); stays NC
		assertEquals "memattr after a refused SET WC" 0 "${sdv[memattr_after_set]-}"
		[ -z "$pte" ] || assertEquals "PTE cache mode of the NC mapping" uc- "$pte" ;;
	*)
		fail "SET WC: $set" ;;
	esac
}

test_temporary_revoke_on_memory_disable() {
	need_series || return
	sd temp-revoke --range 12M:64K
	assertEquals "temp-revoke step ${sd_err}" 0 $?
	assertEquals "exported buffer while memory disabled" SIGBUS \
		"${sdv[buffer_while_disabled]-}"
	assertEquals "BAR mapping while memory disabled" SIGBUS \
		"${sdv[bar_while_disabled]-}"
	assertEquals "exported buffer after enable" ok "${sdv[buffer_after_enable]-}"
	assertEquals "BAR mapping after enable" ok "${sdv[bar_after_enable]-}"
}

test_device_closed_before_buffer() {
	need_series || return
	sd close-device --range 13M:64K
	assertEquals "close-device step ${sd_err}" 0 $?
	assertEquals "access after the device fds closed" SIGBUS \
		"${sdv[access_after_close]-}"
	assertEquals "mmap after the device fds closed" ENODEV \
		"${sdv[mmap_after_close]-}"
}

vm_require_devices ivshmem
vm_require_progs series-dmabuf
tap_run_shunit2
