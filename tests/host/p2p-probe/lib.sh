# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Shared by the p2p-probe host suites: the recorded sysfs trees live in
# fixtures/NAME.tar.xz (make dist would turn their symbolic links into
# copies); p2p_unpack_fixtures DIR unpacks every one into DIR/NAME.

p2p_fixture_store=$top_srcdir/tests/host/p2p-probe/fixtures
# the names of the fixtures' devices (p2p-probe -i): golden outputs must
# not depend on the host's pci.ids
p2p_ids=$top_srcdir/tests/host/p2p-probe/pci.ids

p2p_unpack_fixtures() {
	local t
	mkdir -p "$1"
	for t in "$p2p_fixture_store"/*.tar.xz; do
		tar -xJf "$t" -C "$1" || return 1
	done
}

# p2p_synth_flat DIR N: a synthetic tree of N endpoints, copies of the flat
# fixture's ivshmem 00:11.0 (each with its own IOMMU group), below the
# flat fixture's host bridge; past 248 functions on further host bridges
# (buses 01, 02 ...).  For scale tests and scripts/bench-scale.sh.
p2p_synth_flat() {
	local d=$1 n=$2 i hb bus slot fn addr dev tmp
	tmp=$(mktemp -d) || return 1
	tar -xJf "$p2p_fixture_store/flat.tar.xz" -C "$tmp" || return 1
	rm -rf "$d"
	mv "$tmp/flat" "$d"
	cp -a "$d/devices/pci0000:00/0000:00:11.0" "$tmp/proto"
	rm -rf "$d/devices/pci0000:00/0000:00:1"[01].0 \
		"$d/bus/pci/devices/0000:00:1"[01].0
	for ((i = 0; i < n; i++)); do
		bus=$((i / 248))
		slot=$((1 + (i % 248) / 8))
		fn=$((i % 8))
		printf -v hb 'pci0000:%02x' "$bus"
		printf -v addr '0000:%02x:%02x.%d' "$bus" "$slot" "$fn"
		dev=$d/devices/$hb/$addr
		mkdir -p "$d/devices/$hb" "$d/kernel/iommu_groups/$((i + 10))"
		cp -a "$tmp/proto" "$dev"
		ln -sfn "../../../kernel/iommu_groups/$((i + 10))" "$dev/iommu_group"
		ln -s "../../../devices/$hb/$addr" "$d/bus/pci/devices/$addr"
	done
	rm -rf "$tmp"
}

# p2p_lspci_dump TREE [BYTES]: the devices of a recorded tree as `lspci -D
# -xxxx` prints them (at most BYTES of config space each, default all the
# tree has), for p2p-probe -F: a header line, then "OFF: xx xx ..." lines of
# 16 bytes, a blank line after each device.
p2p_lspci_dump() {
	local tree=$1 max=${2:-4096} d n off line
	for d in "$tree"/bus/pci/devices/*; do
		n=$(stat -L -c %s "$d/config") || return 1
		[ "$n" -le "$max" ] || n=$max
		printf '%s Device: recorded\n' "${d##*/}"
		off=0
		while read -r line; do
			printf '%02x: %s\n' "$off" "$line"
			off=$((off + 16))
		done < <(od -An -tx1 -v -w16 -N "$n" "$d/config")
		printf '\n'
	done
}
