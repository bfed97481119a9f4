# Profile: bigbar, ivshmem-plain on the root complex (00:12.0) with a 2 GiB BAR2 backed by a file in /dev/shm
# shellcheck shell=bash
# For 1 GiB (PUD) mappings of a BAR (suites/pud-mappings.sh): BAR2 is
# 2 GiB, so it is 2 GiB-aligned in the guest's 64-bit PCI window and holds
# two 1 GiB-aligned GiBs.  The backing file lives in /dev/shm (RAM; pages
# are allocated only as the guest touches them) and is removed after the
# run; the guest has no view of it (no DU_BIGBAR_FILE).  q35's 64-bit
# window (pci-hole64-size, 32 GiB by default in QEMU 10) holds it; it is
# set explicitly so that the profile does not depend on that default.
vm_qemu -global q35-pcihost.pci-hole64-size=64G
vm_ivshmem bigbar pcie.0 12.0 2G /dev/shm
