#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Make the hand-derived fixtures from the recorded ones.  The recorded
# trees (flat, switch, rootports) come from p2p-record.sh run as root in a
# tests/vm/run-vm.sh guest with the profiles p2p,switch,rootports:
#   flat       edu 00:10.0 and ivshmem 00:11.0 on the root complex
#   switch     edu 03:00.0, ivshmem 04:00.0 on two xio3130 downstream ports
#              (QEMU's have no ACS capability: no ACS redirect)
#   rootports  edu 05:00.0, ivshmem 06:00.0 below root ports 1d.0 and 1e.0
#              (ACS SV RR CR UF enabled by the kernel)
# Derived here, each change documented:
#   switch-acs   switch + an ACS capability on both downstream ports with
#                SV RR CR UF enabled, as a real switch has once the kernel
#                enables ACS (it does when an IOMMU is present)
#   allowlisted  rootports with host bridge 00:00.0 turned into an Intel
#                Skylake-E 8086:2020, which is on the P2PDMA allowlist
#   restricted   switch with every config file cut to the 64 bytes a
#                non-root reader gets from sysfs
#   twohb        rootports with root port 1d.0 and its device moved below a
#                second host bridge pci0000:40 (bus 0x40, 0x41) on NUMA node
#                1 (the rest on node 0), and an AMD family 0x19 (Zen 3) CPU
#   twoswitches  switch with a second switch (copies of the recorded
#                upstream and downstream port, 05:00.0 and 06:00.0) between
#                downstream port 02:01.0 and ivshmem, renamed 07:00.0
#   malformed    flat with ivshmem's bus/pci/devices link pointing outside
#                any host bridge and edu's config cut to 16 bytes
#
# Every fixture is stored as NAME.tar.xz (make dist follows symbolic links,
# so a tree cannot be shipped as is; the tests unpack them).  To add a
# recording: p2p-record.sh DIR/NAME ..., then pack it like pack() below.
#
# Usage: derive-fixtures.sh   (rewrites the derived NAME.tar.xz files)
set -euo pipefail

store=$(cd "$(dirname "$0")" && pwd)/fixtures
fx=$(mktemp -d)
trap 'rm -rf "$fx"' EXIT
for f in flat switch rootports; do
	tar -xJf "$store/$f.tar.xz" -C "$fx"
done
cd "$fx"

# pack NAME: a reproducible tarball of the tree NAME
pack() {
	tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 \
		-cJf "$store/$1.tar.xz" "$1"
}

# poke FILE OFFSET WIDTH VALUE: little-endian write into a binary file
poke() {
	local file=$1 off=$(($2)) width=$3 val=$(($4)) i bytes=''
	for ((i = 0; i < width; i++)); do
		bytes+=$(printf '\\x%02x' $(((val >> (8 * i)) & 0xff)))
	done
	# shellcheck disable=SC2059
	printf "$bytes" | dd of="$file" bs=1 seek="$off" conv=notrunc status=none
}

fresh() { rm -rf "$2"; cp -a "$1" "$2"; }

# switch-acs: AER sits at 0x100 with no successor; chain ACS at 0x148
fresh switch switch-acs
for d in switch-acs/devices/pci0000:00/0000:00:1c.0/0000:01:00.0/0000:02:0[01].0; do
	poke "$d/config" 0x100 4 0x14820001	# AER v2, next 0x148
	poke "$d/config" 0x148 4 0x0001000d	# ACS v1, last
	poke "$d/config" 0x14c 2 0x005f		# capable: SV TB RR CR UF DT
	poke "$d/config" 0x14e 2 0x001d		# enabled: SV RR CR UF
done

fresh rootports allowlisted
hb=allowlisted/devices/pci0000:00/0000:00:00.0
echo 0x2020 >"$hb/device"
poke "$hb/config" 0x02 2 0x2020

fresh switch restricted
find restricted -name config -type f | while read -r f; do
	truncate -s 64 "$f"
done

fresh rootports twohb
mkdir -p twohb/devices/pci0000:40
mv twohb/devices/pci0000:00/0000:00:1d.0 twohb/devices/pci0000:40/0000:40:1d.0
mv twohb/devices/pci0000:40/0000:40:1d.0/0000:05:00.0 \
	twohb/devices/pci0000:40/0000:40:1d.0/0000:41:00.0
rm twohb/bus/pci/devices/0000:00:1d.0 twohb/bus/pci/devices/0000:05:00.0
ln -s ../../../devices/pci0000:40/0000:40:1d.0 twohb/bus/pci/devices/0000:40:1d.0
ln -s ../../../devices/pci0000:40/0000:40:1d.0/0000:41:00.0 \
	twohb/bus/pci/devices/0000:41:00.0
find twohb/devices/pci0000:00 -mindepth 1 -type d -name '0000:*' |
	while read -r d; do echo 0 >"$d/numa_node"; done
find twohb/devices/pci0000:40 -mindepth 1 -type d -name '0000:*' |
	while read -r d; do echo 1 >"$d/numa_node"; done
echo 'cpu:type:x86,ven0002fam0019mod0001:feature:' >twohb/devices/system/cpu/modalias

fresh switch twoswitches
top=twoswitches/devices/pci0000:00/0000:00:1c.0/0000:01:00.0
up2=$top/0000:02:01.0/0000:05:00.0
dn2=$up2/0000:06:00.0
mkdir -p "$dn2"
find "$top" -maxdepth 1 -type f -exec cp {} "$up2" \;
find "$top/0000:02:00.0" -maxdepth 1 -type f -exec cp {} "$dn2" \;
mv "$top/0000:02:01.0/0000:04:00.0" "$dn2/0000:07:00.0"
rm twoswitches/bus/pci/devices/0000:04:00.0
for d in "$up2" "$dn2" "$dn2/0000:07:00.0"; do
	ln -s "../../../${d#twoswitches/}" "twoswitches/bus/pci/devices/${d##*/}"
done
# the moved device's driver and iommu_group links are one level deeper
for l in driver iommu_group; do
	t=$(readlink "$dn2/0000:07:00.0/$l")
	ln -sfn "../../$t" "$dn2/0000:07:00.0/$l"
done

fresh flat malformed
rm malformed/bus/pci/devices/0000:00:11.0
ln -s ../../../devices/0000:00:11.0 malformed/bus/pci/devices/0000:00:11.0
mv malformed/devices/pci0000:00/0000:00:11.0 malformed/devices/0000:00:11.0
truncate -s 16 malformed/devices/pci0000:00/0000:00:10.0/config

for f in switch-acs allowlisted restricted twohb twoswitches malformed; do
	pack "$f"
done
