#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Checks the PCIe topologies of the switch and rootports profiles, and P2P
# DMA (edu into an ivshmem BAR through the IOMMU) across each of them.
#
#   tests/vm/run-vm.sh --profile switch,rootports --suite topology

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/vm/lib/vm-suite.sh"

oneTimeSetUp() {
	work=$(mktemp -d)
}

oneTimeTearDown() {
	rm -rf "$work"
}

# sysfs_path BDF: the device's directory under /sys/devices (its
# position in the hierarchy).
sysfs_path() {
	realpath "/sys/bus/pci/devices/$1"
}

# parent BDF: the bridge above BDF ("" on a root bus).
parent() {
	local p
	p=$(dirname "$(sysfs_path "$1")")
	p=${p##*/}
	[[ $p == pci* ]] || echo "$p"
}

# port_type BDF: the PCIe device/port type from the PCI Express capability
# (lspci-free: walk the capability list in config space).
port_type() {
	local cfg=/sys/bus/pci/devices/$1/config ptr id
	ptr=$(od -An -tu1 -j 52 -N 1 "$cfg" | tr -d ' ')
	while [ "${ptr:-0}" -ne 0 ]; do
		id=$(od -An -tu1 -j "$ptr" -N 1 "$cfg" | tr -d ' ')
		if [ "$id" -eq 16 ]; then
			echo $((($(od -An -tu1 -j $((ptr + 2)) -N 1 "$cfg" | tr -d ' ') >> 4) & 0xf))
			return
		fi
		ptr=$(od -An -tu1 -j $((ptr + 1)) -N 1 "$cfg" | tr -d ' ')
	done
	echo none
}

# p2p_dma EDU IVSHMEM FILE SEED: edu DMA into IVSHMEM's BAR2 at 4M through
# the IOMMU; compare in the backing file (guest and host views).
p2p_dma() {
	local edu=$1 ivs=$2 file=$3 seed=$4 off=$((0x400000))
	vm_fill "$file" "$off" 4096 0
	p2p-smoke --edu "$edu" --ivshmem "$ivs" --offset "$off" --length 0x200000 \
		--seed "$seed" --read-back --pattern-out "$work/p$seed" dma \
		>"$work/out" 2>&1
	local rc=$?
	cat "$work/out" >&2
	assertEquals "p2p-smoke dma $edu -> $ivs ($(grep -m1 'p2p-smoke:' "$work/out"))" 0 "$rc" ||
		return
	cmp -n 4096 -i "0:$off" "$work/p$seed" "$file" >&2
	assertEquals "pattern in $file at $off (guest view)" 0 $?
	vm_host_expect "seed $seed from $edu in $ivs BAR2+0x400000" "$file" "$off" "$work/p$seed"
}

# Type values of the PCI Express capability (PCIe spec 7.5.3.2).
PCIE_ROOT_PORT=4 PCIE_SWITCH_UP=5 PCIE_SWITCH_DOWN=6

test_switch_devices_sit_behind_two_downstream_ports() {
	local dn_e dn_i up rp
	dn_e=$(parent "$DU_SW_EDU_BDF")
	dn_i=$(parent "$DU_SW_IVSHMEM_BDF")
	assertNotEquals "different downstream ports" "$dn_e" "$dn_i"
	assertEquals "edu's port is a switch downstream port" $PCIE_SWITCH_DOWN "$(port_type "$dn_e")"
	assertEquals "ivshmem's port is a switch downstream port" $PCIE_SWITCH_DOWN "$(port_type "$dn_i")"
	up=$(parent "$dn_e")
	assertEquals "one upstream port above both" "$up" "$(parent "$dn_i")"
	assertEquals "it is a switch upstream port" $PCIE_SWITCH_UP "$(port_type "$up")"
	rp=$(parent "$up")
	assertEquals "the switch hangs off root port 00:1c.0" 0000:00:1c.0 "$rp"
	assertEquals "00:1c.0 is a root port" $PCIE_ROOT_PORT "$(port_type "$rp")"
	assertEquals "00:1c.0 is on the root bus" "" "$(parent "$rp")"
}

test_rootport_devices_sit_under_different_root_ports() {
	local a b
	a=$(parent "$DU_RP_EDU_BDF")
	b=$(parent "$DU_RP_IVSHMEM_BDF")
	assertEquals "rp_edu under 00:1d.0" 0000:00:1d.0 "$a"
	assertEquals "rp_ivshmem under 00:1e.0" 0000:00:1e.0 "$b"
	assertEquals "00:1d.0 is a root port" $PCIE_ROOT_PORT "$(port_type "$a")"
	assertEquals "00:1e.0 is a root port" $PCIE_ROOT_PORT "$(port_type "$b")"
}

test_iommu_groups() {
	local n g
	declare -A seen=()
	for n in SW_EDU SW_IVSHMEM RP_EDU RP_IVSHMEM; do
		g=DU_${n}_BDF
		g=$(readlink "/sys/bus/pci/devices/${!g}/iommu_group")
		assertNotNull "$n has an IOMMU group" "$g"
		tap_diag "$n: IOMMU group ${g##*/}"
		seen[${g##*/}]+=" $n"
	done
	assertEquals "each device in its own group (ACS on every port)" 4 "${#seen[@]}"
}

test_p2p_dma_across_switch() {
	p2p_dma "$DU_SW_EDU_BDF" "$DU_SW_IVSHMEM_BDF" "$DU_SW_IVSHMEM_FILE" 11
}

test_p2p_dma_across_root_ports() {
	p2p_dma "$DU_RP_EDU_BDF" "$DU_RP_IVSHMEM_BDF" "$DU_RP_IVSHMEM_FILE" 12
}

vm_require_devices sw_edu sw_ivshmem rp_edu rp_ivshmem
vm_require_progs p2p-smoke od
tap_run_shunit2
