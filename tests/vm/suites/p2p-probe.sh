#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# p2p-probe on the QEMU topologies: what it predicts for every pair of the
# profile's devices matches what --verify gets from the kernel, and what it
# reads (path, ACS) matches the hierarchy the profile built.  Issue 12:
# --verify also reports whether the kernel maps the provider's BAR (and the
# exported buffer) by the address of an mmap(); the tests of that need a
# kernel that does, and fail on one that does not.
#
#   tests/vm/run-vm.sh --profile p2p,switch,rootports --suite p2p-probe
#
# Any subset of the profiles works; tests for a missing topology skip.
# Profiles: p2p (edu, ivshmem on the root complex), switch (sw_edu,
# sw_ivshmem behind two xio3130 downstream ports, which have no ACS),
# rootports (rp_edu, rp_ivshmem below two root ports with ACS).

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/vm/lib/vm-suite.sh"

oneTimeSetUp() {
	work=$(mktemp -d)
	# the profile devices bound to vfio-pci, as "name=bdf"
	devs=()
	local n v b
	for n in ${DU_DEVICES:-}; do
		v=DU_${n^^}_VFIO b=DU_${n^^}_BDF
		[ -n "${!v:-}" ] && devs+=("$n=${!b}")
	done
}

oneTimeTearDown() {
	rm -rf "$work"
}

# bdf NAME: the address of a profile device, "" when absent
bdf() {
	local b=DU_${1^^}_BDF v=DU_${1^^}_VFIO
	[ -n "${!v:-}" ] && echo "${!b}"
}

# probe ARGS...: p2p-probe -j; JSON in $work/out, exit status in $rc
probe() {
	p2p-probe -j "$@" >"$work/out" 2>"$work/err"
	rc=$?
	[ ! -s "$work/err" ] || tap_diag "p2p-probe $*: $(cat "$work/err")"
}

q() {
	jq -r "$1" "$work/out"
}

test_matrix_covers_every_vfio_device() {
	probe --matrix
	assertEquals "exit status" 0 "$rc"
	assertEquals "one entry per vfio-pci device" "${#devs[@]}" "$(q '.devices | length')"
	local d
	for d in "${devs[@]}"; do
		assertEquals "${d%%=*} listed" 1 \
			"$(q "[.devices[] | select(.address == \"${d#*=}\")] | length")"
	done
	assertEquals "config space fully readable as root" 0 \
		"$(q '[.devices[] | select(.config_access != "full")] | length')"
}

# For every ordered pair (--matrix --verify): the iommufd prediction (maps
# or not) is what the kernel answers to export + IOMMU_IOAS_MAP_FILE, and
# for an edu client with a RAM-like provider BAR the bytes arrive both ways.
test_prediction_matches_verify_for_every_pair() {
	local n t0=$SECONDS
	probe --matrix --verify
	assertEquals "exit status" 0 "$rc"
	n=${#devs[@]}
	[ "$n" -ge 2 ] || { skip_test "fewer than two vfio-pci devices"; return; }
	assertEquals "every ordered pair verified" $((n * (n - 1))) \
		"$(q '[.pairs[] | select(.verify.ran)] | length')"
	assertEquals "pairs where the kernel's answer differs from the prediction" "" \
		"$(q '.pairs[] | select(.verify.map.ok != .iommufd.maps or .verify.agrees != true) | "\(.provider) -> \(.client): \(.verify)"')"
	assertEquals "failed exports" "" \
		"$(q '.pairs[] | select(.verify.export.ok != true) | "\(.provider) -> \(.client): \(.verify.export.error)"')"
	assertEquals "edu DMAs whose bytes did not arrive" "" \
		"$(q '.pairs[] | select(.verify.dma.ran and (.verify.dma.write_ok and .verify.dma.read_ok | not)) | "\(.provider) -> \(.client)"')"
	tap_diag "verified $(q '[.pairs[] | select(.verify.ran)] | length') pairs, $(q '[.pairs[] | select(.verify.dma.ran)] | length') with edu DMA, in $((SECONDS - t0)) s"
	tap_diag "by address: $(q '[.pairs[] | select(.verify.ran) | "\(.provider) BAR\(.verify.bar) -> \(.client): \(.iommufd.by_address | "bar \(.bar_mmap) \(.bar_mmap_error // "") dmabuf \(.dmabuf_mmap) \(.dmabuf_mmap_error // "")")"] | join("; ")')"
}

# --bar 2 picks the providers that have a BAR2 (ivshmem, not edu).
test_matrix_verify_one_bar() {
	local n ivs
	n=${#devs[@]}
	ivs=$(printf '%s\n' "${devs[@]}" | grep -c ivshmem)
	[ "$ivs" -ge 1 ] && [ "$n" -ge 2 ] || { skip_test "no ivshmem device"; return; }
	probe --matrix --verify --bar 2
	assertEquals "exit status" 0 "$rc"
	assertEquals "only providers with BAR2 tried" $((ivs * (n - 1))) \
		"$(q '[.pairs[] | select(.verify.ran)] | length')"
	assertEquals "all of them BAR2" "" \
		"$(q '.pairs[] | select(.verify.ran and .verify.bar != 2) | .provider')"
}

# One pair in pair mode: text, and the exit status scripts rely on.
test_verify_one_pair_text() {
	local e i
	e=$(bdf edu) i=$(bdf ivshmem)
	[ -n "$e" ] && [ -n "$i" ] || { e=$(bdf sw_edu) i=$(bdf sw_ivshmem); }
	[ -n "$e" ] && [ -n "$i" ] || { skip_test "no edu + ivshmem pair"; return; }
	p2p-probe --verify "$i" "$e" >"$work/out" 2>"$work/err"
	assertEquals "exit status" 0 "$?"
	assertContains "export and map" "$(cat "$work/out")" "export ok, mapped at IOVA 0x4000000"
	assertContains "DMA both ways" "$(cat "$work/out")" \
		"client writes into the provider BAR: yes, client reads from it: yes"
	assertContains "prediction" "$(cat "$work/out")" "prediction for iommufd (maps: yes) confirmed"
	assertContains "BAR and buffer mapped by address (issue 12)" "$(cat "$work/out")" \
		"by address (IOMMU_IOAS_MAP of an mmap()): BAR through the device fd: accepted; exported buffer: accepted"
	# the provider's first bytes are restored: the host file shows the
	# pattern only while the test runs
}

test_root_complex_pair() {
	local e i
	e=$(bdf edu) i=$(bdf ivshmem)
	[ -n "$e" ] && [ -n "$i" ] || { skip_test "profile p2p not loaded"; return; }
	probe "$i" "$e"
	assertEquals "topology" PHB "$(q '.pairs[0].topology')"
	assertEquals "distance" 2 "$(q '.pairs[0].distance')"
	assertEquals "q35 host bridge not allowlisted: refused" not_supported \
		"$(q '.pairs[0].dma_api.map_type')"
	assertEquals "but iommufd maps" true "$(q '.pairs[0].importers_disagree')"
	assertEquals "by address: not tried without --verify" null "$(q '.pairs[0].iommufd.by_address')"
	assertContains "and says so" "$(q '.pairs[0].iommufd.by_address_reason')" "needs --verify"
}

# Issue 12: the kernel maps the ivshmem BAR by the address of its mmap()
# through the VFIO device fd, and the exported buffer by the address of
# its mmap(), with edu attached (a kernel without the feature: EFAULT).
test_verify_maps_the_bar_by_address() {
	local e i
	e=$(bdf edu) i=$(bdf ivshmem)
	[ -n "$e" ] && [ -n "$i" ] || { e=$(bdf sw_edu) i=$(bdf sw_ivshmem); }
	[ -n "$e" ] && [ -n "$i" ] || { skip_test "no edu + ivshmem pair"; return; }
	probe --verify --bar 2 "$i" "$e"
	assertEquals "exit status" 0 "$rc"
	assertEquals "accepted by address (false and EFAULT: the kernel cannot)" \
		'{"bar_mmap":true,"bar_mmap_error":null,"bar_mmap_reason":null,"dmabuf_mmap":true,"dmabuf_mmap_error":null,"dmabuf_mmap_reason":null,"error":null}' \
		"$(jq -c '.pairs[0].iommufd.by_address' "$work/out")"
	assertEquals "no reason" null "$(q '.pairs[0].iommufd.by_address_reason')"
	assertEquals "MAP_FILE as before" true "$(q '.pairs[0].verify.map.ok')"
}

test_switch_pair() {
	local e i up
	e=$(bdf sw_edu) i=$(bdf sw_ivshmem)
	[ -n "$e" ] && [ -n "$i" ] || { skip_test "profile switch not loaded"; return; }
	probe "$i" "$e"
	# the switch upstream port: two levels above the device in sysfs
	up=$(basename "$(dirname "$(dirname "$(realpath "/sys/bus/pci/devices/$e")")")")
	assertEquals "common upstream: the upstream port" "$up" "$(q '.pairs[0].common_upstream')"
	assertEquals "types" \
		"pci_device downstream_port upstream_port downstream_port pci_device" \
		"$(q '[.pairs[0].path[].type] | join(" ")')"
	assertEquals "topology" PIX "$(q '.pairs[0].topology')"
	assertEquals "distance" 4 "$(q '.pairs[0].distance')"
	assertEquals "xio3130 has no ACS: bus address" bus_addr "$(q '.pairs[0].dma_api.map_type')"
}

test_rootports_pair() {
	local e i
	e=$(bdf rp_edu) i=$(bdf rp_ivshmem)
	[ -n "$e" ] && [ -n "$i" ] || { skip_test "profile rootports not loaded"; return; }
	probe "$i" "$e"
	assertEquals "types" "pci_device root_port host_bridge root_port pci_device" \
		"$(q '[.pairs[0].path[].type] | join(" ")')"
	if ! grep -q 'disable_acs_redir=' /proc/cmdline; then
		assertEquals "the kernel enabled ACS redirect on the root ports" "true true" \
			"$(q '[.pairs[0].path[] | select(.type == "root_port") | .acs_redirect] | join(" ")')"
	fi
	assertEquals "map type" not_supported "$(q '.pairs[0].dma_api.map_type')"
}

# The ACS control word p2p-probe decoded is the one in config space at the
# offset it reports (read here with od, independently).
test_acs_registers_match_config_space() {
	local n=0 addr off ctl raw
	probe --matrix
	while read -r addr off ctl; do
		raw=$(od -An -tu2 -j $((off + 6)) -N 2 "/sys/bus/pci/devices/$addr/config" | tr -d ' ')
		assertEquals "$addr: ACS control at $off+6" "$raw" "$ctl"
		n=$((n + 1))
	done < <(q '[.pairs[].path[] | select(.acs != null) | "\(.address) \(.acs.offset) \(.acs.control)"] | unique[]')
	tap_diag "checked $n ACS capabilities"
	[ "$n" -gt 0 ] || skip_test "no device with ACS in these profiles"
}

# Booted with pci=disable_acs_redir=<ports> (run-vm.sh --append), the
# kernel clears RR, CR and EC on those ports: p2p-probe must see that.
#   tests/vm/run-vm.sh --profile rootports --suite p2p-probe \
#       --append 'pci=disable_acs_redir=0000:00:1d.0;0000:00:1e.0'
test_acs_follows_disable_acs_redir() {
	local list a e i
	list=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^pci=disable_acs_redir=//p')
	[ -n "$list" ] || { skip_test "not booted with pci=disable_acs_redir="; return; }
	e=$(bdf rp_edu) i=$(bdf rp_ivshmem)
	[ -n "$e" ] && [ -n "$i" ] || { skip_test "profile rootports not loaded"; return; }
	probe "$i" "$e"
	for a in ${list//;/ }; do
		assertEquals "$a: no redirect after disable_acs_redir" false \
			"$(q ".pairs[0].path[] | select(.address == \"$a\") | .acs_redirect")"
	done
	assertEquals "no redirect left on the path" 0 \
		"$(q '[.pairs[0].path[] | select(.acs_redirect == true)] | length')"
}

# A non-root user reads only the config header: ACS becomes unknown, the
# topology stays, and the warning says why.
test_non_root_view() {
	local e i
	command -v setpriv >/dev/null || { skip_test "setpriv not available"; return; }
	e=$(bdf rp_edu) i=$(bdf rp_ivshmem)
	[ -n "$e" ] && [ -n "$i" ] || { skip_test "profile rootports not loaded"; return; }
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		p2p-probe -j "$i" "$e" >"$work/out" 2>"$work/err"
	assertEquals "exit status" 0 "$?"
	assertContains "warning" "$(cat "$work/err")" "needs root"
	assertEquals "topology" PHB "$(q '.pairs[0].topology')"
	assertEquals "root port ACS unknown" null "$(q '.pairs[0].path[1].acs_redirect')"
	# no common bridge: ACS does not matter, the allowlist decides
	assertEquals "verdict still known" not_supported "$(q '.pairs[0].dma_api.map_type')"
}

vm_require_progs p2p-probe jq
[ -n "${DU_SHARE:-}" ] || tap_skip_all "not in a run-vm.sh guest (DU_SHARE unset)"
tap_run_shunit2
