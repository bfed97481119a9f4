# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Helpers for the vfio-dmabuf host suites: running the command, and
# building a fake sysfs tree and a recorded /proc tree in a temporary
# directory (built at test time, so nothing with symlinks is shipped).
#
# VFIO_DMABUF_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full"
# runs every invocation under that wrapper.

# vd ARGS...: run vfio-dmabuf; stdout in $out, stderr in $err, status $rc.
vd() {
	# shellcheck disable=SC2086
	$VFIO_DMABUF_WRAPPER vfio-dmabuf "$@" >"$work/out" 2>"$work/err" <"${vd_stdin:-/dev/null}"
	rc=$?
	out=$(cat "$work/out")
	err=$(cat "$work/err")
}

# expect STATUS MESSAGE ARGS...: run and check status and a stderr part.
expect() {
	local status=$1 msg=$2
	shift 2
	vd "$@"
	assertEquals "status of: vfio-dmabuf $*" "$status" "$rc"
	assertContains "stderr of: vfio-dmabuf $*" "$err" "$msg"
	assertNotContains "no crash: vfio-dmabuf $*" "$err" "AddressSanitizer"
}

NONE='0x0000000000000000 0x0000000000000000 0x0000000000000000'

# make_sysfs DIR: a PCI tree with
#   0000:00:04.0  ivshmem-like, bound to vfio-pci, cdev vfio0, group 3:
#                 BAR0 4K mem, BAR2 64M 64-bit prefetchable (BAR3 its upper half)
#   0000:00:05.0  bound to e1000e: BAR0 I/O ports, BAR1 1M mem
#   0000:00:06.0  no driver: BAR0 1M mem
make_sysfs() {
	local s=$1 d
	mkdir -p "$s/bus/pci/drivers/vfio-pci" "$s/bus/pci/drivers/e1000e" \
		"$s/kernel/iommu_groups/3" "$s/class/vfio-dev/vfio0"

	d=$s/bus/pci/devices/0000:00:04.0
	mkdir -p "$d/vfio-dev/vfio0"
	{
		echo '0x00000000fe000000 0x00000000fe000fff 0x0000000000040200'
		echo "$NONE"
		echo '0x0000000800000000 0x0000000803ffffff 0x000000000014220c'
		for _ in 3 4 5 6; do echo "$NONE"; done
	} >"$d/resource"
	ln -s ../../../bus/pci/drivers/vfio-pci "$d/driver"
	ln -s ../../../kernel/iommu_groups/3 "$d/iommu_group"
	ln -s ../../../bus/pci/devices/0000:00:04.0 "$s/class/vfio-dev/vfio0/device"
	echo 0x1af4 >"$d/vendor"; echo 0x1110 >"$d/device"; echo 0x050000 >"$d/class"

	d=$s/bus/pci/devices/0000:00:05.0
	mkdir -p "$d"
	{
		echo '0x000000000000c000 0x000000000000c0ff 0x0000000000040101'
		echo '0x00000000fe100000 0x00000000fe1fffff 0x0000000000040200'
		for _ in 2 3 4 5 6; do echo "$NONE"; done
	} >"$d/resource"
	ln -s ../../../bus/pci/drivers/e1000e "$d/driver"
	echo 0x8086 >"$d/vendor"; echo 0x10d3 >"$d/device"; echo 0x020000 >"$d/class"

	d=$s/bus/pci/devices/0000:00:06.0
	mkdir -p "$d"
	{
		echo '0x00000000fe200000 0x00000000fe2fffff 0x0000000000040200'
		for _ in 1 2 3 4 5 6; do echo "$NONE"; done
	} >"$d/resource"
	echo 0x1234 >"$d/vendor"; echo 0x11e8 >"$d/device"; echo 0x00ff00 >"$d/class"
}

# fdinfo INO SIZE NAME: the fdinfo text of a vfio-pci DMA-BUF
fdinfo() {
	printf 'pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t%s\nsize:\t%s\ncount:\t3\nexp_name:\tvfio_pci_core\nname:\t%s\n' "$1" "$2" "$3"
}

# make_proc DIR: a recorded /proc with
#   100 broker: BAR 2 of 0000:00:04.0 mapped through the device fd (series
#       name), a BAR of another device, fds 5 (client-a) and 6 (unnamed)
#   200 client: maps client-a and the unnamed buffer, and two BAR mappings
#       as a kernel without the series shows them (cdev and group)
#   300 a process without mappings
make_proc() {
	local p=$1
	mkdir -p "$p/100/fd" "$p/100/fdinfo" "$p/200/fd" "$p/200/fdinfo" "$p/300/fd"
	echo vfio-dmabuf >"$p/100/comm"; echo client >"$p/200/comm"; echo bash >"$p/300/comm"
	cat >"$p/100/maps" <<-'EOF'
	55d0c0a00000-55d0c0a21000 r--p 00000000 08:01 1311                       /usr/bin/vfio-dmabuf
	7f1c2a000000-7f1c2e000000 rw-s 20000000000 00:0f 5678                    /dmabuf:vfio0:0000:00:04.0/2
	7f1c30000000-7f1c30001000 rw-s 00000000 00:0f 7001                       /dmabuf:vfio1:0000:00:03.0/0
	7ffd10000000-7ffd10021000 rw-p 00000000 00:00 0                          [stack]
	EOF
	cat >"$p/200/maps" <<-'EOF'
	7f0000000000-7f0000200000 rw-s 00000000 00:0f 1234                       /dmabuf:client-a
	7f0000400000-7f0000401000 rw-s 00001000 00:0f 1240                       /dmabuf:
	7f0000500000-7f0000600000 rw-s 20000001000 00:05 88                      /dev/vfio/devices/vfio0
	7f0000600000-7f0000700000 rw-s 00000000 00:0e 89                         anon_inode:[vfio-device]
	EOF
	: >"$p/300/maps"
	ln -s /dmabuf:client-a "$p/100/fd/5"
	ln -s /dmabuf: "$p/100/fd/6"
	ln -s /dev/null "$p/100/fd/0"
	ln -s /dmabuf:client-a "$p/200/fd/3"
	fdinfo 1234 2097152 client-a >"$p/100/fdinfo/5"
	fdinfo 1234 2097152 client-a >"$p/200/fdinfo/3"
	fdinfo 1240 8192 '' >"$p/100/fdinfo/6"
}
