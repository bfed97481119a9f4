#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 1 GiB (PUD) mappings of a large BAR, proven rather than assumed: on the
# profile hugebar (bigbar: ivshmem with a 2 GiB BAR2, so 2 GiB-aligned),
# the helper pud-map maps BAR2 through the device fd and as an exported
# VFIO DMA-BUF, reads one word of every 4 KiB page and reports the minor
# faults that took (getrusage) and the page-table levels that map it
# (debugfs page_tables, CONFIG_PTDUMP_DEBUGFS):
#
#   tests/vm/run-vm.sh --profile hugebar --suite pud-mappings
#
#   aligned   BAR offset 0, 2 GiB, at a 1 GiB-aligned address: two PUDs,
#             one fault per GiB
#   pmd head  BAR offset 2 MiB, 2 GiB - 2 MiB, at 2 MiB past a 1 GiB
#             boundary: PMDs up to the first 1 GiB boundary, then a PUD
#             (511 + 1 faults)
#   pte head  BAR offset 4 KiB, 4 MiB - 4 KiB, at 4 KiB past a 1 GiB
#             boundary: PTEs up to the first 2 MiB boundary, then a PMD
#             (511 + 1 faults)
#
# What the kernel does is reported as it is: a mapping that is not PUD
# where it could be fails, with the levels and fault count it got.

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/vm/lib/vm-suite.sh"

oneTimeSetUp() {
	mountpoint -q /sys/kernel/debug ||
		mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
}

# pm KIND OFFSET LENGTH SKEW: run pud-map, its key=value output in $pm_out
pm() {
	pm_out=$(pud-map "$@" 2>pm.err)
	pm_rc=$?
	tap_diag "pud-map $*: $(tr '\n' ' ' <<<"$pm_out")(exit $pm_rc)"
	[ "$pm_rc" -eq 0 ] || tap_diag "$(cat pm.err)"
	return "$pm_rc"
}
value() { sed -n "s/^$1=//p" <<<"$pm_out"; }

# expect KIND OFFSET LENGTH SKEW FAULTS LEVELS
expect() {
	local kind=$1 faults=$5 levels=$6
	pm "$1" "$2" "$3" "$4"
	case "$pm_rc" in
	0) ;;
	3) if [ "$kind" = dmabuf ]; then
		   skip_test "the kernel cannot map exported VFIO DMA-BUFs: $(cat pm.err)"
		   return
	   fi
	   fail "pud-map: $(cat pm.err)"; return ;;
	*) fail "pud-map failed (exit $pm_rc): $(cat pm.err)"; return ;;
	esac
	assertEquals "page-table levels mapping it" "$levels" "$(value levels)"
	assertEquals "minor faults for $(value pages) pages" "$faults" "$(value faults)"
}

test_bar_size() {
	pm bar 0 4K 0
	assertEquals "pud-map exit status" 0 "$pm_rc"
	assertTrue "BAR2 of at least 2 GiB ($(value bar_size))" \
		"[ \$(( $(value bar_size || echo 0) )) -ge \$((2 << 30)) ]"
}

test_bar_aligned_gib_is_pud() {
	expect bar 0 2G 0 2 "pud:2G"
}

test_dmabuf_aligned_gib_is_pud() {
	expect dmabuf 0 2G 0 2 "pud:2G"
}

test_bar_misaligned_start_falls_back_to_pmd() {
	expect bar 2M 2046M 2M 512 "pmd:1022M,pud:1G"
}

test_dmabuf_misaligned_start_falls_back_to_pmd() {
	expect dmabuf 2M 2046M 2M 512 "pmd:1022M,pud:1G"
}

test_bar_misaligned_start_falls_back_to_pte() {
	expect bar 4K 4092K 4K 512 "pte:2044K,pmd:2M"
}

test_dmabuf_misaligned_start_falls_back_to_pte() {
	expect dmabuf 4K 4092K 4K 512 "pte:2044K,pmd:2M"
}

vm_require_devices bigbar
vm_require_progs pud-map
tap_run_shunit2
