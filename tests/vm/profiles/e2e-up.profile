# Profile: e2e (ivshmem resettable below a root port, edu) with one vCPU, for reset races
# shellcheck shell=bash
# The devices of profile e2e, booted with a single vCPU: QEMU 10.0's TCG
# aborts (iotlb_to_section assertion) when one vCPU touches the ivshmem BAR
# while another one's secondary bus reset remaps it. With one vCPU the
# guest's threads still race (a reset sleeps, faulting threads run) but
# QEMU's vCPU threads do not.
vm_profile e2e
vm_smp 1
