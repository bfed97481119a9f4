#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# p2p-probe on the recorded fixtures: the expected verdict of every
# fixture, checked field by field in the JSON, and golden files for the
# text and JSON output (tests/host/p2p-probe/expected/).
#
# After an intended change of the output, regenerate the golden files with
#     P2P_PROBE_REGEN=1 make check TESTS=tests/host/p2p-probe/verdicts.sh
# and review the diff.

. "$top_srcdir/tests/lib/shunit2-tap.sh"

. "$top_srcdir/tests/host/p2p-probe/lib.sh"
exp=$top_srcdir/tests/host/p2p-probe/expected

oneTimeSetUp() {
	work=$(mktemp -d)
	fx=$work/fixtures
	p2p_unpack_fixtures "$fx" || fail "cannot unpack the fixtures"
}

oneTimeTearDown() {
	rm -rf "$work"
}

# probe FIXTURE ARGS...: run p2p-probe on a fixture, with the fixtures'
# pci.ids; stdout in $work/out,
# stderr in $work/err, exit status in $rc
probe() {
	local f=$1
	shift
	p2p-probe -i "$p2p_ids" --sysfs-root "$fx/$f" "$@" >"$work/out" 2>"$work/err"
	rc=$?
}

# q JQ-FILTER: evaluate on the last JSON output
q() {
	jq -r "$1" "$work/out"
}

# golden NAME FILE: compare FILE with expected/NAME (or write it)
golden() {
	if [ -n "${P2P_PROBE_REGEN:-}" ]; then
		cp "$2" "$exp/$1"
		return
	fi
	if ! diff -u "$exp/$1" "$2" >"$work/diff"; then
		tap_diag "$(head -n 40 "$work/diff")"
		fail "output differs from expected/$1"
	fi
}

# pair FIXTURE PROVIDER CLIENT: text and JSON of the pair against golden
# files; leaves the JSON in $work/out for the caller's checks
pair() {
	local f=$1
	probe "$f" "$2" "$3"
	assertEquals "$f text: exit status" 0 "$rc"
	golden "$f.pair.txt" "$work/out"
	probe "$f" -j -p "$2" "$3"
	assertEquals "$f JSON: exit status" 0 "$rc"
	golden "$f.pair.json" "$work/out"
	assertTrue "$f: valid JSON" "jq -e . '$work/out' >/dev/null"
}

matrix() {
	local f=$1
	probe "$f" --matrix
	assertEquals "$f matrix: exit status" 0 "$rc"
	golden "$f.matrix.txt" "$work/out"
	probe "$f" -j --matrix
	assertEquals "$f matrix JSON: exit status" 0 "$rc"
	golden "$f.matrix.json" "$work/out"
}

test_flat_root_complex() {
	pair flat 00:11.0 00:10.0
	assertEquals "topology" PHB "$(q '.pairs[0].topology')"
	assertEquals "no common upstream" null "$(q '.pairs[0].common_upstream')"
	assertEquals "distance: both chains, one hop each" 2 "$(q '.pairs[0].distance')"
	assertEquals "map type" not_supported "$(q '.pairs[0].dma_api.map_type')"
	assertEquals "host bridge consulted" true "$(q '.pairs[0].dma_api.via_host_bridge')"
	assertEquals "QEMU's q35 host bridge is not allowlisted" false "$(q '.host_bridges[0].allowlisted')"
	assertEquals "TCG's CPU does not qualify" false "$(q '.cpu.supports_p2pdma')"
	assertEquals "iommufd maps anyway" true "$(q '.pairs[0].iommufd.maps')"
	assertEquals "importers disagree" true "$(q '.pairs[0].importers_disagree')"
	assertEquals "path: provider, host bridge, client" "provider host_bridge client" \
		"$(q '[.pairs[0].path[].role] | join(" ")')"
	matrix flat
}

test_switch_without_acs() {
	pair switch 04:00.0 03:00.0
	assertEquals "topology" PIX "$(q '.pairs[0].topology')"
	assertEquals "common upstream: the switch upstream port" 0000:01:00.0 \
		"$(q '.pairs[0].common_upstream')"
	assertEquals "distance" 4 "$(q '.pairs[0].distance')"
	assertEquals "map type" bus_addr "$(q '.pairs[0].dma_api.map_type')"
	assertEquals "no ACS redirect" 0 "$(q '.pairs[0].dma_api.acs_redirect | length')"
	assertEquals "types along the path" \
		"pci_device downstream_port upstream_port downstream_port pci_device" \
		"$(q '[.pairs[0].path[].type] | join(" ")')"
	assertEquals "iommufd: the switch may route IOVAs itself" true \
		"$(q '.pairs[0].iommufd.switch_shortcut')"
	assertEquals "the client's port into the switch" 0000:02:00.0 \
		"$(q '.pairs[0].iommufd.switch_ingress')"
	assertEquals "importers agree" false "$(q '.pairs[0].importers_disagree')"
	matrix switch
}

test_switch_with_acs_redirect() {
	pair switch-acs 04:00.0 03:00.0
	assertEquals "topology" PIX "$(q '.pairs[0].topology')"
	assertEquals "distance" 4 "$(q '.pairs[0].distance')"
	assertEquals "map type" not_supported "$(q '.pairs[0].dma_api.map_type')"
	assertEquals "redirecting ports, provider side first" "0000:02:01.0 0000:02:00.0" \
		"$(q '.pairs[0].dma_api.acs_redirect | join(" ")')"
	assertEquals "kernel parameter" "0000:02:01.0;0000:02:00.0" \
		"$(q '.pairs[0].dma_api.disable_acs_redir')"
	assertEquals "ACS control decoded" "sv rr cr uf" \
		"$(q '.pairs[0].path[1].acs.enabled | join(" ")')"
	assertEquals "ACS capability decoded" "sv tb rr cr uf dt" \
		"$(q '.pairs[0].path[1].acs.capable | join(" ")')"
	assertEquals "ACS offset" $((0x148)) "$(q '.pairs[0].path[1].acs.offset')"
	assertEquals "no shortcut with RR" false "$(q '.pairs[0].iommufd.switch_shortcut')"
	matrix switch-acs
}

test_two_root_ports() {
	pair rootports 06:00.0 05:00.0
	assertEquals "topology" PHB "$(q '.pairs[0].topology')"
	assertEquals "distance: two hops on each side" 4 "$(q '.pairs[0].distance')"
	assertEquals "map type" not_supported "$(q '.pairs[0].dma_api.map_type')"
	assertEquals "root ports carry ACS" true "$(q '.pairs[0].path[1].acs_redirect')"
	assertEquals "types" "pci_device root_port host_bridge root_port pci_device" \
		"$(q '[.pairs[0].path[].type] | join(" ")')"
	matrix rootports
}

test_allowlisted_host_bridge() {
	pair allowlisted 06:00.0 05:00.0
	assertEquals "map type" thru_host_bridge "$(q '.pairs[0].dma_api.map_type')"
	assertEquals "allowlisted" true "$(q '.pairs[0].dma_api.host_bridge_allowlisted')"
	assertEquals "host bridge IDs" "32902 8224" "$(q '.host_bridges[0] | "\(.vendor) \(.device)"')"
	assertEquals "importers agree" false "$(q '.pairs[0].importers_disagree')"
	assertEquals "root complex known good" true \
		"$(q '.pairs[0].iommufd.root_complex_p2p_known_good')"
	matrix allowlisted
}

test_two_host_bridges_amd_zen() {
	pair twohb 06:00.0 41:00.0
	assertEquals "topology across NUMA nodes" SYS "$(q '.pairs[0].topology')"
	assertEquals "both host bridges" "pci0000:00 pci0000:40" \
		"$(q '.pairs[0].host_bridges | join(" ")')"
	assertEquals "CPU qualifies" true "$(q '.cpu.supports_p2pdma')"
	assertEquals "map type" thru_host_bridge "$(q '.pairs[0].dma_api.map_type')"
	assertEquals "the second root bus starts with a root port" 0000:40:1d.0 \
		"$(q '.host_bridges[1].root_device')"
	matrix twohb
}

test_two_switches() {
	pair twoswitches 07:00.0 03:00.0
	assertEquals "topology" PXB "$(q '.pairs[0].topology')"
	assertEquals "distance: 4 up, 2 down" 6 "$(q '.pairs[0].distance')"
	assertEquals "common upstream: the first switch's upstream port" 0000:01:00.0 \
		"$(q '.pairs[0].common_upstream')"
	assertEquals "map type" bus_addr "$(q '.pairs[0].dma_api.map_type')"
	matrix twoswitches
}

# NODE: two host bridges on one NUMA node (twohb with both on node 0)
test_two_host_bridges_one_numa_node() {
	cp -a "$fx/twohb" "$work/node"
	find "$work/node/devices" -name numa_node -exec sh -c 'echo 0 >"$1"' sh {} \;
	p2p-probe -j --sysfs-root "$work/node" 06:00.0 41:00.0 >"$work/out"
	assertEquals "topology" NODE "$(q '.pairs[0].topology')"
	assertEquals "NUMA node" "0 0" "$(q '[.devices[].numa_node] | join(" ")')"
	# and without NUMA information: one node assumed
	find "$work/node/devices" -name numa_node -delete
	p2p-probe -j --sysfs-root "$work/node" 06:00.0 41:00.0 >"$work/out"
	assertEquals "topology without numa_node" NODE "$(q '.pairs[0].topology')"
	rm -rf "$work/node"
}

test_restricted_config_space() {
	probe restricted 04:00.0 03:00.0
	assertEquals "exit status" 0 "$rc"
	assertEquals "one warning line" 1 "$(wc -l <"$work/err")"
	assertContains "warning names a device" "$(cat "$work/err")" "0000:02:00.0"
	assertContains "warning says why" "$(cat "$work/err")" "needs root"
	golden restricted.pair.txt "$work/out"
	probe restricted -j -p 04:00.0 03:00.0
	golden restricted.pair.json "$work/out"
	assertEquals "map type" unknown "$(q '.pairs[0].dma_api.map_type')"
	assertEquals "ACS of the ports unknown" null "$(q '.pairs[0].path[1].acs_redirect')"
	assertEquals "config access" restricted "$(q '.devices[0].config_access')"
	assertContains "unknown ports listed" "$(q '.pairs[0].dma_api.acs_unknown | join(" ")')" \
		"0000:02:01.0"
	assertEquals "topology is still known" PIX "$(q '.pairs[0].topology')"
	matrix restricted
}

# The default set of --matrix: vfio-pci devices, else (or with --all)
# endpoints with a memory BAR; DU_SYSFS_ROOT stands in for --sysfs-root.
test_matrix_device_sets() {
	probe flat -j --matrix
	assertEquals "vfio-pci devices" "0000:00:10.0 0000:00:11.0" \
		"$(q '[.devices[].address] | join(" ")')"
	probe flat -j --matrix --all
	assertEquals "--all: endpoints with memory BARs (not the host bridge)" \
		"0000:00:10.0 0000:00:11.0" "$(q '[.devices[].address] | join(" ")')"
	probe switch -j --matrix 03:00.0 04:00.0 00:1c.0
	assertEquals "explicit list, in order" "0000:03:00.0 0000:04:00.0 0000:00:1c.0" \
		"$(q '[.devices[].address] | join(" ")')"
	assertEquals "pairs: every ordered pair whose provider has a memory BAR" 6 \
		"$(q '.pairs | length')"
	probe switch --matrix 03:00.0 00:00.0
	assertContains "a row without memory BAR" "$(sed -n 3p "$work/out")" "-"
	DU_SYSFS_ROOT=$fx/rootports p2p-probe -j --matrix >"$work/out" 2>"$work/err"
	assertEquals "DU_SYSFS_ROOT" "0000:05:00.0 0000:06:00.0" \
		"$(q '[.devices[].address] | join(" ")')"
}

tap_run_shunit2
