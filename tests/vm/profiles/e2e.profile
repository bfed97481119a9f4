# Profile: edu on the root complex (00:10.0), ivshmem alone behind root port 00:1a.0 (resettable)
# shellcheck shell=bash
# The end-to-end scenario (suites/e2e.sh).  ivshmem has no reset method of
# its own (no FLR, no PM reset), so VFIO_DEVICE_RESET on it fails with
# EINVAL when it sits on the root bus.  Alone below a root port it can get
# a secondary bus reset, which is what VFIO_DEVICE_RESET then uses.
# DU_EDU_BDF=0000:00:10.0, DU_IVSHMEM_BDF (bus 01 when used alone), BAR2 =
# 64 MiB backed by OUT/share/ivshmem.shm (DU_IVSHMEM_FILE in the guest).
vm_device edu edu pcie.0 10.0
vm_bridge pcie-root-port du_e2e_rp pcie.0 1a.0 chassis=7 slot=1
vm_ivshmem ivshmem du_e2e_rp 00.0 64M
