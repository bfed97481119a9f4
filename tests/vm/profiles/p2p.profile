# Profile: edu + ivshmem on the root complex (edu DMA into the ivshmem BAR)
# shellcheck shell=bash
vm_profile edu
vm_profile ivshmem
# One vCPU: a CI run on 2026-11-30 (2d288ad) lost the p2p-base guest in
# vfio-dmabuf's suite to an RCU stall with "timer wakeup didn't happen"
# on the second vCPU (QEMU 10 TCG, two vCPUs), the failure the switch,
# rootports and igb profiles already avoid with one vCPU.
vm_smp 1
