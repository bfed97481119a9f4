#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The comparison for suites/p2p-byaddr.sh on the unpatched base kernel
# (Linux 7.3.4), where mapping the address of a BAR mapping into an IO
# address space fails with EFAULT (iommufd pins user pages, and a BAR
# mapping is VM_PFNMAP):
#
#   tests/vm/run-vm.sh --kernel "$(kernel/scripts/build.sh --base --print-image)" \
#       --profile e2e-up --suite tests/vm/suites/p2p-byaddr-base.sh
#
# p2p-byaddr --map-only attaches edu first (with no device attached the
# base kernel accepts the map, pinning nothing, and only a later attach
# fails), maps a RAM page (which must work), then the VA: exit 3 when that
# map fails with EFAULT. Through the IOAS (IOMMU_IOAS_MAP) and through the
# vfio-compat container served by iommufd (VFIO_IOMMU_MAP_DMA; the group
# flow with VFIO_GROUP_SET_CONTAINER given the /dev/iommu fd, as in
# suites/p2p-byaddr.sh). Mode dmabuf needs an mmap() of an exported
# DMA-BUF, which 7.3.4 refuses (exit 4: nothing to map); on a kernel that
# has it (the series before v4) the map must fail with EFAULT as well.

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/vm/lib/vm-suite.sh"

oneTimeSetUp() {
	work=$(mktemp -d)
}

oneTimeTearDown() {
	rm -rf "$work"
}

# byaddr ROUTE MODE: p2p-byaddr --map-only; exit status in $rc, its
# output in $out, the first lines of its messages in $err.
byaddr() {
	p2p-byaddr --map-only --out "$work" --window 48M --length 1M "$@" \
		>"$work/out" 2>"$work/err"
	rc=$?
	out=$(cat "$work/out")
	err=$(head -n 2 "$work/err")
	cat "$work/out" "$work/err" >&2
	tap_diag "p2p-byaddr --map-only $*: exit $rc${err:+: $err}"
}

# efault ROUTE: the BAR's VA, mapped after a RAM page, fails with EFAULT.
efault_bar() {
	byaddr "$1" bar
	assertEquals "$1: the map of the BAR mapping's VA fails with EFAULT (exit 3)" 3 "$rc"
	assertContains "$1: EFAULT, not another error" "$out" "map_errno=EFAULT"
}

# efault_dmabuf ROUTE: no mmap of a VFIO DMA-BUF (7.3.4), or EFAULT.
efault_dmabuf() {
	byaddr "$1" dmabuf
	case "$rc" in
	3) assertContains "$1: EFAULT, not another error" "$out" "map_errno=EFAULT" ;;
	4) tap_diag "$1: this kernel cannot mmap() the exported DMA-BUF ($(sed -n 's/^mmap_errno=//p' <<<"$out")): nothing to map by address" ;;
	*) fail "$1: exit $rc, expected 3 (EFAULT) or 4 (no DMA-BUF mmap): $err" ;;
	esac
}

test_1_ioas_bar_map_fails_with_efault()		{ efault_bar ioas; }
test_2_ioas_dmabuf_cannot_be_mapped()		{ efault_dmabuf ioas; }
test_3_compat_bar_map_dma_fails_with_efault()	{ efault_bar compat; }
test_4_compat_dmabuf_cannot_be_mapped()		{ efault_dmabuf compat; }

vm_require_devices edu ivshmem
vm_require_progs p2p-byaddr
tap_run_shunit2
