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
	# issue 14: libsmartcols sizes each column to its widest cell (the
	# header used to be padded to fixed widths: "PID     COMMAND ...")
	assertContains "text header" "$out" "PID COMMAND     ADDRESS"
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
	assertEquals '{"mappings":[],"uninspected":[],"malformed":[]}' "$out"
}

test_maps_bad_input() {
	expect 1 "no process 999" "${P[@]}" maps --pid 999
	expect 2 "--pid: 'abc' is not a process id" maps --pid abc
	expect 2 "--pid: '0' is not a process id" maps --pid 0
	expect 2 "--device: invalid PCI address 'x'" maps --device x
	# an argument's escape sequence does not reach the terminal
	expect 2 "--device: invalid PCI address 'a\\x1b[2J\\xff'" maps --device "$(printf 'a\033[2J\377')"
	expect 2 "--pid: 'a\\x1b[2J\\xff' is not a process id" maps --pid "$(printf 'a\033[2J\377')"
	assertFalse "no raw ESC on stderr" "grep -q \$'\\x1b' '$work/err'"
	mkdir -p "$work/bad/1"
	echo 'this is not a maps line' >"$work/bad/1/maps"
	# a malformed line is skipped with a warning, not an error (issue 13)
	expect 0 "process 1 (?): 1 malformed line in $work/bad/1/maps skipped" --proc-root "$work/bad" maps --pid 1
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
	# issue 14: one libsmartcols table, a line per buffer and BAR mapping
	# with its holders (it used to be "inode 1234 size 2M ..." with a
	# line per holder)
	assertEquals "the header" \
		"INODE KIND   SIZE EXPORTER      COUNT DEVICE       BAR CDEV  NAME                 FDS                              MAPPINGS" \
		"$(head -1 <<<"$out")"
	assertContains "a buffer, its holders by fd and by mapping" "$out" \
		" 1234 buffer   2M vfio_pci_core     3 -              - -     client-a             vfio-dmabuf[100]:5 client[200]:3 client[200]"
	assertContains "a BAR mapping" "$out" \
		" 5678 bar       - -                 - 0000:00:04.0   2 vfio0 vfio0:0000:00:04.0/2 -                                vfio-dmabuf[100]"
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

# make_hostile DIR: a /proc whose process name and DMA-BUF names carry an
# escape sequence and bytes that are not UTF-8, at addresses above 2^53
make_hostile() {
	local p=$1
	rm -rf "$p"
	mkdir -p "$p/42/fd" "$p/42/fdinfo"
	printf 'ev\033[2Jil\377\376\n' >"$p/42/comm"
	printf 'ffff800000001000-ffff800000201000 rw-s 00000000 00:0f 4242                       /dmabuf:bad\033]0;x\007\377name\n' >"$p/42/maps"
	ln -s "$(printf '/dmabuf:bad\033]0;x\007\377name')" "$p/42/fd/3"
	fdinfo 4242 2097152 "$(printf 'bad\033]0;x\007\377name')" >"$p/42/fdinfo/3"
}

test_hostile_names_stay_valid_json_and_safe_text() {
	make_hostile "$work/hostile"
	local H=(--proc-root "$work/hostile") c
	for c in maps info; do
		vd "${H[@]}" -j "$c"
		assertEquals "$c: $err" 0 "$rc"
		assertTrue "$c -j: jq parses it" "jq -e . '$work/out' >/dev/null"
		assertTrue "$c -j: valid UTF-8" "iconv -f UTF-8 -t UTF-8 '$work/out' >/dev/null"
		if command -v python3 >/dev/null; then
			assertTrue "$c -j: a strict parser (Python) reads it" \
				"python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding=\"utf-8\"))' '$work/out'"
		fi
		assertFalse "$c -j: no raw ESC" "grep -q \$'\\x1b' '$work/out'"
		vd "${H[@]}" "$c"
		assertEquals "$c text: $err" 0 "$rc"
		assertFalse "$c text: no raw ESC on the terminal" "grep -q \$'\\x1b' '$work/out'"
		assertFalse "$c text: no raw BEL" "grep -q \$'\\x07' '$work/out'"
		assertContains "$c text: escaped as \\xHH" "$out" 'bad\x1b]0;x\x07\xffname'
	done
	vd "${H[@]}" -j maps
	assertEquals "comm: ESC escaped, bad bytes U+FFFD" \
		"$(printf 'ev\033[2Jil\357\277\275\357\277\275')" "$(jq -r '.mappings[0].comm' <<<"$out")"
	assertEquals "name" "$(printf 'bad\033]0;x\007\357\277\275name')" \
		"$(jq -r '.mappings[0].name' <<<"$out")"
	vd "${H[@]}" maps
	assertContains "comm in text" "$out" 'ev\x1b[2Jil\xff\xfe'
}

test_addresses_above_2_53_are_exact_through_jq() {
	make_hostile "$work/hostile"
	vd --proc-root "$work/hostile" -j maps
	assertEquals "$err" 0 "$rc"
	assertEquals "start as an exact string" 0xffff800000001000 "$(jq -r '.mappings[0].start_hex' <<<"$out")"
	assertEquals "end" 0xffff800000201000 "$(jq -r '.mappings[0].end_hex' <<<"$out")"
	assertEquals "the number has the exact digits" 18446603336221200384 \
		"$(grep -o '"start":[0-9]*' "$work/out" | cut -d: -f2)"
	vd --proc-root "$work/hostile" -j info
	assertEquals "info: start" 0xffff800000001000 "$(jq -r '.buffers[0].mappings[0].start_hex' <<<"$out")"
}

test_malformed_maps_line_is_skipped_counted_and_named() {
	local p=$work/malformed
	mkdir -p "$p/7" "$p/8"
	echo worker >"$p/7/comm"; echo other >"$p/8/comm"
	cat >"$p/7/maps" <<-'EOF'
	7f0000000000-7f0000200000 rw-s 00000000 00:0f 1234                       /dmabuf:first
	this is not a maps line
	7f0000400000-zzzz rw-s 00001000 00:0f 1240                               /dmabuf:
	7f0000500000-7f0000600000 rw-s 00000000 00:0f 1250                       /dmabuf:after-the-bad-lines
	EOF
	echo '7f0000600000-7f0000700000 rw-s 00000000 00:0f 1260                       /dmabuf:of-8' >"$p/8/maps"
	vd --proc-root "$p" -j maps
	assertEquals "$err" 0 "$rc"
	assertEquals "the mappings after the bad lines are kept" \
		'["first","after-the-bad-lines","of-8"]' "$(jq -c '[.mappings[].name]' <<<"$out")"
	assertEquals "counted, and named in JSON" '[{"pid":7,"comm":"worker","lines":2}]' \
		"$(jq -c '.malformed' <<<"$out")"
	assertEquals "one warning, naming the process" 1 "$(grep -c . <<<"$err")"
	assertContains "$err" "process 7 (worker): 2 malformed lines in $p/7/maps skipped"
	vd --proc-root "$p" maps --pid 7
	assertEquals "--pid: $err" 0 "$rc"
	assertContains "$out" "after-the-bad-lines"
	assertContains "$err" "process 7 (worker): 2 malformed lines"
	vd --proc-root "$p" -j info
	assertEquals "info: $err" 0 "$rc"
	assertEquals "info keeps the mapping after the bad lines" '[1234,1250,1260]' \
		"$(jq -c '[.buffers[].inode]' <<<"$out")"
	assertEquals "info names it too" '[{"pid":7,"comm":"worker","lines":2}]' \
		"$(jq -c '.malformed' <<<"$out")"
}

test_uninspected_processes_are_named() {
	local p=$work/uninspected
	mkdir -p "$p/7/maps" "$p/9"
	echo locked >"$p/7/comm"; echo fine >"$p/9/comm"; : >"$p/9/maps"
	vd --proc-root "$p" -j maps
	assertEquals "$err" 0 "$rc"
	assertEquals "named in JSON" '[{"pid":7,"comm":"locked","file":"7/maps","error":"EISDIR"}]' \
		"$(jq -c '[.uninspected[] | {pid,comm,file,error}]' <<<"$out")"
	assertContains "$err" "1 process could not be inspected"
	vd --proc-root "$p" maps
	assertNotContains "without -v: not named" "$err" "locked"
	vd --proc-root "$p" maps -v
	assertContains "with -v: named" "$err" "process 7 (locked): cannot read $p/7/maps: Is a directory"
	if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
		# a real permission error, as a user who may not read the maps
		rm -rf "$p/7/maps"; echo x >"$p/7/maps"
		chmod -R a+rX "$work"; chmod 0700 "$p/7"
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$(command -v vfio-dmabuf)" --proc-root "$p" -j maps -v >"$work/out" 2>"$work/err"
		assertEquals "as nobody: $(cat "$work/err")" 0 "$?"
		assertEquals "EACCES named" '[7]' "$(jq -c '[.uninspected[] | select(.error == "EACCES") | .pid]' "$work/out")"
		assertContains "$(cat "$work/err")" "1 process could not be inspected (permission denied"
	else
		echo "# SKIP: permission case needs root and setpriv"
	fi
}

test_probe_malformed_sysfs_names_the_file_and_exits_2() {
	local s=$work/badsys
	rm -rf "$s"
	make_sysfs "$s"
	echo '0x1 0x2' >"$s/bus/pci/devices/0000:00:06.0/resource"
	DU_SYSFS_ROOT=$s expect 2 \
		"cannot read the BARs of 0000:00:06.0: $s/bus/pci/devices/0000:00:06.0/resource: malformed: line 1 '0x1 0x2' (expected 0xSTART 0xEND 0xFLAGS)" \
		probe --device 00:06.0
}

test_live_maps_of_this_shell() {
	# the example form of the issue, as written
	vd -j maps --pid $$
	assertEquals "$err" 0 "$rc"
	assertEquals '{"mappings":[],"uninspected":[],"malformed":[]}' "$out"
	vd maps
	assertEquals "all processes: $err" 0 "$rc"
	vd -j info
	assertEquals "$err" 0 "$rc"
	assertTrue "JSON" "jq -e .buffers <<<'$out' >/dev/null"
}

tap_run_shunit2
