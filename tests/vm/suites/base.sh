#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The first VM suite: proves the harness and the P2P chain on the base
# kernel.  Profile: p2p (edu + ivshmem on the root complex).
#
#   tests/vm/run-vm.sh --profile p2p --suite base
#
# edu's DMA engine writes a pattern through the IOMMU into the ivshmem BAR
# (an ivshmem BAR2 range exported as a DMA-BUF and mapped into edu's IOAS
# with IOMMU_IOAS_MAP_FILE); the bytes are checked in the BAR's backing
# file, by the guest through the 9p share and by the host after the run.

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/vm/lib/vm-suite.sh"

# ivshmem BAR2 layout used here (64 MiB BAR, distinct 2 MiB ranges so that
# the host's end-of-run check sees every test's bytes):
#   2M   export + DMA (pattern seed 1 at +0, seed 2 at +4K)
#   8M   negative case: marker bytes that DMA must not overwrite
BAR=2
POS_OFF=0x200000
NEG_OFF=0x800000
LEN=0x200000
IOVA=0x1000000
MARKER=0xa5

oneTimeSetUp() {
	work=$(mktemp -d)
}

oneTimeTearDown() {
	rm -rf "$work"
}

# smoke STEP [ARGS...]: run p2p-smoke, keeping its output in $work/out and
# the start of its error messages in $smoke_err.
smoke() {
	p2p-smoke --edu "$DU_EDU_BDF" --ivshmem "$DU_IVSHMEM_BDF" "$@" \
		>"$work/out" 2>"$work/err"
	local rc=$?
	cat "$work/out" "$work/err" >&2
	smoke_err=$(head -n 3 "$work/err")
	return "$rc"
}

# value KEY: the "KEY=value" p2p-smoke printed last.
value() {
	sed -n "s/^$1=//p" "$work/out" | tail -n 1
}

test_boot_has_intel_iommu() {
	assertContains "kernel command line" "$(cat /proc/cmdline)" "intel_iommu=on"
	local units=(/sys/class/iommu/dmar*)
	assertTrue "an Intel IOMMU unit is registered" "[ -e '${units[0]}' ]"
}

test_devices_have_own_iommu_groups() {
	local ge gi
	ge=$(readlink "/sys/bus/pci/devices/$DU_EDU_BDF/iommu_group")
	gi=$(readlink "/sys/bus/pci/devices/$DU_IVSHMEM_BDF/iommu_group")
	assertNotNull "edu has an IOMMU group" "$ge"
	assertNotNull "ivshmem has an IOMMU group" "$gi"
	assertNotEquals "edu and ivshmem groups differ" "${ge##*/}" "${gi##*/}"
}

test_devices_bound_to_vfio_pci() {
	local n bdf cdev drv
	for n in EDU IVSHMEM; do
		bdf=DU_${n}_BDF cdev=DU_${n}_VFIO
		drv=$(readlink "/sys/bus/pci/devices/${!bdf}/driver")
		assertEquals "$n driver" vfio-pci "${drv##*/}"
		assertTrue "$n cdev ${!cdev} is a character device" "[ -c '${!cdev}' ]"
	done
	assertEquals "edu vendor:device" "0x1234 0x11e8" \
		"$(cat "/sys/bus/pci/devices/$DU_EDU_BDF/"{vendor,device} | xargs)"
	assertEquals "ivshmem vendor:device" "0x1af4 0x1110" \
		"$(cat "/sys/bus/pci/devices/$DU_IVSHMEM_BDF/"{vendor,device} | xargs)"
}

test_dev_iommu_opens() {
	local fd
	assertTrue "/dev/iommu is a character device" "[ -c /dev/iommu ]"
	if exec {fd}<>/dev/iommu; then
		exec {fd}<&-
	else
		fail "open /dev/iommu read-write"
	fi
	smoke iommu
	assertEquals "p2p-smoke iommu exit status ${smoke_err:+($smoke_err)}" 0 $?
	assertNotNull "an IOAS was allocated" "$(value ioas_id)"
}

test_vfio_cdev_binds_to_iommufd_and_attaches() {
	smoke attach
	assertEquals "p2p-smoke attach exit status ${smoke_err:+($smoke_err)}" 0 $?
	assertEquals "edu cdev" "${DU_EDU_VFIO##*/}" "$(value edu_cdev)"
	assertNotNull "edu got an iommufd device id" "$(value edu_devid)"
	assertNotNull "edu identification register read through BAR0" "$(value edu_version)"
}

test_bar_range_exports_as_dmabuf_and_maps_into_ioas() {
	smoke export --bar "$BAR" --offset "$POS_OFF" --length "$LEN" --iova "$IOVA"
	local rc=$?
	[ "$rc" -eq 3 ] && { skip_test "the kernel lacks VFIO DMA-BUF export"; return; }
	assertEquals "p2p-smoke export exit status ${smoke_err:+($smoke_err)}" 0 "$rc"
	assertEquals "BAR$BAR size" 0x4000000 "$(value bar_size)"
	assertNotNull "a DMA-BUF fd was returned" "$(value dmabuf_fd)"
	assertEquals "mapped at the requested IOVA" "$IOVA" "$(value dmabuf_iova)"
}

# Clear RANGE of the BAR, DMA seed SEED at DMA-OFFSET, compare in the file.
dma_and_compare() { # SEED DMA-OFFSET
	local seed=$1 doff=$2 off
	off=$((POS_OFF + doff))
	vm_fill "$DU_IVSHMEM_FILE" "$off" 4096 0
	smoke dma --bar "$BAR" --offset "$POS_OFF" --length "$LEN" --iova "$IOVA" \
		--dma-offset "$doff" --seed "$seed" --read-back \
		--pattern-out "$work/pattern$seed"
	assertEquals "p2p-smoke dma exit status ${smoke_err:+($smoke_err)}" 0 $? || return
	assertEquals "edu read the bytes back from the BAR" ok "$(value read_back)"
	assertEquals "BAR offset written" "$(printf '0x%x' "$off")" "$(value bar_offset)"
	cmp -n 4096 -i "0:$off" "$work/pattern$seed" "$DU_IVSHMEM_FILE" >&2
	assertEquals "pattern in the ivshmem backing file at $off (guest view)" 0 $?
	vm_host_expect "seed $seed pattern at BAR$BAR+$(printf '0x%x' "$off")" \
		"$DU_IVSHMEM_FILE" "$off" "$work/pattern$seed"
}

test_edu_dma_into_ivshmem_bar_reaches_backing_file() {
	dma_and_compare 1 0
}

test_edu_dma_at_offset_in_dmabuf_mapping() {
	dma_and_compare 2 0x1000
}

test_dma_to_unmapped_iova_does_not_reach_bar() {
	local before after
	vm_fill "$DU_IVSHMEM_FILE" "$NEG_OFF" 4096 "$MARKER"
	vm_fill "$work/marker" 0 4096 "$MARKER"
	before=$(vm_dmar_faults)
	smoke dma --bar "$BAR" --offset "$NEG_OFF" --length "$LEN" --iova "$IOVA" \
		--seed 3 --unmap-before-dma
	assertEquals "p2p-smoke dma --unmap-before-dma exit status ${smoke_err:+($smoke_err)}" 0 $?
	assertEquals "the whole DMA-BUF mapping was unmapped" "$(printf '0x%x' $((LEN)))" \
		"$(value unmapped)"
	cmp -n 4096 -i "0:$((NEG_OFF))" "$work/marker" "$DU_IVSHMEM_FILE" >&2
	assertEquals "BAR bytes unchanged (guest view)" 0 $?
	after=$(vm_dmar_faults)
	assertTrue "the IOMMU logged a DMA fault ($before -> $after)" "[ $after -gt $before ]"
	vm_host_expect "marker intact at BAR$BAR+$(printf '0x%x' $((NEG_OFF)))" \
		"$DU_IVSHMEM_FILE" "$NEG_OFF" "$work/marker"
}

vm_require_devices edu ivshmem
vm_require_progs p2p-smoke
tap_run_shunit2
