#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# p2p-probe's device list is a listing on du/table.h (libsmartcols): the
# matrix's table of devices in text, the "devices" array in JSON, one
# column table for both; -o, --output-all, -n, -r, --bytes, -H, -J.

. "$top_srcdir/tests/lib/shunit2-tap.sh"

. "$top_srcdir/tests/host/p2p-probe/lib.sh"

oneTimeSetUp() {
	work=$(mktemp -d)
	fx=$work/fixtures
	p2p_unpack_fixtures "$fx" || fail "cannot unpack the fixtures"
}

oneTimeTearDown() {
	rm -rf "$work"
}

run() {
	p2p-probe -i "$p2p_ids" --sysfs-root "$fx/switch-acs" "$@" \
		>"$work/out" 2>"$work/err"
	rc=$?
}

# the device list of a text matrix: the lines after the grid's blank line
# up to the next blank line
devlist() {
	awk 'n == 1 && /^$/ { exit } n == 1 { print } /^$/ { n++ }' "$work/out"
}

test_default_columns() {
	run -m -a
	assertEquals "exit status" 0 "$rc"
	assertEquals "header and rows" \
"ID ADDRESS      IDS       NAME                                 TYPE       DRIVER   GROUP HOST-BRIDGE BARS
D0 0000:03:00.0 1234:11e8 -                                    PCI device vfio-pci    11 pci0000:00  BAR0 1M
D1 0000:04:00.0 1af4:1110 Red Hat, Inc. Inter-VM shared memory PCI device vfio-pci    12 pci0000:00  BAR0 256,BAR2 64M pref" \
		"$(devlist)"
}

test_output_noheadings_raw_bytes() {
	run -m -a -n -o ADDRESS,GROUP,BARS --bytes
	assertEquals "-n -o --bytes" \
"0000:03:00.0    11 BAR0 1048576
0000:04:00.0    12 BAR0 256,BAR2 67108864 pref" "$(devlist)"
	run -m -a -r -o ID,NAME
	assertEquals "-r: blanks escaped" \
'ID NAME
D0 -
D1 Red\x20Hat,\x20Inc.\x20Inter-VM\x20shared\x20memory' "$(devlist)"
	run -m -a -o +VENDOR-NAME -n
	assertEquals "+LIST adds a column" \
		"D1 0000:04:00.0 1af4:1110 Red Hat, Inc. Inter-VM shared memory PCI device vfio-pci    12 pci0000:00  BAR0 256,BAR2 64M pref Red Hat, Inc." \
		"$(devlist | sed -n 2p)"
	run -m -a --output-all -n -r
	assertEquals "--output-all: 16 columns" \
		'D1 0000:04:00.0 6900 4368 1af4:1110 Red\x20Hat,\x20Inc. Inter-VM\x20shared\x20memory Red\x20Hat,\x20Inc.\x20Inter-VM\x20shared\x20memory 327680 PCI\x20device vfio-pci 12 - pci0000:00 full BAR0\x20256,BAR2\x2064M\x20pref' \
		"$(devlist | sed -n 2p)"
}

test_json_from_the_same_table() {
	run -m -a -j -o ADDRESS,GROUP,ID
	assertEquals "-o in JSON: the keyed columns, in order" \
		'[{"address":"0000:03:00.0","iommu_group":11},{"address":"0000:04:00.0","iommu_group":12}]' \
		"$(jq -c .devices "$work/out")"
	run -m -a -j
	cp "$work/out" "$work/j"
	run -m -a -J
	assertTrue "-J is -j" "cmp -s '$work/j' '$work/out'"
	# every key of the devices is a column's JSON key, with its type
	p2p-probe -H -j >"$work/cols"
	assertEquals "-H -j: exit status" 0 "$?"
	assertEquals "keys of devices = JSON keys of the columns" \
		"$(jq -c '[.columns[] | select(.json) | .json]' "$work/cols")" \
		"$(jq -c '.devices[0] | keys_unsorted' "$work/j")"
	assertEquals "memory_bars is an array column" "array" \
		"$(jq -r '.columns[] | select(.json == "memory_bars") | .type' "$work/cols")"
	p2p-probe -H >"$work/out"
	assertContains "-H text" "$(cat "$work/out")" "VENDOR-NAME vendor_name"
}

test_bad_output_exits_2() {
	run -m -a -o ADDRESS,FOO
	assertEquals "exit status" 2 "$rc"
	assertEquals "nothing on stdout" "" "$(cat "$work/out")"
	assertEquals "one line naming it" \
		"p2p-probe: --output: unknown column 'FOO' (--list-columns lists them)" \
		"$(cat "$work/err")"
}

tap_run_shunit2
