# Profile: edu + ivshmem on the root complex (edu DMA into the ivshmem BAR)
# shellcheck shell=bash
vm_profile edu
vm_profile ivshmem
