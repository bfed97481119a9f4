#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# p2p-record.sh: a tree recorded from a (recorded) sysfs tree gives
# p2p-probe the same answers as the original; options and errors.

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/host/p2p-probe/lib.sh"

rec=$top_srcdir/tools/p2p-probe/p2p-record.sh

oneTimeSetUp() {
	work=$(mktemp -d)
	fx=$work/fixtures
	p2p_unpack_fixtures "$fx" || fail "cannot unpack the fixtures"
}

oneTimeTearDown() {
	rm -rf "$work"
}

same_answers() {
	local orig=$1 copy=$2
	shift 2
	p2p-probe -j --sysfs-root "$orig" "$@" >"$work/a" 2>&1
	p2p-probe -j --sysfs-root "$copy" "$@" >"$work/b" 2>&1
	assertTrue "same JSON from the recording ($*)" "cmp -s '$work/a' '$work/b'"
	[ -s "$work/a" ] || fail "no output"
}

test_record_everything() {
	"$rec" -r "$fx/switch-acs" "$work/all" 2>"$work/err"
	assertEquals "exit status" 0 "$?"
	assertContains "summary" "$(cat "$work/err")" "recorded 7 devices"
	same_answers "$fx/switch-acs" "$work/all" --matrix
	same_answers "$fx/switch-acs" "$work/all" 04:00.0 03:00.0
	assertTrue "links are relative" \
		"[ \"\$(readlink '$work/all/bus/pci/devices/0000:03:00.0')\" = ../../../devices/pci0000:00/0000:00:1c.0/0000:01:00.0/0000:02:00.0/0000:03:00.0 ]"
}

test_record_some_devices_and_pack() {
	"$rec" -a -r "$fx/twohb" "$work/some" 0000:41:00.0 0000:06:00.0 2>"$work/err"
	assertEquals "exit status" 0 "$?"
	# the two devices, their root ports, and the first device of each
	# root bus (00:00.0; 40:1d.0 is both)
	assertEquals "devices recorded" \
		"0000:00:00.0 0000:00:1e.0 0000:06:00.0 0000:40:1d.0 0000:41:00.0" \
		"$(cd "$work/some/bus/pci/devices" && echo *)"
	same_answers "$fx/twohb" "$work/some" 06:00.0 41:00.0
	assertTrue "tarball" "[ -s '$work/some.tar.xz' ]"
	mkdir "$work/unpacked"
	tar -xJf "$work/some.tar.xz" -C "$work/unpacked"
	same_answers "$fx/twohb" "$work/unpacked/some" 06:00.0 41:00.0
}

test_record_errors() {
	"$rec" -r "$fx/flat" "$work/x" 0000:00:1f.0 2>"$work/err"
	assertEquals "unknown device: exit status" 2 "$?"
	assertContains "unknown device: message" "$(cat "$work/err")" "0000:00:1f.0: no such PCI device"
	mkdir -p "$work/exists"
	"$rec" -r "$fx/flat" "$work/exists" 2>"$work/err"
	assertEquals "existing DEST: exit status" 2 "$?"
	assertContains "existing DEST: message" "$(cat "$work/err")" "exists (use -f"
	"$rec" -r "$work/nowhere" "$work/y" 2>"$work/err"
	assertEquals "not sysfs: exit status" 2 "$?"
	"$rec" -x "$work/y" 2>"$work/err"
	assertEquals "unknown option: exit status" 2 "$?"
	assertContains "unknown option: message" "$(cat "$work/err")" "unknown option -x"
}

tap_run_shunit2
