#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# iommufd-ctl's by-address sources (issue 12), in dry runs: ioas map
# --mmap-fd N and --device DEV --bar N, mem open --device --bar, and
# vfio-compat map / unmap; their JSON and text, what a failing line leaves
# behind (nothing), and the completion of the new options.  The kernel's
# side (a BAR mapped by address receives DMA; EFAULT where the kernel
# cannot) is tests/vm/suites/iommufd-ctl.sh.
#
# IOMMUFD_CTL_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full"
# runs every invocation under that wrapper.

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/host/iommufd-ctl/lib.sh"

oneTimeSetUp() {
	work=$(mktemp -d)
	head -c 65536 /dev/zero >"$work/f64k"
}

# jqo FILTER: FILTER on the last JSON output
jqo() {
	jq -c "$1" <"$work/out"
}

test_mmap_fd_json_and_text() {
	exec 7<>"$work/f64k"
	batch 'ioas alloc name A\nioas map --mmap-fd 7 --offset 4K --length 8K --iova 1M\nioas map --mmap-fd 7 --offset 16K\nioas list\n' -n -j
	exec 7<&-
	assertEquals "$err" 0 "$rc"
	assertEquals '["mmap-fd","fd 7",7,4096,true,1048576,8192,true,true,true]' \
		"$(jqo '.results[1] | [.source, .what, .fd, .offset, .fd_checked, .iova, .length, .fixed, .readable, .writable]')"
	assertEquals "default length: the rest of the file" '[16384,49152,false]' \
		"$(jqo '.results[2] | [.offset, .length, .fixed]')"
	assertEquals "listed" '["mmap-fd","mmap-fd"]' "$(jqo '[.results[3].ioas[0].mappings[].source]')"

	exec 7<>"$work/f64k"
	batch 'ioas alloc name A\nioas map --mmap-fd 7 --offset 4K --length 8K --iova 1M\n' -n
	exec 7<&-
	assertEquals "ioas 1: mapped mmap-fd (fd 7) offset 0x1000 at iova 0x100000 length 0x2000 rw" \
		"$(sed -n 2p "$work/out")"
}

test_mmap_fd_not_open_in_a_dry_run() {
	batch 'ioas alloc name A\nioas map --mmap-fd 97 --iova 1M\nioas map --mmap-fd 97 --length 8K\n' -n -j
	assertEquals "$err" 0 "$rc"
	assertEquals "the fd a real run inherits: unknown size" '["mmap-fd",97,false,null]' \
		"$(jqo '.results[1] | [.source, .fd, .fd_checked, .length]')"
	assertEquals '[false,8192]' "$(jqo '.results[2] | [.fd_checked, .length]')"
}

test_mmap_fd_read_only() {
	exec 7<"$work/f64k"
	batch 'ioas alloc name A\nioas map --mmap-fd 7 --length 4K\nioas map --mmap-fd 7 --length 4K --access r\n' -n -j
	exec 7<&-
	assertEquals 2 "$rc"
	assertEquals "-:2: ioas map: fd 7 is open read-only: map it with --access r" "$err"
	exec 7<"$work/f64k"
	batch 'ioas alloc name A\nioas map --mmap-fd 7 --length 4K --access r\n' -n -j
	exec 7<&-
	assertEquals "read-only is fine with --access r" 0 "$rc"
	assertEquals '[true,false]' "$(jqo '.results[1] | [.readable, .writable]')"
}

test_bar_json_and_text() {
	batch 'ioas alloc name A\nioas map --device 00:11.0 --bar 2 --offset 1M --length 2M --iova 16M\nioas map --device 0000:00:11.0 --bar 2\ndevice list\n' -n -j
	assertEquals "$err" 0 "$rc"
	assertEquals '["bar","0000:00:11.0 BAR2","0000:00:11.0",2,1048576,16777216,2097152]' \
		"$(jqo '.results[1] | [.source, .what, .device, .bar, .offset, .iova, .length]')"
	assertEquals "a dry run does not ask the device: the size is unknown" 'null' \
		"$(jqo '.results[2].length')"
	assertEquals "bound once, by its address" '["0000:00:11.0"]' "$(jqo '[.results[3].devices[].device]')"
	batch 'ioas alloc name A\ndevice bind --device 00:11.0 name ivs\nioas map --device ivs --bar 2 --offset 1M --length 2M --iova 16M\nioas map --bar 4 --length 4K --iova 32M\n' -n
	assertEquals "$err" 0 "$rc"
	assertEquals "ioas 1: mapped bar (0000:00:11.0 BAR2) offset 0x100000 at iova 0x1000000 length 0x200000 rw" \
		"$(sed -n 3p "$work/out")"
	assertEquals "without --device: the only device" \
		"ioas 1: mapped bar (0000:00:11.0 BAR4) offset 0x0 at iova 0x2000000 length 0x1000 rw" \
		"$(sed -n 4p "$work/out")"
}

test_failing_map_leaves_nothing_behind() {
	# A device bound by --device for a map that then fails is unbound
	# again; one bound before stays.
	batch 'ioas alloc name A\nioas alloc name B\nioas map --device 00:11.0 --bar 2 --length 4K\nmem open name M --device 00:12.0 --bar 2 --length 3K\ndevice list\nmem list\n' -n -f -j
	assertEquals 2 "$rc"
	assertEquals "-:3: ioas map: there are several IOASes: say which with --ioas
-:4: mem open: --length '3K' is not a multiple of the page size (4096)" "$err"
	assertEquals "no device left bound" '[]' "$(jqo '[.results[] | select(.command == "device list") | .devices[]]')"
	assertEquals "no memory object" '[]' "$(jqo '[.results[] | select(.command == "mem list") | .mem[]]')"
	batch 'ioas alloc name A\nioas alloc name B\ndevice bind --device 00:11.0\nioas map --device 00:11.0 --bar 2 --length 4K\ndevice list\n' -n -f -j
	assertEquals 2 "$rc"
	assertEquals "bound before the map: stays" '["0000:00:11.0"]' \
		"$(jqo '[.results[] | select(.command == "device list") | .devices[].device]')"
}

test_mem_open_bar() {
	batch 'ioas alloc name A\nmem open name B --device 00:11.0 --bar 2 --length 4M\nioas map --mem B --offset 1M --length 64K --iova 16M\nmem list\n' -n -j
	assertEquals "$err" 0 "$rc"
	assertEquals '["bar","0000:00:11.0",2,4194304,"address",null]' \
		"$(jqo '.results[1] | [.kind, .device, .bar, .size, .map_by, .fd]')"
	assertEquals '["mem","B",1048576,16777216,65536]' \
		"$(jqo '.results[2] | [.source, .mem, .offset, .iova, .length]')"
	assertEquals "counted" 1 "$(jqo '.results[3].mem[0].mappings')"
	batch 'mem open name B --device 00:11.0 --bar 2\nmem list\n' -n
	assertEquals "$err" 0 "$rc"
	assertEquals "mem 1 name B bar device 0000:00:11.0 bar 2 size unknown mapped by address rw mappings 0" \
		"$(sed -n 1p "$work/out")"
}

test_compat_map_and_unmap() {
	exec 7<>"$work/f64k"
	batch 'ioas alloc name A\nvfio-compat set --ioas A\nvfio-compat show\nmem alloc name M --length 64K\nvfio-compat map --iova 1M --length 64K\nvfio-compat map --iova 2M --mmap-fd 7 --offset 8K\nvfio-compat map --iova 4M --device 00:11.0 --bar 2 --length 2M\nvfio-compat map --iova 8M --mem M --offset 4K --length 4K\nioas list\nvfio-compat unmap --iova 2M --length 56K\nioas unmap --iova 8M --length 4K\nvfio-compat unmap --all\nmem free --mem M\n' -n -j
	exec 7<&-
	assertEquals "$err" 0 "$rc"
	assertEquals "a dry run knows the IOAS that vfio-compat set chose" '["vfio-compat show",1,"A"]' \
		"$(jqo '.results[2] | [.command, .ioas_id, .name]')"
	assertEquals "every source at a fixed IOVA" \
		'[["anon",1048576,65536,true],["mmap-fd",2097152,57344,true],["bar",4194304,2097152,true],["mem",8388608,4096,true]]' \
		"$(jqo '[.results[4,5,6,7] | [.source, .iova, .length, .fixed]]')"
	assertEquals "tracked in the IOAS" '[1048576,2097152,4194304,8388608]' \
		"$(jqo '[.results[8].ioas[0].mappings[].iova]')"
	assertEquals "unmapped bytes" '[57344,4096,2162688]' "$(jqo '[.results[9,10,11].unmapped]')"
	assertEquals "the memory object is free again" '"mem free"' "$(jqo '.results[12].command')"

	batch 'ioas alloc name A\nvfio-compat set\nvfio-compat map --iova 1M --length 64K\nvfio-compat unmap --iova 1M --length 64K\n' -n
	assertEquals "$err" 0 "$rc"
	assertEquals "ioas 1: mapped anon at iova 0x100000 length 0x10000 rw
ioas 1: unmapped [0x100000 +0x10000] 0x10000 bytes" "$(sed -n 3,4p "$work/out")"
}

test_compat_needs_an_ioas() {
	batch 'ioas alloc name A\nvfio-compat map --iova 1M --length 64K\n' -n
	assertEquals 1 "$rc"
	assertEquals "-:2: vfio-compat map: the VFIO compatibility container has no IOAS: choose one with 'vfio-compat set --ioas IOAS' first" "$err"
	batch 'ioas alloc name A\nvfio-compat set\nioas destroy --ioas A\nvfio-compat show\n' -n -j
	assertEquals "destroyed: the container has none" null "$(jqo '.results[3].ioas_id')"
}

# The by-address examples of EXAMPLES.md and the README, in a dry run (as
# CI checks a batch): accepted, the IOVAs as written.
test_dry_run_accepts_the_examples() {
	cat >"$work/ex.batch" <<'EOF'
device bind --device 0000:00:10.0 name edu
ioas alloc name A
device attach --device edu --ioas A
device bind --device 0000:00:11.0 name ivs
ioas map --device ivs --bar 2 --offset 16M --length 2M --iova 0x1000000
mem open name B --device ivs --bar 2 --length 4M
ioas map --mem B --offset 1M --length 64K --iova 0x2000000
vfio-compat set --ioas A
vfio-compat map --device ivs --bar 2 --offset 20M --length 2M --iova 0x3000000
vfio-compat unmap --iova 0x3000000 --length 2M
ioas list
ioas map --mmap-fd $VFIO_DMABUF_FD --iova 0x4000000
EOF
	VFIO_DMABUF_FD=9 ictl -n -j -b "$work/ex.batch"
	assertEquals "$err" 0 "$rc"
	assertEquals '[16777216,33554432,50331648,67108864]' \
		"$(jqo '[.results[] | select(.source) | .iova]')"
	assertEquals "what ioas list shows" '["bar","mem","mmap-fd"]' \
		"$(jqo '[.results[10].ioas[0].mappings[], .results[-1] | .source]')"
}

test_help_names_the_new_sources() {
	ictl ioas map --help
	assertContains "$out" "--mmap-fd=N"
	assertContains "$out" "--bar=N"
	ictl vfio-compat help
	assertContains "$out" "map            VFIO_IOMMU_MAP_DMA"
	assertContains "$out" "unmap          VFIO_IOMMU_UNMAP_DMA"
}

test_completion_of_the_new_options() {
	# shellcheck disable=SC1090
	. "$top_srcdir/completion/iommufd-ctl"
	COMP_WORDS=(iommufd-ctl ioas map --b); COMP_CWORD=3; COMP_LINE="iommufd-ctl ioas map --b"; COMP_POINT=${#COMP_LINE}
	_iommufd_ctl
	assertEquals "--bar" "${COMPREPLY[*]}"
	COMP_WORDS=(iommufd-ctl ioas map --bar ""); COMP_CWORD=4; COMP_LINE="iommufd-ctl ioas map --bar "; COMP_POINT=${#COMP_LINE}
	_iommufd_ctl
	assertEquals "0 1 2 3 4 5" "${COMPREPLY[*]}"
	COMP_WORDS=(iommufd-ctl vfio-compat ""); COMP_CWORD=2; COMP_LINE="iommufd-ctl vfio-compat "; COMP_POINT=${#COMP_LINE}
	_iommufd_ctl
	assertEquals "show set clear map unmap help" "${COMPREPLY[*]}"
	COMP_WORDS=(iommufd-ctl vfio-compat map --m); COMP_CWORD=3; COMP_LINE="iommufd-ctl vfio-compat map --m"; COMP_POINT=${#COMP_LINE}
	_iommufd_ctl
	assertEquals "--mmap-fd --mem" "${COMPREPLY[*]}"
}

tap_run_shunit2
