# Profile: root port 00:1c.0 -> x3130 switch -> sw_edu, sw_ivshmem on two downstream ports
# shellcheck shell=bash
# Topology (bus numbers as Linux enumerates this profile alone):
#   00:1c.0 pcie-root-port du_sw_rp
#     01:00.0 x3130-upstream du_sw_up
#       02:00.0 xio3130-downstream du_sw_dn0 -> 03:00.0 edu      (sw_edu)
#       02:01.0 xio3130-downstream du_sw_dn1 -> 04:00.0 ivshmem  (sw_ivshmem)
# Use DU_SW_EDU_BDF and DU_SW_IVSHMEM_BDF: bus numbers shift when other
# profiles add bridges.
vm_bridge pcie-root-port du_sw_rp pcie.0 1c.0 chassis=1 slot=1
vm_bridge x3130-upstream du_sw_up du_sw_rp 00.0
vm_bridge xio3130-downstream du_sw_dn0 du_sw_up 00.0 chassis=2 slot=0
vm_bridge xio3130-downstream du_sw_dn1 du_sw_up 01.0 chassis=3 slot=0
vm_device sw_edu edu du_sw_dn0 00.0
vm_ivshmem sw_ivshmem du_sw_dn1 00.0 64M
# One vCPU: opening and closing these devices resets them with a secondary
# bus reset of their port, and QEMU 10.0's TCG with two vCPUs then aborts
# in iotlb_to_section() (1 run in 9 of p2p-probe's --verify); a CI run hung
# at the same point, most likely the same race (see vm_smp in run-vm.sh).
vm_smp 1
