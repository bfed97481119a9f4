#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# p2p-probe on bad input: every usage error and bad-input case prints one
# line on stderr naming what was wrong, nothing on stdout, and exits 2.

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

# bad WHAT EXPECTED-IN-MESSAGE ARGS...: exit 2, one stderr line containing
# the expected text, empty stdout (also with -j)
bad() {
	local what=$1 msg=$2 rc
	shift 2
	p2p-probe "$@" >"$work/out" 2>"$work/err"
	rc=$?
	assertEquals "$what: exit status" 2 "$rc"
	assertEquals "$what: one line on stderr: $(cat "$work/err")" 1 "$(wc -l <"$work/err")"
	assertContains "$what: message" "$(cat "$work/err")" "$msg"
	assertEquals "$what: nothing on stdout" 0 "$(wc -c <"$work/out")"
}

test_unknown_device() {
	bad "unknown device" "0000:00:1f.0: no such PCI device" \
		--sysfs-root "$fx/flat" 00:1f.0 00:10.0
	bad "unknown device, JSON" "0000:00:1f.0: no such PCI device" \
		-j --sysfs-root "$fx/flat" 00:11.0 00:1f.0
	bad "unknown device in a matrix" "0000:07:00.0: no such PCI device" \
		--sysfs-root "$fx/flat" --matrix 00:11.0 07:00.0
}

test_same_device_twice() {
	bad "same device" "given twice" --sysfs-root "$fx/flat" 00:11.0 0000:00:11.0
	bad "same device in a matrix" "given twice" --sysfs-root "$fx/flat" -m 00:11.0 00:10.0 00:11.0
}

test_provider_without_memory_bar() {
	bad "no memory BAR" "0000:00:00.0 has no memory BAR" \
		--sysfs-root "$fx/flat" 00:00.0 00:10.0
}

test_malformed_fixture() {
	bad "device outside any host bridge" "is not below a host bridge directory" \
		--sysfs-root "$fx/malformed" 00:11.0 00:00.0
	bad "config shorter than the header" "0000:00:10.0: config has 16 bytes" \
		--sysfs-root "$fx/malformed" -j -m
	bad "not a sysfs tree" "is not a sysfs tree" --sysfs-root "$fx/flat/devices" -m
}

test_malformed_sysfs_names_the_file_and_exits_2() {
	cp -a "$fx/flat" "$work/bad-resource"
	echo garbage >"$work/bad-resource/devices/pci0000:00/0000:00:11.0/resource"
	bad "malformed resource" \
		"0000:00:11.0: cannot read its BARs: $work/bad-resource/bus/pci/devices/0000:00:11.0/resource: malformed: line 1 'garbage' (expected 0xSTART 0xEND 0xFLAGS)" \
		--sysfs-root "$work/bad-resource" 00:11.0 00:10.0
	bad "malformed resource, JSON matrix" "resource: malformed: line 1 'garbage'" \
		--sysfs-root "$work/bad-resource" -j -m
	cp -a "$fx/flat" "$work/bad-vendor"
	printf 'zz\033[2J\n' >"$work/bad-vendor/devices/pci0000:00/0000:00:11.0/vendor"
	bad "malformed vendor, escaped" \
		"0000:00:11.0: cannot read its IDs: $work/bad-vendor/bus/pci/devices/0000:00:11.0/vendor: malformed: 'zz\\x1b[2J' (expected a hex number up to 0xffff)" \
		--sysfs-root "$work/bad-vendor" 00:11.0 00:10.0
	bad "missing root" "--sysfs-root: cannot read $work/nothing: No such file or directory" \
		--sysfs-root "$work/nothing" -m
}

test_unreadable_sysfs_is_not_called_malformed() {
	if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
		startSkipping
		echo "# SKIP: needs root and setpriv to run as a user who cannot read the tree"
	fi
	cp -a "$fx/flat" "$work/locked"
	chmod -R a+rX "$work"
	chmod 0 "$work/locked/bus"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$(command -v p2p-probe)" --sysfs-root "$work/locked" -m >"$work/out" 2>"$work/err"
	assertEquals "exit status" 2 "$?"
	assertEquals "says why: $(cat "$work/err")" \
		"p2p-probe: --sysfs-root: cannot read $work/locked/bus/pci/devices: Permission denied" "$(cat "$work/err")"
	assertEquals "nothing on stdout" 0 "$(wc -c <"$work/out")"
	chmod 755 "$work/locked/bus"
}

test_restricted_config_is_not_an_error() {
	p2p-probe --sysfs-root "$fx/restricted" -j 04:00.0 03:00.0 >"$work/out" 2>"$work/err"
	assertEquals "exit status" 0 "$?"
	assertContains "warning" "$(cat "$work/err")" "warning: only the config header"
	assertTrue "stdout is JSON only" "jq -e .pairs '$work/out' >/dev/null"
}

test_usage_errors() {
	bad "no device" "need a PROVIDER and a CLIENT" --sysfs-root "$fx/flat"
	bad "one device" "need a PROVIDER and a CLIENT" --sysfs-root "$fx/flat" 00:10.0
	bad "three devices" "too many devices" --sysfs-root "$fx/flat" 00:10.0 00:11.0 00:00.0
	bad "malformed address" "'00:10' is not a PCI address" 00:10 00:11.0
	bad "address with junk" "'00:10.0x' is not a PCI address" 00:10.0x 00:11.0
	bad "function out of range" "'00:10.8' is not a PCI address" 00:10.8 00:11.0
	bad "unknown option" "unrecognized option '--frobnicate'" --frobnicate
	bad "prefix of an option" "unrecognized option '--matr'" --matr
	bad "prefix of an option with a value" "unrecognized option '--sysfs'" --sysfs=/sys -m
	bad "option after --" "'--matrix' is not a PCI address" 00:10.0 -- --matrix
	bad "--all without --matrix" "--all needs --matrix" -a 00:10.0 00:11.0
	bad "--all with devices" "--all and a list of devices" -m -a 00:10.0
	bad "--bar without --verify" "--bar needs --verify" -b 2 00:10.0 00:11.0
	bad "bad BAR" "--bar: '6' is not a BAR index" --verify -b 6 00:10.0 00:11.0
	bad "bad BAR word" "--bar: 'two' is not a BAR index" --verify --bar=two 00:10.0 00:11.0
	bad "--verify on a recording" "--verify works on the live system only" \
		--verify --sysfs-root "$fx/flat" 00:11.0 00:10.0
	bad "missing argument" "requires an argument" --sysfs-root
}

test_pretty_without_json_changes_nothing() {
	p2p-probe --sysfs-root "$fx/flat" -m >"$work/a"
	p2p-probe --sysfs-root "$fx/flat" -m -p >"$work/b"
	assertEquals "exit status" 0 "$?"
	assertTrue "same text" "cmp -s '$work/a' '$work/b'"
}

test_help_and_version() {
	p2p-probe --help >"$work/out" 2>"$work/err"
	assertEquals "--help exit status" 0 "$?"
	assertContains "--help on stdout" "$(cat "$work/out")" "Usage: p2p-probe"
	assertEquals "--help: nothing on stderr" 0 "$(wc -c <"$work/err")"
	p2p-probe -h >"$work/out2"
	assertTrue "-h is --help" "cmp -s '$work/out' '$work/out2'"
	p2p-probe --version >"$work/out" 2>"$work/err"
	assertEquals "--version exit status" 0 "$?"
	assertContains "--version" "$(cat "$work/out")" "p2p-probe (dmabuf-utils)"
	p2p-probe --usage >"$work/out" 2>"$work/err"
	assertEquals "--usage exit status" 0 "$?"
	assertContains "--usage" "$(cat "$work/out")" "--matrix"
}

test_write_error() {
	[ -w /dev/full ] || { skip_test "/dev/full not available"; return; }
	p2p-probe --sysfs-root "$fx/flat" 00:11.0 00:10.0 >/dev/full 2>"$work/err"
	assertEquals "exit status on a write error" 1 "$?"
	assertContains "message" "$(cat "$work/err")" "write error"
}

tap_run_shunit2
