#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# p2p-record: record the part of a sysfs tree that p2p-probe reads, so that
# `p2p-probe --sysfs-root DEST` can replay it elsewhere (host tests, bug
# reports).
#
# Usage: p2p-record.sh [-r SYSFS] [-f] [-a] DEST [DEVICE...]
#   DEST      directory to create (must not exist unless -f)
#   DEVICE    PCI addresses (DDDD:BB:DD.F) to record; default: every device.
#             The bridges above each device and the first device on each
#             root bus (the host bridge the allowlist looks at) come along.
#   -r SYSFS  read from SYSFS instead of /sys
#   -f        record into DEST even if it exists
#   -a        also pack DEST into DEST.tar.xz (a tree full of symbolic links
#             does not survive every copy; the tarball does)
#
# Recorded per device: vendor, device, class, subsystem_vendor,
# subsystem_device, resource, numa_node, config (as readable by the caller:
# run as root for the extended config space, which holds ACS), and the
# driver and iommu_group links; the vfio-dev/vfioN directory; for the tree,
# bus/pci/devices/<addr> links and devices/system/cpu/modalias.  Links are
# relative, so DEST can be moved.
set -euo pipefail

prog=${0##*/}
die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 2; }

sysfs=/sys force=0 archive=0
while getopts ':r:fah' opt; do
	case $opt in
	r) sysfs=$OPTARG ;;
	f) force=1 ;;
	a) archive=1 ;;
	h) sed -n '4,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	:) die "option -$OPTARG needs an argument" ;;
	*) die "unknown option -$OPTARG (try -h)" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || die "missing DEST (try -h)"
dest=$1
shift
[ -d "$sysfs/bus/pci/devices" ] || die "$sysfs: no bus/pci/devices here"
if [ -e "$dest" ] && [ "$force" = 0 ]; then
	die "$dest exists (use -f to record into it)"
fi
sysreal=$(realpath "$sysfs")
mkdir -p "$dest"
dest=$(realpath "$dest")

declare -A done_dev=()

# rel FROM_DIR TO: relative path from directory FROM_DIR to TO
rel() { realpath -m --relative-to="$1" "$2"; }

copy_attrs() {
	local src=$1 dst=$2 f
	mkdir -p "$dst"
	for f in vendor device class subsystem_vendor subsystem_device \
		resource numa_node; do
		if [ -r "$src/$f" ]; then
			cat "$src/$f" >"$dst/$f" 2>/dev/null || rm -f "$dst/$f"
		fi
	done
	# as much config space as this user may read (64 bytes for non-root)
	cat "$src/config" >"$dst/config" 2>/dev/null || rm -f "$dst/config"
	if [ -L "$src/driver" ]; then
		local drv
		drv=$(basename "$(readlink "$src/driver")")
		mkdir -p "$dest/bus/pci/drivers/$drv"
		# git does not keep empty directories
		: >"$dest/bus/pci/drivers/$drv/.keep"
		ln -sfn "$(rel "$dst" "$dest/bus/pci/drivers/$drv")" "$dst/driver"
	fi
	if [ -L "$src/iommu_group" ]; then
		local grp
		grp=$(basename "$(readlink "$src/iommu_group")")
		mkdir -p "$dest/kernel/iommu_groups/$grp"
		if [ -r "$sysfs/kernel/iommu_groups/$grp/type" ]; then
			cat "$sysfs/kernel/iommu_groups/$grp/type" >"$dest/kernel/iommu_groups/$grp/type"
		else
			: >"$dest/kernel/iommu_groups/$grp/.keep"
		fi
		ln -sfn "$(rel "$dst" "$dest/kernel/iommu_groups/$grp")" "$dst/iommu_group"
	fi
	if [ -d "$src/vfio-dev" ]; then
		local v
		for v in "$src"/vfio-dev/vfio*; do
			[ -e "$v" ] || continue
			mkdir -p "$dst/vfio-dev/${v##*/}"
			cat "$v/dev" >"$dst/vfio-dev/${v##*/}/dev" 2>/dev/null ||
				: >"$dst/vfio-dev/${v##*/}/dev"
		done
	fi
}

# record ADDR: the device, every bridge above it, and its root bus's first
# device
record() {
	local addr=$1 real relp dir part hb first
	[ -n "${done_dev[$addr]:-}" ] && return 0
	done_dev[$addr]=1
	[ -e "$sysfs/bus/pci/devices/$addr" ] || die "$addr: no such PCI device in $sysfs"
	real=$(realpath "$sysfs/bus/pci/devices/$addr")
	relp=${real#"$sysreal"/}
	[ "$relp" != "$real" ] || die "$addr: $real is outside $sysreal"
	# walk the path: every PCI device component is recorded
	dir=$sysreal hb=
	local IFS=/
	for part in $relp; do
		dir=$dir/$part
		case $part in
		pci[0-9a-f][0-9a-f][0-9a-f][0-9a-f]*:[0-9a-f][0-9a-f]) hb=$dir ;;
		*:*:*.*)
			copy_attrs "$dir" "$dest/${dir#"$sysreal"/}"
			mkdir -p "$dest/bus/pci/devices"
			ln -sfn "$(rel "$dest/bus/pci/devices" "$dest/${dir#"$sysreal"/}")" \
				"$dest/bus/pci/devices/$part"
			;;
		esac
	done
	unset IFS
	[ -n "$hb" ] || die "$addr: no host bridge (pciDDDD:BB) in $real"
	# the root bus lists its devices in devfn order: the first by name
	first=$(for f in "$hb"/????*:??:??.?; do
		[ -e "$f" ] && printf '%s\n' "${f##*/}"
	done | LC_ALL=C sort | head -n 1)
	[ -z "$first" ] || record "$first"
}

if [ $# -eq 0 ]; then
	for d in "$sysfs"/bus/pci/devices/*; do
		[ -e "$d" ] && record "${d##*/}"
	done
else
	for d in "$@"; do
		record "$d"
	done
fi

if [ -r "$sysfs/devices/system/cpu/modalias" ]; then
	mkdir -p "$dest/devices/system/cpu"
	sed "s/:feature:.*/:feature:/" "$sysfs/devices/system/cpu/modalias" >"$dest/devices/system/cpu/modalias"
fi
if [ "$(id -u)" != 0 ]; then
	printf '%s: warning: not root: config space was recorded as this user reads it (64 bytes)\n' "$prog" >&2
fi
printf '%s: recorded %d devices into %s\n' "$prog" "${#done_dev[@]}" "$dest" >&2
if [ "$archive" = 1 ]; then
	tar --sort=name --owner=0 --group=0 --numeric-owner -C "$(dirname "$dest")" \
		-cJf "$dest.tar.xz" "$(basename "$dest")"
	printf '%s: packed %s.tar.xz\n' "$prog" "$dest" >&2
fi
