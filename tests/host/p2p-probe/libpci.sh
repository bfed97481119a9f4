#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# p2p-probe on libpci: -s and -d as lspci takes them, device names from
# pci.ids (-i) in text and JSON, config space from a dump file (-F, the
# output of lspci -x), and --sysfs-root, which no longer has the short
# form -s.

. "$top_srcdir/tests/lib/shunit2-tap.sh"

. "$top_srcdir/tests/host/p2p-probe/lib.sh"
flatdump=$top_srcdir/tests/host/p2p-probe/flat.lspci-x

oneTimeSetUp() {
	work=$(mktemp -d)
	fx=$work/fixtures
	p2p_unpack_fixtures "$fx" || fail "cannot unpack the fixtures"
}

oneTimeTearDown() {
	rm -rf "$work"
}

# run ARGS...: p2p-probe with the fixtures' pci.ids; stdout in $work/out,
# stderr in $work/err, exit status in $rc
run() {
	p2p-probe -i "$p2p_ids" "$@" >"$work/out" 2>"$work/err"
	rc=$?
}

# addrs: the addresses of the JSON output's devices, one line
addrs() {
	jq -r '[.devices[].address] | join(" ")' "$work/out"
}

# usage_error MESSAGE-ERE ARGS...: exit status 2, nothing on stdout, one
# line on stderr matching
usage_error() {
	local re=$1
	shift
	run "$@"
	assertEquals "$*: exit status" 2 "$rc"
	assertEquals "$*: stdout" "" "$(cat "$work/out")"
	assertEquals "$*: one line on stderr" 1 "$(wc -l <"$work/err")"
	grep -Eq -- "$re" "$work/err" ||
		fail "$*: stderr '$(cat "$work/err")' does not match '$re'"
}

test_slot_filter_as_lspci() {
	local sa=$fx/switch-acs
	run --sysfs-root "$sa" -j -m -a -s 04:
	assertEquals "-s 04: (a bus)" 0 "$rc"
	assertEquals "-s 04:" "0000:04:00.0" "$(addrs)"
	run --sysfs-root "$sa" -j -m -a -s 0000:03:00.0
	assertEquals "-s with domain" "0000:03:00.0" "$(addrs)"
	run --sysfs-root "$sa" -j -m -a -s .0
	assertEquals "-s .0 (function only)" "0000:03:00.0 0000:04:00.0" "$(addrs)"
	run --sysfs-root "$sa" -j -m -a -s '*:*:*.*'
	assertEquals "-s with wildcards" "0000:03:00.0 0000:04:00.0" "$(addrs)"
	run --sysfs-root "$sa" -j -m --slot=3:0
	assertEquals "--slot, no leading zeros" "0000:03:00.0" "$(addrs)"
}

test_id_filter_as_lspci() {
	local sa=$fx/switch-acs
	run --sysfs-root "$sa" -j -m -a -d 1234:
	assertEquals "-d 1234: (vendor)" 0 "$rc"
	assertEquals "-d 1234:" "0000:03:00.0" "$(addrs)"
	run --sysfs-root "$sa" -j -m -a -d :1110
	assertEquals "-d :1110 (device)" "0000:04:00.0" "$(addrs)"
	run --sysfs-root "$sa" -j -m -a -d ::0500
	assertEquals "-d ::0500 (class)" "0000:04:00.0" "$(addrs)"
	run --sysfs-root "$sa" -j -m -a -d ::05xx
	assertEquals "-d ::05xx (class mask)" "0000:04:00.0" "$(addrs)"
	run --sysfs-root "$sa" -j -m -a --device-id=1af4:1110:0500:00
	assertEquals "--device-id with prog-if" "0000:04:00.0" "$(addrs)"
	# without --all the vfio-pci devices are the set: -d narrows it
	run --sysfs-root "$sa" -j -m -d 1af4:
	assertEquals "-d narrows the vfio-pci set" "0000:04:00.0" "$(addrs)"
	run --sysfs-root "$sa" -j -m -a -s 03: -d 1af4:
	assertEquals "-s and -d: both must match" 1 "$rc"
	assertContains "nothing matches" "$(cat "$work/err")" \
		"no PCI endpoint with a memory BAR matching -s/-d found under"
}

test_bad_filters_exit_2() {
	local flat=$fx/flat
	usage_error "^p2p-probe: -s: '00:20' is not a slot .*: Invalid slot number$" \
		--sysfs-root "$flat" -m -s 00:20
	usage_error "-s: '1:2:3:4' is not a slot .*: Too many fields" \
		--sysfs-root "$flat" -m -s 1:2:3:4
	usage_error "-s: '00:10\.8' is not a slot .*: Invalid function number" \
		--sysfs-root "$flat" -m -s 00:10.8
	usage_error "^p2p-probe: -d: '1234' is not an ID filter .*: At least two fields must be given$" \
		--sysfs-root "$flat" -m -d 1234
	usage_error "-d: '12345:' is not an ID filter .*: Invalid vendor ID" \
		--sysfs-root "$flat" -m -d 12345:
	usage_error "-d: ':zz' is not an ID filter .*: Invalid device ID" \
		--sysfs-root "$flat" -m -d :zz
	usage_error "-s: given twice" --sysfs-root "$flat" -m -s 00: -s 01:
	usage_error "-d: given twice" --sysfs-root "$flat" -m -d 1234: -d 1af4:
	usage_error "-s and -d select devices for --matrix" \
		--sysfs-root "$flat" -s 00:11 00:11.0 00:10.0
	usage_error "-s/-d and a list of devices exclude each other" \
		--sysfs-root "$flat" -m -d 1af4: 00:11.0 00:10.0
}

test_sysfs_root_has_no_short_option() {
	# the old meaning of -s: now a slot, and a directory is none
	usage_error "^p2p-probe: -s: '$fx/flat' is not a slot" -s "$fx/flat" -m
	run --sysfs-root "$fx/flat" -m
	assertEquals "--sysfs-root DIR" 0 "$rc"
	run --sysfs-root="$fx/flat" -m
	assertEquals "--sysfs-root=DIR" 0 "$rc"
}

test_names_in_text_and_json() {
	run --sysfs-root "$fx/switch-acs" 04:00.0 03:00.0
	assertEquals "exit status" 0 "$rc"
	assertContains "provider named as lspci does" "$(head -n 1 "$work/out")" \
		"0000:04:00.0 Red Hat, Inc. Inter-VM shared memory [1af4:1110] class 050000"
	assertContains "a vendor pci.ids lacks: IDs only" "$(sed -n 2p "$work/out")" \
		"0000:03:00.0 [1234:11e8] class 00ff00"
	run --sysfs-root "$fx/switch-acs" -j 04:00.0 03:00.0
	assertEquals "vendor_name" "Red Hat, Inc." "$(jq -r '.devices[0].vendor_name' "$work/out")"
	assertEquals "device_name" "Inter-VM shared memory" "$(jq -r '.devices[0].device_name' "$work/out")"
	assertEquals "unknown vendor: null" "null null" \
		"$(jq -r '.devices[1] | "\(.vendor_name) \(.device_name)"' "$work/out")"
}

test_pci_ids_errors() {
	usage_error "^p2p-probe: -i: cannot read $work/none: No such file or directory$" \
		-i "$work/none" --sysfs-root "$fx/flat" -m
	printf '1af4  Red Hat\nthis is not pci.ids\n' >"$work/bad.ids"
	usage_error "^p2p-probe: -i: Parse error at $work/bad.ids, line 2" \
		-i "$work/bad.ids" --sysfs-root "$fx/flat" -m
}

# The hierarchy from a dump's bus numbers and ACS from its extended config
# space are those of the recorded sysfs tree.
test_dump_gives_the_sysfs_answers() {
	local f keys='[.pairs[] | {provider, client, topology, distance,
		common_upstream, path, acs: .dma_api.acs_redirect}]'
	# twohb and twoswitches are derived trees whose bridges' bus
	# numbers do not match their sysfs layout
	for f in switch-acs switch rootports allowlisted flat; do
		p2p_lspci_dump "$fx/$f" >"$work/$f.dump"
		run -j -F "$work/$f.dump" -m -a
		assertEquals "$f: exit status" 0 "$rc"
		jq -S "$keys" "$work/out" >"$work/a.json"
		run -j --sysfs-root "$fx/$f" -m -a
		jq -S "$keys" "$work/out" >"$work/b.json"
		if ! diff -u "$work/b.json" "$work/a.json" >"$work/diff"; then
			tap_diag "$(head -n 30 "$work/diff")"
			fail "$f: the dump's answers differ from sysfs"
		fi
	done
	run -F "$work/switch-acs.dump" -j 04:00.0 03:00.0
	assertEquals "ACS from the dump" '["0000:02:01.0","0000:02:00.0"]' \
		"$(jq -c '.pairs[0].dma_api.acs_redirect' "$work/out")"
	assertEquals "BAR sizes unknown" "null" \
		"$(jq -c '.devices[0].memory_bars[0].size' "$work/out")"
	assertEquals "BAR address from the header" '"0xec000000"' \
		"$(jq -c '.devices[0].memory_bars[1].start_hex' "$work/out")"
	assertEquals "driver, IOMMU group, CPU unknown" "null null null" \
		"$(jq -r '"\(.devices[0].driver) \(.devices[0].iommu_group) \(.cpu.supports_p2pdma)"' "$work/out")"
	# lspci -xxx: 256 bytes, no extended space: ACS unknown
	p2p_lspci_dump "$fx/switch-acs" 256 >"$work/xxx.dump"
	run -F "$work/xxx.dump" -j 04:00.0 03:00.0
	assertEquals "-xxx: exit status" 0 "$rc"
	assertEquals "-xxx: ACS unknown" "unknown 0000:02:01.0" \
		"$(jq -r '.pairs[0].dma_api | "\(.map_type) \(.acs_unknown[0])"' "$work/out")"
}

test_dump_written_by_hand() {
	run -F "$flatdump" -j -m -a
	assertEquals "exit status" 0 "$rc"
	assertEquals "endpoints of the dump" "0000:00:10.0 0000:00:11.0 0000:00:12.0" "$(addrs)"
	assertEquals "header only: restricted" "restricted" \
		"$(jq -r '.devices[0].config_access' "$work/out")"
	assertContains "warning names the dump" "$(cat "$work/err")" \
		"the dump file $flatdump has only the config header of"
	assertEquals "known vendor, unknown device" "Red Hat, Inc. null" \
		"$(jq -r '.devices[2] | "\(.vendor_name) \(.device_name)"' "$work/out")"
	run -F "$flatdump" 00:11.0 00:12.0
	assertContains "text names" "$(cat "$work/out")" \
		"client    0000:00:12.0 Red Hat, Inc. Device [1af4:10ff] class 020000 PCI device, driver unknown, IOMMU group unknown, memory BAR0 size?"
	assertContains "iommufd: unknown" "$(cat "$work/out")" \
		"refused: unknown: a dump file does not say whether 0000:00:12.0 has an IOMMU group"
	run -F "$flatdump" -j -m -a -d 1af4: -s 00:12
	assertEquals "filters on a dump" "0000:00:12.0" "$(addrs)"
}

test_dump_errors() {
	usage_error "^p2p-probe: -F: cannot read $work/none: No such file or directory$" \
		-F "$work/none" -m
	usage_error "^p2p-probe: -F: cannot read $work: Is a directory$" -F "$work" -m
	printf 'not a dump\n' >"$work/text"
	usage_error "^p2p-probe: -F: $work/text holds no device" -F "$work/text" -m
	printf '00:00.0 x\n00: 86 80 zz\n' >"$work/bad.dump"
	usage_error "^p2p-probe: -F $work/bad.dump: dump: Malformed line$" -F "$work/bad.dump" -m
	usage_error "0000:00:13\.0: no such PCI device in the dump file $flatdump" \
		-F "$flatdump" 00:11.0 00:13.0
	usage_error "-F and --sysfs-root exclude each other" \
		-F "$flatdump" --sysfs-root "$fx/flat" -m
	usage_error "--verify works on the live system only, not with -F" \
		-F "$flatdump" --verify 00:11.0 00:10.0
}

tap_run_shunit2
