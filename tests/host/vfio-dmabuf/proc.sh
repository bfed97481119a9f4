#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vfio-dmabuf maps and info on a recorded /proc tree (--proc-root): names
# decoded into device, cdev, BAR and offset; exporters from fdinfo; which
# processes hold a buffer by fd and by mapping.  Plus the live forms on
# this host's /proc.

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/host/vfio-dmabuf/lib.sh"

oneTimeSetUp() {
	work=$(mktemp -d)
	make_sysfs "$work/sys"
	make_proc "$work/proc"
	export DU_SYSFS_ROOT=$work/sys
	P=(--proc-root "$work/proc")
}

oneTimeTearDown() {
	rm -rf "$work"
}

test_maps_decodes_every_kind_of_mapping() {
	vd "${P[@]}" -j maps
	assertEquals "$err" 0 "$rc"
	assertEquals "six VFIO mappings" 6 "$(jq '.mappings | length' <<<"$out")"
	assertEquals "BAR through the device fd (series name)" \
		'{"pid":100,"kind":"bar","device":"0000:00:04.0","cdev":"vfio0","bar":2,"offset":0,"size":67108864,"name":"vfio0:0000:00:04.0/2"}' \
		"$(jq -c '.mappings[0] | {pid,kind,device,cdev,bar,offset,size,name}' <<<"$out")"
	assertEquals "another device's BAR, as the series names it (offset 0 in its own buffer)" \
		'{"device":"0000:00:03.0","bar":0,"offset":0,"bar_offset":null}' \
		"$(jq -c '.mappings[1] | {device,bar,offset,bar_offset}' <<<"$out")"
	assertEquals "an exported named buffer, exporter from fdinfo" \
		'{"pid":200,"kind":"buffer","device":null,"name":"client-a","exporter":"vfio_pci_core","inode":1234,"size":2097152}' \
		"$(jq -c '.mappings[2] | {pid,kind,device,name,exporter,inode,size}' <<<"$out")"
	assertEquals "an unnamed buffer at page offset 1" '{"name":null,"offset":4096,"exporter":null}' \
		"$(jq -c '.mappings[3] | {name,offset,exporter}' <<<"$out")"
	assertEquals "a BAR mapping without the series (cdev)" \
		'{"kind":"device","device":"0000:00:04.0","cdev":"vfio0","bar":2,"offset":4096,"bar_offset":4096}' \
		"$(jq -c '.mappings[4] | {kind,device,cdev,bar,offset,bar_offset}' <<<"$out")"
	assertEquals "a BAR mapping through a group fd" \
		'{"kind":"device","device":null,"cdev":null,"bar":0}' \
		"$(jq -c '.mappings[5] | {kind,device,cdev,bar}' <<<"$out")"
	vd "${P[@]}" maps
	assertEquals 0 "$rc"
	assertContains "text header" "$out" "PID     COMMAND"
	assertContains "$out" "vfio0:0000:00:04.0/2"
	assertContains "$out" "client-a"
}

test_maps_filters() {
	vd "${P[@]}" -j maps --pid 200
	assertEquals 0 "$rc"
	assertEquals '[200]' "$(jq -c '[.mappings[].pid] | unique' <<<"$out")"
	vd "${P[@]}" -j maps --device 00:04.0
	assertEquals 2 "$(jq '.mappings | length' <<<"$out")"
	vd "${P[@]}" -j maps --device 00:04.0 --bar 2 --pid 100
	assertEquals '[2]' "$(jq -c '[.mappings[].bar]' <<<"$out")"
	vd "${P[@]}" -j maps --pid 300
	assertEquals 0 "$rc"
	assertEquals '{"mappings":[]}' "$out"
}

test_maps_bad_input() {
	expect 1 "no process 999" "${P[@]}" maps --pid 999
	expect 2 "--pid: 'abc' is not a process id" maps --pid abc
	expect 2 "--pid: '0' is not a process id" maps --pid 0
	expect 2 "--device: invalid PCI address 'x'" maps --device x
	mkdir -p "$work/bad/1"
	echo 'this is not a maps line' >"$work/bad/1/maps"
	expect 1 "malformed line in $work/bad/1/maps" --proc-root "$work/bad" maps --pid 1
	expect 1 "cannot read $work/nothing" --proc-root "$work/nothing" maps
}

test_info_lists_holders_like_dmabuf_dump() {
	vd "${P[@]}" -j info
	assertEquals "$err" 0 "$rc"
	assertEquals "two buffers by inode" '[1234,1240]' "$(jq -c '[.buffers[].inode]' <<<"$out")"
	assertEquals "BAR mappings apart, decoded" \
		'[{"inode":5678,"device":"0000:00:04.0","bar":2,"cdev":"vfio0"},{"inode":7001,"device":"0000:00:03.0","bar":0,"cdev":"vfio1"}]' \
		"$(jq -c '[.bar_mappings[] | {inode,device,bar,cdev}]' <<<"$out")"
	assertEquals "held by the broker's mapping" '[100]' "$(jq -c '[.bar_mappings[0].mappings[].pid]' <<<"$out")"
	assertEquals "fdinfo of client-a" '{"size":2097152,"exporter":"vfio_pci_core","name":"client-a","count":3}' \
		"$(jq -c '.buffers[0] | {size,exporter,name,count}' <<<"$out")"
	assertEquals "held by fd" '[[100,5],[200,3]]' "$(jq -c '[.buffers[0].fds[] | [.pid,.fd]]' <<<"$out")"
	assertEquals "held by mapping" '[200]' "$(jq -c '[.buffers[0].mappings[].pid]' <<<"$out")"
	assertEquals "the BAR's DMA-BUF name" "vfio0:0000:00:04.0/2" "$(jq -r '.bar_mappings[0].name' <<<"$out")"
	vd "${P[@]}" info
	assertContains "$out" "inode 1234 size 2M exporter vfio_pci_core count 3 name client-a"
	assertContains "$out" "fd  pid 200 (client) fd 3"
	assertContains "$out" "inode 5678 BAR mapping: device 0000:00:04.0 BAR 2 cdev vfio0 name vfio0:0000:00:04.0/2"
}

test_info_selects_one_buffer() {
	vd "${P[@]}" -j info --inode 1240
	assertEquals 0 "$rc"
	assertEquals '[1240]' "$(jq -c '[.buffers[].inode]' <<<"$out")"
	vd "${P[@]}" -j info --pid 200 --fd 3
	assertEquals '[1234]' "$(jq -c '[.buffers[].inode]' <<<"$out")"
	vd "${P[@]}" -j info --pid 100
	assertEquals "the buffers pid 100 holds" '[1234,1240]' "$(jq -c '[.buffers[].inode]' <<<"$out")"
	assertEquals "and its BAR mappings" '[5678,7001]' "$(jq -c '[.bar_mappings[].inode]' <<<"$out")"
	vd "${P[@]}" -j info --inode 5678
	assertEquals "a BAR mapping selected by inode" '[[],[5678]]' \
		"$(jq -c '[[.buffers[].inode],[.bar_mappings[].inode]]' <<<"$out")"
	vd "${P[@]}" -j info --pid 300
	assertEquals '[]' "$(jq -c '.buffers' <<<"$out")"
	expect 1 "no process holds a DMA-BUF with inode 999" "${P[@]}" info --inode 999
	expect 2 "fd 0 of process 100 is not open or not a DMA-BUF" "${P[@]}" info --pid 100 --fd 0
	expect 1 "no process 999" "${P[@]}" info --pid 999 --fd 3
	expect 2 "give one of --inode, --fd, --id" info --inode 1 --fd 3
	expect 2 "--inode: 'x' is not an inode number" info --inode x
}

test_live_maps_of_this_shell() {
	# the example form of the issue, as written
	vd -j maps --pid $$
	assertEquals "$err" 0 "$rc"
	assertEquals '{"mappings":[]}' "$out"
	vd maps
	assertEquals "all processes: $err" 0 "$rc"
	vd -j info
	assertEquals "$err" 0 "$rc"
	assertTrue "JSON" "jq -e .buffers <<<'$out' >/dev/null"
}

tap_run_shunit2
