# Profile: Intel 82576 igb NIC (8086:10c9) behind root port 00:1b.0
# shellcheck shell=bash
# DU_IGB_BDF (bus 01 when alone), the device the upstream vfio selftests
# drive.  It sits behind its own root port because its SR-IOV VFs (offset
# 0x80) do not fit next to it on bus 0.  No network backend: the tests
# only use its DMA engine.
vm_bridge pcie-root-port du_igb_rp pcie.0 1b.0 chassis=6 slot=1
vm_device igb igb du_igb_rp 00.0
# One vCPU, as for the switch and rootports profiles: igb sits behind a
# root port and every open and close of it resets it. A cold CI run hung
# here (2026-11-30): the patched kernel's guest stopped dead after the
# driver test's memcpy_to_unmapped_iova was killed at its timeout (no
# console output, not even the suite timeout's report; QEMU's vCPU
# threads idle, its main loop busy), while killing that case at its
# timeout on purpose, 2 vCPUs, left both kernels' guests well (the next
# run passed 11 of 11). Not proven to be QEMU's two-vCPU race, but it
# looks like it, and one vCPU costs these suites little.
vm_smp 1
