# Profile: QEMU edu DMA engine (1234:11e8) on the root complex, 00:10.0
# shellcheck shell=bash
# DU_EDU_BDF=0000:00:10.0: BAR0 1 MiB MMIO, 28-bit DMA mask.
vm_device edu edu pcie.0 10.0
