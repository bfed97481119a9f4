#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The JSON rules of du/output.h hold in every command, read with jq (the
# version the project installs, 1.6, rounds numbers above 2^53):
#   - a value above 2^53 round-trips exactly through its K_hex string;
#   - address fields always carry K_hex;
#   - strings are valid UTF-8 whatever bytes went in.
# iommufd-ctl runs in dry-run mode (no kernel needed); vfio-dmabuf and
# p2p-probe have their own suites for this (proc.sh, p2p-probe/json.sh).

. "$top_srcdir/tests/lib/shunit2-tap.sh"

oneTimeSetUp() {
	work=$(mktemp -d)
}

oneTimeTearDown() {
	rm -rf "$work"
}

test_iommufd_ctl_iova_above_2_53_exact_through_jq() {
	printf 'ioas alloc name A\nioas map --ioas A --file /etc/hostname --iova 0xfff0000000001000 --length 4K\n' >"$work/b"
	iommufd-ctl -n -j -b "$work/b" >"$work/out" 2>"$work/err"
	assertEquals "exit status: $(cat "$work/err")" 0 "$?"
	assertEquals "iova_hex is exact through jq" 0xfff0000000001000 \
		"$(jq -r '.results[1].iova_hex' "$work/out")"
	assertEquals "and the number keeps its digits" 18442240474082185216 \
		"$(grep -o '"iova":[0-9]*' "$work/out" | cut -d: -f2)"
	assertEquals "length is an address-like field: length_hex" 0x1000 \
		"$(jq -r '.results[1].length_hex' "$work/out")"
}

test_iommufd_ctl_json_is_valid_utf8() {
	# a file name that is not UTF-8 and carries an escape sequence
	local f
	f=$work/$(printf 'f\033[2J\377')
	echo x >"$f"
	printf 'ioas alloc name A\nioas map --ioas A --file %s --length 4K\n' "$f" >"$work/b"
	iommufd-ctl -n -j -b "$work/b" >"$work/out" 2>"$work/err"
	assertTrue "jq parses it: $(cat "$work/err")" "jq -e . '$work/out' >/dev/null"
	assertTrue "valid UTF-8" "iconv -f UTF-8 -t UTF-8 '$work/out' >/dev/null"
	assertFalse "no raw ESC" "grep -q \$'\\x1b' '$work/out'"
}

tap_run_shunit2
