# Profile: ivshmem-plain (1af4:1110) on the root complex, 00:11.0, BAR2 = 64 MiB host file
# shellcheck shell=bash
# DU_IVSHMEM_BDF=0000:00:11.0; BAR2 (64-bit prefetchable) is backed by the
# host file OUT/share/ivshmem.shm, seen in the guest as DU_IVSHMEM_FILE.
vm_ivshmem ivshmem pcie.0 11.0 64M
