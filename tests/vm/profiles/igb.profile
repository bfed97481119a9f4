# Profile: Intel 82576 igb NIC (8086:10c9) behind root port 00:1b.0
# shellcheck shell=bash
# DU_IGB_BDF (bus 01 when alone), the device the upstream vfio selftests
# drive.  It sits behind its own root port because its SR-IOV VFs (offset
# 0x80) do not fit next to it on bus 0.  No network backend: the tests
# only use its DMA engine.
vm_bridge pcie-root-port du_igb_rp pcie.0 1b.0 chassis=6 slot=1
vm_device igb igb du_igb_rp 00.0
