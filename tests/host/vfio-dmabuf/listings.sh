#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The listings of vfio-dmabuf (maps, info, list, probe) as util-linux
# prints them (issue 14): -o/--output with +LIST, --output-all,
# -n/--noheadings, -r/--raw, -b/--bytes, -H/--list-columns, -J as -j, the
# JSON of -o, the filters (maps --pid repeated, --device, --name), bad
# column lists, and hostile names through libsmartcols.  On the recorded
# /proc and sysfs trees of lib.sh.

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
	if [ -n "${bpid:-}" ]; then
		vfio-dmabuf stop --socket "$work/b.sock" >/dev/null 2>&1 || kill "$bpid" 2>/dev/null
	fi
	rm -rf "$work"
}

# ---- maps --------------------------------------------------------------

test_maps_default_text_is_an_aligned_table() {
	vd "${P[@]}" maps
	assertEquals "$err" 0 "$rc"
	assertEquals "the header: the columns maps always had" \
		"PID COMMAND     ADDRESS                       SIZE PERM KIND   DEVICE       CDEV  BAR OFFSET NAME" \
		"$(head -1 <<<"$out")"
	assertEquals "a row, aligned under it" \
		"200 client      0x7f0000400000-0x7f0000401000   4K rw-s buffer -            -       - 0x1000 -" \
		"$(sed -n 5p <<<"$out")"
	assertEquals "one line per mapping" 7 "$(wc -l <<<"$out")"
}

test_maps_output_columns() {
	vd "${P[@]}" maps -o PID,NAME,EXPORTER --pid 200
	assertEquals "$err" 0 "$rc"
	assertEquals "-o: exactly these columns, in this order" \
		"PID NAME     EXPORTER
200 client-a vfio_pci_core
200 -        -
200 -        -
200 -        -" "$out"
	vd "${P[@]}" maps -o +inode,BAR-OFFSET --pid 100
	assertEquals "+LIST adds to the defaults (names case-insensitive)" \
		"PID COMMAND     ADDRESS                       SIZE PERM KIND DEVICE       CDEV  BAR OFFSET NAME                 INODE BAR-OFFSET" \
		"$(head -1 <<<"$out")"
	vd "${P[@]}" maps -o PID -o +KIND --pid 100 -n
	assertEquals "-o twice, -n: no header" "100 bar
100 bar" "$out"
	vd "${P[@]}" maps --output-all --pid 100 -n
	assertEquals "--output-all: 16 columns" 16 "$(head -1 <<<"$out" | wc -w)"
	vd "${P[@]}" maps -o SIZE,NAME --pid 100 -b -n
	assertEquals "-b: sizes in bytes" "67108864 vfio0:0000:00:04.0/2
    4096 vfio1:0000:00:03.0/0" "$out"
	vd "${P[@]}" maps -o PID,COMMAND,NAME --pid 200 -r
	assertEquals "-r: one space, no padding" "PID COMMAND NAME
200 client client-a
200 client -
200 client -
200 client -" "$out"
}

test_maps_json_with_output_has_only_those_keys() {
	vd "${P[@]}" -j maps
	local all=$out
	vd "${P[@]}" maps -J
	assertEquals "-J is -j" "$all" "$out"
	vd "${P[@]}" -j maps -o PID,START,ADDRESS,NAME --pid 100
	assertEquals "$err" 0 "$rc"
	assertEquals "-o: the selected keyed columns (ADDRESS is text only; an address has its _hex)" \
		'{"pid":100,"start":139758940454912,"start_hex":"0x7f1c2a000000","name":"vfio0:0000:00:04.0/2"}' \
		"$(jq -c '.mappings[0]' <<<"$out")"
	assertEquals "the rest of the document stays" '[[],[]]' "$(jq -c '[.uninspected,.malformed]' <<<"$out")"
	vd "${P[@]}" -j maps --output-all
	assertEquals "--output-all: the same as no -o in JSON (every key)" \
		"$(jq -S -c . <<<"$all")" "$(jq -S -c . <<<"$out")"
}

test_maps_list_columns() {
	vd maps --list-columns
	assertEquals "$err" 0 "$rc"
	assertEquals "header" "NAME       JSON       TYPE    DEFAULT DESCRIPTION" "$(head -1 <<<"$out")"
	assertContains "$out" "ADDRESS    -          string  yes     START-END (text only; JSON has start and end)"
	assertContains "$out" "EXPORTER   exporter   string  no      exporter from fdinfo"
	assertEquals "16 columns" 17 "$(wc -l <<<"$out")"
	vd maps -H
	assertEquals "-H is --list-columns" 17 "$(wc -l <<<"$out")"
	vd -j maps --list-columns
	assertEquals "$err" 0 "$rc"
	assertEquals "JSON: every column" 16 "$(jq '.columns | length' <<<"$out")"
	assertEquals "JSON: key, type, default" '{"name":"START","json":"start","type":"address","default":false}' \
		"$(jq -c '.columns[2] | {name,json,type,default}' <<<"$out")"
	vd "${P[@]}" -j maps
	assertEquals "every JSON key of maps is a column" \
		"$(jq -c '.mappings[0] | keys_unsorted | map(select(endswith("_hex") | not))' <<<"$out")" \
		"$(vfio-dmabuf -j maps --list-columns | jq -c '[.columns[] | select(.json) | .json]')"
}

test_maps_filters_repeat_and_combine() {
	vd "${P[@]}" -j maps --pid 100 --pid 200
	assertEquals "$err" 0 "$rc"
	assertEquals "--pid twice: both" '[100,200]' "$(jq -c '[.mappings[].pid] | unique' <<<"$out")"
	vd "${P[@]}" -j maps --pid 200 --pid 200
	assertEquals "a pid given twice is listed once" 4 "$(jq '.mappings | length' <<<"$out")"
	vd "${P[@]}" -j maps --device 00:04.0 --device 0000:00:03.0
	assertEquals "--device twice: either" '["0000:00:03.0","0000:00:04.0"]' \
		"$(jq -c '[.mappings[].device] | unique' <<<"$out")"
	vd "${P[@]}" -j maps --name client-a
	assertEquals "--name without wildcards: exact" '["client-a"]' "$(jq -c '[.mappings[].name]' <<<"$out")"
	vd "${P[@]}" -j maps --name client
	assertEquals "--name is not a substring match" '[]' "$(jq -c '.mappings' <<<"$out")"
	vd "${P[@]}" -j maps --name 'vfio?:*/2' --name 'cl*'
	assertEquals "--name globs, repeated: any" '["vfio0:0000:00:04.0/2","client-a"]' \
		"$(jq -c '[.mappings[].name]' <<<"$out")"
	vd "${P[@]}" -j maps --name '*' --pid 200
	assertEquals "unnamed buffers and device mappings match no pattern" '["client-a"]' \
		"$(jq -c '[.mappings[].name]' <<<"$out")"
	vd "${P[@]}" -j maps --name '*' --device 00:04.0 --pid 100 --pid 200
	assertEquals "filters of different kinds: all must match" '[[100,"bar"]]' \
		"$(jq -c '[.mappings[] | [.pid,.kind]]' <<<"$out")"
}

test_maps_bad_output_and_filters() {
	expect 2 "--output: unknown column 'FOO' (--list-columns lists them)" maps -o PID,FOO
	expect 2 "--output: empty column name in 'PID,'" maps -o PID,
	expect 2 "--output: empty column name in 'PID,,NAME'" maps -o PID,,NAME
	expect 2 "--output: empty column list ''" maps -o ''
	expect 2 "--output: empty column list '+'" maps -o +
	expect 2 "--output: unknown column 'a\\x1b[2J'" maps -o "$(printf 'a\033[2J')"
	assertEquals "nothing on stdout" "" "$out"
	expect 2 "--name: empty pattern" maps --name ''
	expect 2 "--name: pattern longer than 255 bytes" maps --name "$(printf '%0300d' 0)"
	expect 2 "--device: invalid PCI address 'x'" maps --device 00:04.0 --device x
	expect 1 "no process 999" "${P[@]}" maps --pid 100 --pid 999
	assertEquals "nothing on stdout when a pid is missing" "" "$out"
	expect 2 "--output: unknown column 'FOO'" "${P[@]}" maps -o FOO --pid 999
}

test_maps_hostile_names_through_smartcols() {
	local p=$work/hostile
	mkdir -p "$p/42"
	printf 'ev\033[2Jil\377\376\n' >"$p/42/comm"
	printf '7f0000000000-7f0000001000 rw-s 00000000 00:0f 4242 /dmabuf:b\\ad\033]0;x\007\377 n\n' >"$p/42/maps"
	vd --proc-root "$p" maps -o COMMAND,NAME
	assertEquals "$err" 0 "$rc"
	assertEquals "aligned: escaped once, as du_print_string does (backslash too)" \
		'COMMAND             NAME
ev\x1b[2Jil\xff\xfe b\x5cad\x1b]0;x\x07\xff n' "$out"
	vd --proc-root "$p" maps -o COMMAND,NAME -r
	assertEquals "raw: libsmartcols' encoding, once (blanks too)" \
		'COMMAND NAME
ev\x1b[2Jil\xff\xfe b\x5cad\x1b]0;x\x07\xff\x20n' "$out"
	vd --proc-root "$p" -j maps -o NAME
	assertEquals "JSON" "$(printf 'b\\ad\033]0;x\007\357\277\275 n')" "$(jq -r '.mappings[0].name' <<<"$out")"
}

# ---- info ---------------------------------------------------------------

test_info_columns_and_filters() {
	vd "${P[@]}" info -o INODE,KIND,NAME -n
	assertEquals "$err" 0 "$rc"
	assertEquals "buffers, then BAR mappings, one line each" \
" 1234 buffer client-a
 1240 buffer -
 5678 bar    vfio0:0000:00:04.0/2
 7001 bar    vfio1:0000:00:03.0/0" "$out"
	vd "${P[@]}" info -o INODE,SIZE -b -n --inode 1234
	assertEquals "-b" " 1234 2097152" "$out"
	vd "${P[@]}" -j info -o inode,fds --name client-a
	assertEquals "-o in JSON: those keys, nested holders included; both arrays stay" \
		'{"buffers":[{"inode":1234,"fds":[{"pid":100,"comm":"vfio-dmabuf","fd":5},{"pid":200,"comm":"client","fd":3}]}],"bar_mappings":[],"uninspected":[],"malformed":[]}' \
		"$(jq -c . <<<"$out")"
	vd "${P[@]}" -j info -o inode,device
	assertEquals "a column a row does not have stays absent (no device key in buffers)" \
		'[{"inode":1234},{"inode":1240}]' "$(jq -c .buffers <<<"$out")"
	assertEquals "and is there in bar_mappings" '{"inode":5678,"device":"0000:00:04.0"}' \
		"$(jq -c '.bar_mappings[0]' <<<"$out")"
	vd "${P[@]}" -j info --name 'vfio?:*'
	assertEquals "--name: a glob over buffers and BAR mappings" '[[],[5678,7001]]' \
		"$(jq -c '[[.buffers[].inode],[.bar_mappings[].inode]]' <<<"$out")"
	vd "${P[@]}" -j info --name client-a --name 'nothing*' --pid 200
	assertEquals "--name repeated, with --pid" '[1234]' "$(jq -c '[.buffers[].inode]' <<<"$out")"
	vd "${P[@]}" info -J --inode 1240
	assertEquals "-J" '[1240]' "$(jq -c '[.buffers[].inode]' <<<"$out")"
	vd info -H
	assertEquals "--list-columns" 12 "$(wc -l <<<"$out")"
	assertContains "$out" "FDS      fds      array  yes"
	expect 2 "--output: unknown column 'PID'" "${P[@]}" info -o INODE,PID
	expect 2 "unrecognized option '--device'" info --device 00:04.0
	expect 2 "unrecognized option '--vfio-mode'" info --vfio-mode cdev
}

# ---- probe --------------------------------------------------------------

test_probe_bars_table() {
	vd probe --device 00:04.0 --vfio-mode group
	vd probe --device 00:05.0
	assertEquals "$err" 0 "$rc"
	assertEquals "the device line, then its BARs as a table" \
"0000:00:05.0 8086:10d3 driver e1000e iommu_group - cdev -
BAR TYPE 64BIT PREFETCH      START SIZE WC WC-REASON
  0 io   no    no           0xc000  256 no io-bar
  1 mem  no    no       0xfe100000   1M -  unknown" "$out"
	vd probe --device 00:05.0 -o BAR,SIZE -b -n
	assertEquals "-o -b -n" "0000:00:05.0 8086:10d3 driver e1000e iommu_group - cdev -
  0     256
  1 1048576" "$out"
	vd -j probe --device 00:05.0 -o size
	assertEquals "-o in JSON: the BARs' keys only, the device object stays" \
		'{"device":"0000:00:05.0","bars":[{"size":256},{"size":1048576}],"features":null}' \
		"$(jq -c '.devices[0] | {device,bars,features}' <<<"$out")"
	vd probe -H
	assertEquals "--list-columns needs no --device" 10 "$(wc -l <<<"$out")"
	assertContains "$out" "WC        wc           boolean yes "
	assertContains "$out" "WC-REASON wc_reason    string  yes     why not: io-bar, non-prefetchable, no-wc-memtype, kernel, unknown"
	assertContains "$out" "MEMATTRS  memattrs     array   no "
	vd -j probe --list-columns
	assertEquals "probe's column keys are the keys of bars[]" \
		'["index","type","is_64bit","prefetchable","start","size","wc","wc_reason","memattrs"]' "$(jq -c '[.columns[].json]' <<<"$out")"
	vd -j probe --device 00:05.0
	assertEquals "without -o every key, as the column table has them" \
		"$(vfio-dmabuf -j probe --list-columns | jq -c '[.columns[].json]')" \
		"$(jq -c '.devices[0].bars[0] | keys_unsorted | map(select(endswith("_hex") | not))' <<<"$out")"
	vd probe --device 00:05.0 -o BAR,WC,WC-REASON,MEMATTRS -r
	assertEquals "-o with the write-combining columns, raw" "BAR WC WC-REASON MEMATTRS
0 no io-bar -
1 - unknown -" "$(tail -n +2 <<<"$out")"
	vd -j probe --device 00:05.0 -o wc-reason,WC
	assertEquals "-o in JSON: wc_reason and wc, in that order" \
		'[{"wc_reason":"io-bar","wc":false},{"wc_reason":"unknown","wc":null}]' \
		"$(jq -c '.devices[0].bars' <<<"$out")"
	expect 2 "--output: unknown column 'FOO'" probe --device 00:05.0 -o FOO
	expect 2 "missing --device" probe -o BAR
}

# ---- list ---------------------------------------------------------------

test_list_table_and_filters() {
	vd -j serve --socket "$work/b.sock" --background
	assertEquals "serve: $err" 0 "$rc"
	bpid=$(jq -r '.brokers[0].pid' <<<"$out")
	vd list --socket "$work/b.sock"
	assertEquals "$err" 0 "$rc"
	assertContains "the broker line" "$out" "broker $bpid socket $work/b.sock"
	assertNotContains "no buffers: no table, no header" "$out" "DEVICE"
	vd -j list --socket "$work/b.sock" -o ID,RANGES --device 00:04.0 --name 'x*'
	assertEquals "$err" 0 "$rc"
	assertEquals "JSON: broker object and buffers array" '[true,[]]' \
		"$(jq -c '[(.broker.pid == '"$bpid"'), .buffers]' <<<"$out")"
	vd list -H
	assertEquals "--list-columns without a broker" 12 "$(wc -l <<<"$out")"
	vd -j list --list-columns
	assertEquals "list's keys, as vd_print_wire_buffer writes them" \
		'["id","device","bar","size","name","memattr","revoked","inode","fd","handed_out","ranges"]' \
		"$(jq -c '[.columns[].json]' <<<"$out")"
	expect 2 "--output: unknown column 'NOPE'" list --socket "$work/b.sock" -o NOPE
	expect 2 "--device: invalid PCI address 'zz'" list --socket "$work/b.sock" --device zz
	vfio-dmabuf stop --socket "$work/b.sock" >/dev/null 2>&1
	bpid=
}

tap_run_shunit2
