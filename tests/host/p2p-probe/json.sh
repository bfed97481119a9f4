#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# p2p-probe's JSON under hostile and large input (issue 13): addresses
# above 2^53 exact through jq (the _hex fields), sysfs strings that are not
# UTF-8 or carry escape sequences (valid JSON, escaped text), and a matrix
# far bigger than the writer holds in memory (streamed, still one
# document).

. "$top_srcdir/tests/lib/shunit2-tap.sh"

. "$top_srcdir/tests/host/p2p-probe/lib.sh"

oneTimeSetUp() {
	work=$(mktemp -d)
	fx=$work/fixtures
	p2p_unpack_fixtures "$fx" || fail "cannot unpack the fixtures"
	# flat, with ivshmem's BAR2 above 2^53 and its driver link named
	# with an escape sequence and bytes that are not UTF-8
	cp -a "$fx/flat" "$work/hostile"
	d=$work/hostile/devices/pci0000:00/0000:00:11.0
	sed -i '3s/.*/0xfffffff000000000 0xfffffff003ffffff 0x000000000014220c/' "$d/resource"
	rm "$d/driver"
	ln -s "$(printf '../../../bus/pci/drivers/ev\033[2Jil\377')" "$d/driver"
}

oneTimeTearDown() {
	rm -rf "$work"
}

test_address_above_2_53_is_exact_through_jq() {
	p2p-probe -j --sysfs-root "$work/hostile" 00:11.0 00:10.0 >"$work/out" 2>"$work/err"
	assertEquals "exit status: $(cat "$work/err")" 0 "$?"
	assertEquals "start_hex, read by jq" 0xfffffff000000000 \
		"$(jq -r '.devices[0].memory_bars[] | select(.index == 2) | .start_hex' "$work/out")"
	assertEquals "the number keeps its exact digits" 18446744004990074880 \
		"$(grep -o '"start":18446[0-9]*' "$work/out" | cut -d: -f2)"
	assertEquals "every memory BAR has its start_hex" \
		"$(jq '[.devices[].memory_bars[]] | length' "$work/out")" \
		"$(jq '[.devices[].memory_bars[] | select(.start_hex | test("^0x[0-9a-f]+$"))] | length' "$work/out")"
}

test_hostile_sysfs_strings() {
	p2p-probe -j --sysfs-root "$work/hostile" 00:11.0 00:10.0 >"$work/out" 2>"$work/err"
	assertEquals "exit status: $(cat "$work/err")" 0 "$?"
	assertTrue "valid UTF-8" "iconv -f UTF-8 -t UTF-8 '$work/out' >/dev/null"
	assertFalse "no raw ESC" "grep -q \$'\\x1b' '$work/out'"
	assertEquals "driver: ESC escaped, the bad byte U+FFFD" \
		"$(printf 'ev\033[2Jil\357\277\275')" "$(jq -r '.devices[0].driver' "$work/out")"
	for m in "" --matrix; do
		# shellcheck disable=SC2086
		p2p-probe --sysfs-root "$work/hostile" $m ${m:+--all} ${m:-00:11.0 00:10.0} >"$work/out" 2>"$work/err"
		assertEquals "text $m: exit status: $(cat "$work/err")" 0 "$?"
		assertFalse "text $m: no raw ESC on the terminal" "grep -q \$'\\x1b' '$work/out'"
		assertContains "text $m: escaped" "$(cat "$work/out")" 'ev\x1b[2Jil\xff'
	done
}

test_big_matrix_streams_one_document() {
	p2p_synth_flat "$work/many" 40 || fail "cannot make the tree"
	p2p-probe -j --matrix --all --sysfs-root "$work/many" >"$work/out" 2>"$work/err"
	assertEquals "exit status: $(cat "$work/err")" 0 "$?"
	assertTrue "far more than the 64 KiB held: $(wc -c <"$work/out")" "[ $(wc -c <"$work/out") -gt 1000000 ]"
	assertEquals "one document, every ordered pair" 1560 "$(jq '.pairs | length' "$work/out")"
	assertEquals "40 devices" 40 "$(jq '.devices | length' "$work/out")"
}

tap_run_shunit2
