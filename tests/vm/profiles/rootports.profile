# Profile: rp_edu and rp_ivshmem under two different root ports (00:1d.0, 00:1e.0)
# shellcheck shell=bash
# P2P between them goes through the root complex.
vm_bridge pcie-root-port du_rp_a pcie.0 1d.0 chassis=4 slot=1
vm_bridge pcie-root-port du_rp_b pcie.0 1e.0 chassis=5 slot=1
vm_device rp_edu edu du_rp_a 00.0
vm_ivshmem rp_ivshmem du_rp_b 00.0 64M
# One vCPU: opening and closing these devices resets them with a secondary
# bus reset of their port, and QEMU 10.0's TCG with two vCPUs then aborts
# in iotlb_to_section() (1 run in 9 of p2p-probe's --verify); a CI run hung
# at the same point, most likely the same race (see vm_smp in run-vm.sh).
vm_smp 1
