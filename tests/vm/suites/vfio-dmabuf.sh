#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vfio-dmabuf in the VM: export, a broker vending buffers to client
# processes, clients mapping and writing (the bytes show in the ivshmem
# backing file), memattr, revoke (the client's access reports revoked, a
# new mmap is refused), maps naming device and BAR, info naming holders, a
# client killed midway, the broker exiting leaving no buffer usable, a
# broker mapping its own BAR (serve --map-bar), and device resets through
# the broker and with the device at hand.
#
#   tests/vm/run-vm.sh --profile p2p --suite vfio-dmabuf
#   tests/vm/run-vm.sh --profile e2e --suite vfio-dmabuf
#
# Under p2p ivshmem sits on the root bus and has no reset method, so the
# reset tests check that VFIO_DEVICE_RESET's EINVAL is reported in words;
# under e2e ivshmem is alone below a root port and the reset succeeds.
#
# Profile: p2p (edu + ivshmem).  Tests of features the running kernel lacks
# (DMA-BUF mmap, revoke, memattr: the kernel/patches series) are skipped
# with the reason; what the base kernel has (export, import into iommufd,
# BAR mmap through the device fd, revocation by closing the device) is
# tested on every kernel.
#
# ivshmem BAR2 (64 MiB) ranges used here, away from the other suites':
#   32M client-a, 34M client-b, 36M broker exit, 38M broker kill,
#   40M memattr, 42M client killed midway, 44M reset (live),
#   46M revoke, 48M reset (revoked before)

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/vm/lib/vm-suite.sh"

BAR=2
MiB=$((1 << 20))

oneTimeSetUp() {
	work=$(mktemp -d)
	IV=$DU_IVSHMEM_BDF
	S=$work/broker.sock
	# features, probed while nobody holds the device
	vfio-dmabuf -j probe --device "$IV" >"$work/probe" 2>"$work/probe.err"
	cat "$work/probe" "$work/probe.err" >&2
	have_revoke=$(jq -r '.devices[0].features.dma_buf_revoke' "$work/probe")
	have_memattr=$(jq -r '.devices[0].features.dma_buf_memattr' "$work/probe")
	have_mmap=$(jq -r '.devices[0].features.dma_buf_mmap' "$work/probe")
	have_iommufd_ctl=no
	command -v iommufd-ctl >/dev/null && have_iommufd_ctl=yes
	# 1 MiB of the "incr" pattern: byte = offset mod 256
	printf "$(printf '\\%03o' $(seq 0 255))" >"$work/incr256"
	cp "$work/incr256" "$work/incr1M"
	for _ in $(seq 12); do	# 256 B doubled 12 times: 1 MiB
		cat "$work/incr1M" "$work/incr1M" >"$work/incr.tmp"
		mv "$work/incr.tmp" "$work/incr1M"
	done
	pids=()
}

oneTimeTearDown() {
	local p
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	stop_broker >/dev/null 2>&1
	rm -rf "$work"
}

# vd ARGS...: run vfio-dmabuf; stdout in $out, stderr in $err, status $rc.
vd() {
	vfio-dmabuf "$@" >"$work/out" 2>"$work/err"
	rc=$?
	out=$(cat "$work/out")
	err=$(cat "$work/err")
	cat "$work/err" >&2
}

need() {
	local f
	for f in "$@"; do
		case $f in
		mmap) [ "$have_mmap" = true ] || { skip_test "the running kernel cannot mmap VFIO DMA-BUFs (no kernel/patches series)"; return 1; } ;;
		revoke) [ "$have_revoke" = true ] || { skip_test "the running kernel lacks VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE"; return 1; } ;;
		memattr) [ "$have_memattr" = true ] || { skip_test "the running kernel lacks VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR"; return 1; } ;;
		iommufd-ctl) [ "$have_iommufd_ctl" = yes ] || { skip_test "iommufd-ctl is not built"; return 1; } ;;
		esac
	done
}

# start_broker: a broker owning ivshmem on $S (pid in $bpid), unless one
# runs.  Tests run in name order and each sets up what it needs.
# start_broker [ARGS]: extra serve options.
start_broker() {
	if [ -n "${bpid:-}" ] && kill -0 "$bpid" 2>/dev/null; then
		return 0
	fi
	rm -f "$S"
	A='' B=''
	vd -j serve --socket "$S" --device "$IV" --background --log "$work/broker.log" "$@"
	assertEquals "serve: $err" 0 "$rc"
	bpid=$(jq -r '.brokers[0].pid' <<<"$out")
}

stop_broker() {
	if [ -n "${bpid:-}" ] && kill -0 "$bpid" 2>/dev/null; then
		vfio-dmabuf stop --socket "$S" >&2
		wait_gone "$bpid"
	fi
	bpid=''
	rm -f "$S"
}

# ensure_ab: the broker with buffers client-a (32M) and client-b (34M),
# their ids in $A and $B.
ensure_ab() {
	start_broker
	if [ -z "$A" ]; then
		export_buf 32M 1M client-a
		A=$id
		export_buf 34M 1M client-b
		B=$id
	fi
}

# export_buf OFF LEN NAME: a broker buffer; its id in $id.
export_buf() {
	vd -j export --socket "$S" --device "$IV" --bar $BAR --range "$1:$2" --name "$3"
	assertEquals "export $3: $err" 0 "$rc"
	id=$(jq -r '.buffers[0].id' <<<"$out")
}

# ivshmem_bytes OFF LEN: the backing file's bytes, as the guest sees them
ivshmem_bytes() {
	dd if="$DU_IVSHMEM_FILE" bs=1M skip=$(($1 / MiB)) count=$(($2 / MiB)) status=none
}

# wait_mapped PID: until the process shows a VFIO mapping (10 s at most)
wait_mapped() {
	for _ in $(seq 100); do
		[ "$(vfio-dmabuf -j maps --pid "$1" 2>/dev/null | jq '.mappings | length')" -gt 0 ] 2>/dev/null &&
			return 0
		sleep 0.1
	done
	return 1
}

wait_gone() {
	for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	return 1
}

# ---------------------------------------------------------------------------

test_probe_reports_bar_and_features() {
	stop_broker
	assertEquals "dma_buf export (in the base kernel)" true \
		"$(jq -r '.devices[0].features.dma_buf' "$work/probe")"
	assertEquals "BAR2: 64M, 64-bit, prefetchable" "67108864 true true" \
		"$(jq -r '.devices[0].bars[] | select(.index == 2) | "\(.size) \(.is_64bit) \(.prefetchable)"' "$work/probe")"
	vd probe --device "$IV" --require dma_buf
	assertEquals 0 "$rc"
	vd probe --device "$IV" --require dma_buf_revoke
	if [ "$have_revoke" = true ]; then
		assertEquals 0 "$rc"
	else
		assertEquals "exit 3 without the feature" 3 "$rc"
		assertContains "$err" "the running kernel lacks: dma_buf_revoke"
	fi
	return 0
}

# bar_wc FILE INDEX: {wc, wc_reason, memattrs} of one BAR in probe's JSON
bar_wc() {
	jq -c --argjson i "$2" '.devices[0].bars[] | select(.index == $i) | {wc, wc_reason, memattrs}' "$1"
}

# Per BAR, can buffers be write-combining (VFIO_REGION_INFO_CAP_MEMATTR)?
# ivshmem BAR2 is prefetchable: yes, unless x86 runs without PAT (nopat:
# no write-combining memory type); edu BAR0 is not prefetchable.  A kernel
# without the capability gives 'unknown', one without memory attributes
# 'kernel': checked, and the test is a SKIP there, not a PASS.
test_probe_says_whether_a_bar_can_be_wc() {
	local iv2 edu0='' want_iv2
	stop_broker
	iv2=$(bar_wc "$work/probe" 2)
	if [ -n "${DU_EDU_BDF:-}" ]; then
		vd -j probe --device "$DU_EDU_BDF"
		assertEquals "probe edu: $err" 0 "$rc"
		printf '%s\n' "$out" >"$work/probe-edu"
		edu0=$(bar_wc "$work/probe-edu" 0)
	fi
	tap_diag "ivshmem BAR2: $iv2; edu BAR0: ${edu0:-(no edu)}"
	if [ "$have_memattr" != true ]; then
		assertEquals "no memattr feature: ivshmem BAR2" \
			'{"wc":false,"wc_reason":"kernel","memattrs":null}' "$iv2"
		[ -z "$edu0" ] || assertEquals "no memattr feature: edu BAR0" \
			'{"wc":false,"wc_reason":"kernel","memattrs":null}' "$edu0"
		skip_test "the running kernel lacks VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR"
		return 0
	fi
	if [ "$(jq -c .memattrs <<<"$iv2")" = null ]; then
		assertEquals "no capability: ivshmem BAR2 unknown" \
			'{"wc":null,"wc_reason":"unknown","memattrs":null}' "$iv2"
		[ -z "$edu0" ] || assertEquals "no capability: edu BAR0 unknown" \
			'{"wc":null,"wc_reason":"unknown","memattrs":null}' "$edu0"
		skip_test "the running kernel does not report VFIO_REGION_INFO_CAP_MEMATTR (the series before issue 11)"
		return 0
	fi
	if [ "$(uname -m)" = x86_64 ] && grep -qw nopat /proc/cmdline; then
		want_iv2='{"wc":false,"wc_reason":"no-wc-memtype","memattrs":["nc"]}'
	else
		want_iv2='{"wc":true,"wc_reason":null,"memattrs":["nc","wc"]}'
	fi
	assertEquals "ivshmem BAR2 (prefetchable)" "$want_iv2" "$iv2"
	[ -z "$edu0" ] || assertEquals "edu BAR0 (not prefetchable)" \
		'{"wc":false,"wc_reason":"non-prefetchable","memattrs":["nc"]}' "$edu0"
	vd probe --device "$IV" -o BAR,WC,WC-REASON,MEMATTRS -r -n
	assertEquals "probe: $err" 0 "$rc"
	assertEquals "the same in text" \
		"2 $(jq -r 'if .wc then "yes" else "no" end' <<<"$iv2") $(jq -r '.wc_reason // "-"' <<<"$iv2") $(jq -r '.memattrs | join(",")' <<<"$iv2")" \
		"$(grep '^2 ' <<<"$out")"
	return 0
}

test_export_as_written() {
	stop_broker
	vd export --device "$IV" --bar 2 --range 0:2M
	assertEquals "$err" 0 "$rc"
	assertContains "$out" "device $IV bar 2 size 2M"
	vd -j export --device "$IV" --bar 2 --range 0:2M,4M:4K --name two
	assertEquals "$err" 0 "$rc"
	assertEquals "size from the kernel" $((2 * MiB + 4096)) "$(jq '.buffers[0].size' <<<"$out")"
	assertNotEquals "inode" null "$(jq '.buffers[0].inode' <<<"$out")"
	assertContains "multi-range warning" "$err" "imports only single-range buffers"
	vd export --device "$IV" --bar 2 --range 63M:2M
	assertEquals "range past the end refused before the kernel" 2 "$rc"
	vd export --device "$DU_EDU_BDF" --bar 0 --range 0:4K --memattr wc
	local edu0
	edu0=$(vfio-dmabuf -j probe --device "$DU_EDU_BDF" 2>/dev/null |
		jq -r '.devices[0].bars[] | select(.index == 0) | .wc_reason')
	if [ "$have_memattr" = true ] && [ "$edu0" = non-prefetchable ]; then
		# the kernel reports why: edu BAR0 is not prefetchable
		assertEquals "--memattr wc refused for a non-prefetchable BAR" 3 "$rc"
		assertContains "$err" "cannot set memattr wc: the BAR is not prefetchable"
	elif [ "$have_memattr" = true ] && wc_refused_here; then
		# before the region-info capability: x86 PAT refused WC for
		# every vfio-pci BAR
		assertEquals "--memattr wc refused where the platform cannot provide it" 3 "$rc"
		assertContains "$err" "platform cannot provide"
	elif [ "$have_memattr" = true ]; then
		assertEquals "$err" 0 "$rc"
		assertContains "$out" "memattr wc"
	else
		assertEquals "--memattr without the feature: exit 3" 3 "$rc"
		assertContains "$err" "lacks VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR"
	fi
	# A local export of a prefetchable BAR with --memattr wc, where the
	# kernel says WC is possible
	local iv2
	iv2=$(jq -r '.devices[0].bars[] | select(.index == 2) | .wc_reason // "yes"' "$work/probe")
	if [ "$have_memattr" = true ] && [ "$iv2" = yes ]; then
		vd -j export --device "$IV" --bar 2 --range 46M:64K --memattr wc
		assertEquals "local export --memattr wc of ivshmem BAR2: $err" 0 "$rc"
		assertEquals "the exported buffer is wc" wc "$(jq -r '.buffers[0].memattr' <<<"$out")"
		tap_diag "local export --memattr wc of BAR2 46M:64K: exit $rc, memattr $(jq -r '.buffers[0].memattr' <<<"$out")"
	fi
	return 0
}

# access on a udmabuf: a real, mappable DMA-BUF on every kernel with
# CONFIG_UDMABUF, for the parts of access, maps and info that do not depend
# on VFIO DMA-BUF mmap
test_access_maps_and_info_on_a_udmabuf() {
	local U=$top_builddir/tests/host/vfio-dmabuf/udmabuf-exec p
	[ -x "$U" ] || { skip_test "udmabuf-exec is not built"; return 0; }
	[ -c /dev/udmabuf ] || { skip_test "no /dev/udmabuf (CONFIG_UDMABUF off)"; return 0; }
	printf 'ABCDEFGH' >"$work/in8"
	cat >"$work/client.sh" <<-'EOF'
	v() { vfio-dmabuf "$@" --fd "$VFIO_DMABUF_FD"; echo "rc=$?"; }
	cd "$1"
	v access fill --pattern addr >fill.out 2>&1
	v access verify --pattern addr >verify.out 2>&1
	v access write --offset 0x10 --width 32 --value 0xdeadbeef >write.out 2>&1
	v -j access read --offset 0x10 --width 8 --count 4 >read8.out 2>&1
	v -j access read --offset 0x18 --width 64 >read64.out 2>&1
	v access verify --pattern addr >verify2.out 2>&1
	v access dump --offset 0x10 --length 16 >dump.out 2>&1
	v access write --offset 0x100 --input in8 >input.out 2>&1
	vfio-dmabuf access dump --offset 0x100 --length 8 --raw --fd "$VFIO_DMABUF_FD" >raw.out 2>raw.err
	v access read --offset 2M >past.out 2>&1
	vfio-dmabuf access verify --pattern addr --offset 1M --repeat 0 --interval 100 --fd "$VFIO_DMABUF_FD" >/dev/null 2>&1 &
	echo $! >holder.pid
	# killed by the test when it is done; long enough for a loaded TCG host
	exec sleep 600
	EOF
	"$U" 2M -- bash "$work/client.sh" "$work" &
	p=$!
	pids+=("$p")
	for _ in $(seq 100); do [ -s "$work/holder.pid" ] && break; sleep 0.1; done
	assertContains "fill" "$(cat "$work/fill.out")" "rc=0"
	assertContains "verify" "$(cat "$work/verify.out")" "verified 2097152 bytes at 0x0: pattern addr"
	assertContains "8-bit reads of a 32-bit write" "$(cat "$work/read8.out")" '"value":239'
	assertEquals "[239,190,173,222]" "$(head -n 1 "$work/read8.out" | jq -c '[.reads[].value]')"
	assertEquals "64-bit read of the addr pattern" 24 "$(head -n 1 "$work/read64.out" | jq '.reads[0].value')"
	assertContains "verify finds the write" "$(cat "$work/verify2.out")" "first at 0x10: expected 0x10, got 0xef"
	assertContains "verify fails with 1" "$(cat "$work/verify2.out")" "rc=1"
	assertContains "hex dump" "$(cat "$work/dump.out")" "00000010  ef be ad de 00 00 00 00  18 00 00 00 00 00 00 00"
	assertEquals "raw bytes written from a file" "ABCDEFGH" "$(cat "$work/raw.out")"
	assertContains "offset past the end" "$(cat "$work/past.out")" "is past the end (size 2M)"
	assertContains "$(cat "$work/past.out")" "rc=2"
	local h
	h=$(cat "$work/holder.pid")
	wait_mapped "$h"
	vd -j maps --pid "$h"
	assertEquals "maps: the udmabuf mapping" '{"kind":"buffer","exporter":"udmabuf","offset":1048576,"size":1048576}' \
		"$(jq -c '.mappings[0] | {kind,exporter,offset,size}' <<<"$out")"
	vd -j info --pid "$h"
	assertEquals "info: held by fd by the script and the holder, mapped by the holder" \
		"$(printf '%s\n' "$p" "$h" | sort -n | xargs) / $h" \
		"$(jq -r '[.buffers[0].fds[].pid] | sort | join(" ")' <<<"$out") / $(jq -r '[.buffers[0].mappings[].pid] | join(" ")' <<<"$out")"
	kill "$h" "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	return 0
}

test_exec_hands_the_command_only_the_buffer() {
	stop_broker
	vd exec --device "$IV" --bar 2 --range 48M:4K --name fresh -- sh -c \
		'ls -l /proc/$$/fd; env | grep ^VFIO_DMABUF_ | sort; exit 7'
	assertEquals "the command's exit status: $err" 7 "$rc"
	assertContains "the buffer, by name" "$out" "/dmabuf:fresh"
	assertNotContains "no VFIO device fd" "$out" "/dev/vfio"
	assertNotContains "no group device fd" "$out" "vfio-device"
	assertNotContains "no iommufd" "$out" "/dev/iommu"
	assertContains "$out" "VFIO_DMABUF_SIZE=4096"
	assertContains "$out" "VFIO_DMABUF_NAME=fresh"
	assertContains "$out" "VFIO_DMABUF_DEVICE=$IV"
	assertContains "$out" "VFIO_DMABUF_BAR=2"
	vd exec --device "$IV" --bar 2 --range 48M:4K -- /nonexistent/cmd
	assertEquals "command not found" 127 "$rc"
	ensure_ab
	vd exec --socket "$S" --id "$A" --fd-number 7 --env-prefix BUF -- sh -c \
		'readlink /proc/$$/fd/7; env | grep ^BUF_ | sort'
	assertEquals "$err" 0 "$rc"
	assertContains "fd 7 is the buffer" "$out" "/dmabuf:client-a"
	assertContains "$out" "BUF_FD=7"
	assertContains "$out" "BUF_ID=$A"
	assertContains "$out" "BUF_SOCKET=$S"
	return 0
}

test_serve_exports_and_lists() {
	stop_broker
	ensure_ab
	assertTrue "socket" "[ -S '$S' ]"
	assertEquals "ids" "1 2" "$A $B"
	vd -j list --socket "$S"
	assertEquals 0 "$rc"
	assertEquals '["client-a","client-b"]' "$(jq -c '[.buffers[].name]' <<<"$out")"
	assertEquals "$IV" "$(jq -r '.broker.devices[0].device' <<<"$out")"
	assertEquals '[false,false]' "$(jq -c '[.buffers[].revoked]' <<<"$out")"
	vd export --device "$IV" --bar 2 --range 0:4K
	assertEquals "the device is the broker's: a second open fails" 1 "$rc"
	assertContains "$err" "cannot open VFIO device"
	return 0
}

test_client_maps_writes_and_the_file_shows_it() {
	need mmap || return 0
	ensure_ab
	# a client process holding only its buffer's fd (exec), writing through a mapping
	vd exec --socket "$S" --id "$A" -- sh -c \
		'vfio-dmabuf access fill --fd "$VFIO_DMABUF_FD" --pattern incr &&
		 vfio-dmabuf access verify --fd "$VFIO_DMABUF_FD" --pattern incr'
	assertEquals "client: $err" 0 "$rc"
	assertContains "$out" "verified $MiB bytes at 0x0: pattern incr"
	ivshmem_bytes $((32 * MiB)) $MiB >"$work/got"
	assertTrue "the ivshmem backing file has client-a's bytes at 32M" "cmp -s '$work/got' '$work/incr1M'"
	vm_host_expect "client-a's bytes in the backing file at 32M" "$DU_IVSHMEM_FILE" $((32 * MiB)) "$work/incr1M"
	vd access write --socket "$S" --id "$B" --width 64 --offset 8 --value 0x1122334455667788
	assertEquals "$err" 0 "$rc"
	vd -j access read --socket "$S" --id "$B" --width 16 --offset 8 --count 4
	assertEquals '[30600,21862,13124,4386]' "$(jq -c '[.reads[].value]' <<<"$out")"
	assertEquals "client-b's bytes in the file" "8877665544332211" \
		"$(ivshmem_bytes $((34 * MiB)) $MiB | head -c 16 | tail -c 8 | od -An -tx1 | tr -d ' \n')"
	vd access dump --socket "$S" --id "$A" --length 32
	assertContains "$out" "00000000  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  |................|"
	return 0
}

test_maps_names_a_bar_mapped_through_the_device_fd() {
	local p m
	# a BAR mapped through the device fd: edu BAR0, read in a loop
	vfio-dmabuf access read --device "$DU_EDU_BDF" --bar 0 --repeat 0 --interval 100 \
		>/dev/null 2>"$work/edu.err" &
	p=$!
	pids+=("$p")
	wait_mapped "$p"
	vd -j maps --pid "$p"
	assertEquals "$err" 0 "$rc"
	m=$(jq -c '[.mappings[] | {device, bar}]' <<<"$out")
	assertEquals "edu's BAR 0 by device fd" "[{\"device\":\"$DU_EDU_BDF\",\"bar\":0}]" "$m"
	if [ "$have_mmap" = true ]; then
		assertEquals "DMA-BUF backed BAR mapping" bar "$(jq -r '.mappings[0].kind' <<<"$out")"
		assertContains "its name" "$(jq -r '.mappings[0].name' <<<"$out")" ":$DU_EDU_BDF/0"
	else
		assertEquals "BAR mapping without the series" device "$(jq -r '.mappings[0].kind' <<<"$out")"
	fi
	kill "$p"
	wait "$p" 2>/dev/null
	return 0
}

test_maps_names_an_exported_buffer() {
	local p
	need mmap || return 0
	ensure_ab
	vfio-dmabuf access fill --socket "$S" --id "$A" --pattern incr
	vfio-dmabuf access verify --socket "$S" --id "$A" --pattern incr --repeat 0 --interval 100 \
		>/dev/null 2>"$work/client.err" &
	p=$!
	pids+=("$p")
	wait_mapped "$p"
	vd -j maps --pid "$p"
	assertEquals "$err" 0 "$rc"
	assertEquals "client-a mapped by the client" \
		'{"kind":"buffer","name":"client-a","exporter":"vfio_pci_core","size":1048576}' \
		"$(jq -c '.mappings[0] | {kind,name,exporter,size}' <<<"$out")"
	vd maps
	assertContains "all processes" "$out" "client-a"
	vd -j maps --device "$IV"
	assertEquals "exported buffers do not name their device in /proc: --device lists BAR mappings only" \
		0 "$(jq '[.mappings[] | select(.kind == "buffer")] | length' <<<"$out")"
	kill "$p"
	wait "$p" 2>/dev/null
	return 0
}

test_info_names_the_holders() {
	local p
	ensure_ab
	vfio-dmabuf exec --socket "$S" --id "$A" -- sleep 30 &
	p=$!
	pids+=("$p")
	sleep 1
	vd -j info --socket "$S" --id "$A"
	assertEquals "$err" 0 "$rc"
	assertEquals "size and exporter from fdinfo" '{"size":1048576,"exporter":"vfio_pci_core","name":"client-a"}' \
		"$(jq -c '.buffers[0] | {size,exporter,name}' <<<"$out")"
	assertEquals "held by fd: the broker and the client" "$(printf '%s\n' "$bpid" "$p" | sort -n | xargs)" \
		"$(jq -r '.buffers[0].fds[].pid' <<<"$out" | sort -n | xargs)"
	kill "$p"
	wait "$p" 2>/dev/null
	return 0
}

# wc_refused_here: the kernel refuses WC for a vfio-pci BAR on x86 with PAT
# (vfio-pci keeps an uncached kernel mapping of every BAR, and PAT gives a
# new mapping the type tracked for the range); elsewhere it accepts WC.
wc_refused_here() {
	[ -r /sys/kernel/debug/x86/pat_memtype_list ] ||
		mount -t debugfs none /sys/kernel/debug 2>/dev/null
	[ -r /sys/kernel/debug/x86/pat_memtype_list ]
}

test_memattr_wc_then_a_new_mapping() {
	need memattr || return 0
	start_broker
	export_buf 40M 1M wc-buf
	vd memattr get --socket "$S" --id "$id"
	assertContains "default" "$out" "memattr nc"
	vd -j memattr set wc --socket "$S" --id "$id"
	local iv2
	iv2=$(jq -r '.devices[0].bars[] | select(.index == 2) | .wc_reason // "yes"' "$work/probe")
	if [ "$iv2" = no-wc-memtype ]; then
		# x86 with nopat: no write-combining memory type
		assertEquals "WC refused without a WC memory type: $err" 3 "$rc"
		assertContains "$err" "no write-combining memory type"
		vd -j memattr get --socket "$S" --id "$id"
		assertEquals "still nc after the refusal" nc "$(jq -r '.buffers[0].memattr' <<<"$out")"
	elif [ "$iv2" = unknown ] && wc_refused_here; then
		# before the region-info capability: refused on x86 with PAT
		assertEquals "WC refused on x86 with PAT: $err" 3 "$rc"
		assertContains "$err" "platform cannot provide"
		vd -j memattr get --socket "$S" --id "$id"
		assertEquals "still nc after the refusal" nc "$(jq -r '.buffers[0].memattr' <<<"$out")"
	else
		assertEquals "$err" 0 "$rc"
		assertEquals wc "$(jq -r '.buffers[0].memattr' <<<"$out")"
	fi
	vd memattr set uc --socket "$S" --id "$id"
	assertEquals "unknown memattr" 2 "$rc"
	need mmap || return 0
	vd access fill --socket "$S" --id "$id" --pattern random:40
	assertEquals "a new mapping (with the attribute now in force) works: $err" 0 "$rc"
	vd access verify --socket "$S" --id "$id" --pattern random:40
	assertEquals "$err" 0 "$rc"
	local pat=/sys/kernel/debug/x86/pat_memtype_list start
	[ -r "$pat" ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
	if [ -r "$pat" ]; then
		vfio-dmabuf access verify --socket "$S" --id "$id" --pattern random:40 --repeat 0 --interval 100 \
			>/dev/null 2>&1 &
		pids+=($!)
		sleep 1
		start=$(awk 'NR == 3 { print $1 }' "/sys/bus/pci/devices/$IV/resource")
		start=$(printf '0x%016x' $((start + 40 * MiB)))
		if [ "$iv2" = yes ]; then
			# the WC mapping reserves write-combining for its pages
			assertTrue "PAT tracks the WC mapping at $start as write-combining: $(grep "$start" "$pat")" \
				"grep -q '$start.*write-combining' '$pat'"
		fi
		tap_diag "PAT at $start: $(grep "$start" "$pat" || echo none)"
		kill $! 2>/dev/null
	fi
	return 0
}

test_revoke_client_reports_revoked_and_new_mmap_is_refused() {
	need revoke mmap || return 0
	local c1 c2 R r
	ensure_ab
	export_buf 46M 1M doomed
	R=$id
	# client 1 maps the buffer and keeps verifying it
	vfio-dmabuf access fill --socket "$S" --id "$R" --pattern byte:0xb5
	vfio-dmabuf exec --socket "$S" --id "$R" -- sh -c \
		'exec vfio-dmabuf access verify --fd "$VFIO_DMABUF_FD" --pattern byte:0xb5 --repeat 0 --interval 100' \
		>/dev/null 2>"$work/c1.err" &
	c1=$!
	# client 2 holds the fd and maps it only after the revoke
	vfio-dmabuf exec --socket "$S" --id "$R" -- sh -c \
		'sleep 3; exec vfio-dmabuf access read --fd "$VFIO_DMABUF_FD"' \
		>/dev/null 2>"$work/c2.err" &
	c2=$!
	pids+=("$c1" "$c2")
	sleep 1.5
	assertTrue "client 1 is running" "kill -0 $c1"
	vd revoke --socket "$S" --id "$R"
	assertEquals "revoke: $err" 0 "$rc"
	assertContains "$out" "revoked"
	wait "$c1"
	r=$?
	assertEquals "client 1's access reports revoked: $(cat "$work/c1.err")" 4 "$r"
	assertContains "$(cat "$work/c1.err")" "faulted (SIGBUS): the buffer was revoked"
	wait "$c2"
	r=$?
	assertEquals "client 2's new mmap is refused: $(cat "$work/c2.err")" 4 "$r"
	assertContains "$(cat "$work/c2.err")" "cannot map the buffer: it was revoked"
	vd access read --socket "$S" --id "$R"
	assertEquals "the broker hands out no revoked buffer" 4 "$rc"
	assertContains "$err" "buffer $R was revoked"
	vd revoke --socket "$S" --id "$R"
	assertEquals "a second revoke" 1 "$rc"
	assertContains "$err" "already revoked"
	vd -j list --socket "$S"
	assertEquals true "$(jq ".buffers[] | select(.id == $R) | .revoked" <<<"$out")"
	vd access fill --socket "$S" --id "$A" --pattern incr
	assertEquals "client-a is unaffected: $err" 0 "$rc"
	return 0
}

test_revoke_through_the_wrong_device() {
	need revoke || return 0
	ensure_ab
	vd exec --socket "$S" --id "$A" -- sh -c \
		'exec vfio-dmabuf revoke --device "$0" --fd "$VFIO_DMABUF_FD"' "$DU_EDU_BDF"
	assertEquals "wrong device: $err" 1 "$rc"
	assertContains "$err" "not exported by this device"
	return 0
}

test_a_client_killed_midway_leaves_the_broker_serving() {
	local p i
	start_broker
	export_buf 42M 1M victim
	for i in 1 2 3; do
		if [ "$have_mmap" = true ]; then
			vfio-dmabuf access fill --socket "$S" --id "$id" --pattern random:$i --repeat 0 --interval 10 \
				>/dev/null 2>&1 &
		else
			vfio-dmabuf exec --socket "$S" --id "$id" -- sleep 30 &
		fi
		p=$!
		sleep 0.5
		kill -9 "$p"
		wait "$p" 2>/dev/null
	done
	for i in $(seq 5); do
		vfio-dmabuf list --socket "$S" >/dev/null 2>&1 &
		kill -9 $! 2>/dev/null
	done
	wait 2>/dev/null
	vd list --socket "$S"
	assertEquals "the broker still serves" 0 "$rc"
	assertTrue "broker alive" "kill -0 $bpid"
	export_buf 44M 1M after-kill
	if [ "$have_mmap" = true ]; then
		vd access fill --socket "$S" --id "$id" --pattern incr
		assertEquals "buffers still work: $err" 0 "$rc"
	fi
	return 0
}

# import check: map the buffer behind fd $VFIO_DMABUF_FD into an IOAS
import_cmd='printf "ioas alloc name A\nioas map --ioas A --dmabuf-fd %s\n" "$VFIO_DMABUF_FD" | iommufd-ctl -b -'

test_the_broker_exiting_leaves_no_buffer_usable() {
	local c1 c2 c3 r
	stop_broker
	start_broker
	export_buf 36M 2M exit-buf
	local have_import=no
	if [ "$have_iommufd_ctl" = yes ]; then
		vd exec --socket "$S" --id "$id" -- sh -c "$import_cmd"
		if [ "$rc" = 0 ]; then
			have_import=yes
			tap_diag "the buffer imports into an IOAS while the broker lives; a client will try again after it stops"
		else
			tap_diag "importing into an IOAS without a device failed ($rc): import not used as evidence"
		fi
	fi
	# clients holding the buffer: by mapping (if mmap), by fd (map later), by fd (import later)
	if [ "$have_mmap" = true ]; then
		vfio-dmabuf access verify --socket "$S" --id "$id" --pattern zero --repeat 0 --interval 100 \
			>/dev/null 2>"$work/e1.err" &
		c1=$!
		vfio-dmabuf exec --socket "$S" --id "$id" -- sh -c \
			'sleep 4; exec vfio-dmabuf access read --fd "$VFIO_DMABUF_FD"' >/dev/null 2>"$work/e2.err" &
		c2=$!
		pids+=("$c1" "$c2")
	fi
	if [ "$have_import" = yes ]; then
		vfio-dmabuf exec --socket "$S" --id "$id" -- sh -c "sleep 4; $import_cmd" \
			>/dev/null 2>"$work/e3.err" &
		c3=$!
		pids+=("$c3")
	fi
	sleep 1.5
	vd stop --socket "$S"
	assertEquals "stop: $err" 0 "$rc"
	assertFalse "socket removed" "[ -e '$S' ]"
	assertTrue "broker gone" "wait_gone $bpid"
	bpid=''
	assertContains "$(cat "$work/broker.log")" "devices closed"
	if [ -n "${c1:-}" ]; then
		wait "$c1"; r=$?
		assertEquals "mapping client: revoked ($(cat "$work/e1.err"))" 4 "$r"
		wait "$c2"; r=$?
		assertEquals "fd client: new mmap refused ($(cat "$work/e2.err"))" 4 "$r"
	fi
	if [ -n "${c3:-}" ]; then
		wait "$c3"; r=$?
		assertEquals "fd client: import refused ($(cat "$work/e3.err"))" 4 "$r"
	fi
	[ -n "${c1:-}${c3:-}" ] || skip_test "neither DMA-BUF mmap nor an iommufd import to show the buffer dead"
	return 0
}

test_a_killed_broker_leaves_no_buffer_usable() {
	local c r
	need mmap || return 0
	stop_broker
	start_broker
	export_buf 38M 1M kill-buf
	vfio-dmabuf access verify --socket "$S" --id "$id" --pattern zero --repeat 0 --interval 100 \
		>/dev/null 2>"$work/k.err" &
	c=$!
	pids+=("$c")
	sleep 1.5
	kill -9 "$bpid"
	wait "$c"; r=$?
	assertEquals "SIGKILLed broker: the device closes, the client sees revoked ($(cat "$work/k.err"))" 4 "$r"
	bpid=''
	rm -f "$S"
	return 0
}

test_serve_map_bar_keeps_the_primary_s_bar_mapped() {
	local m
	stop_broker
	start_broker --map-bar "$BAR" --map-bar 0
	assertEquals "the ready line lists the mapped BARs" '[0,2]' \
		"$(jq -c '.brokers[0].devices[0].mapped_bars' <<<"$out")"
	vd -j maps --pid "$bpid"
	assertEquals "maps --pid of the broker: $err" 0 "$rc"
	m=$(jq -c '[.mappings[] | select(.kind == "bar" or .kind == "device") | {device, bar}] | sort_by(.bar)' <<<"$out")
	assertEquals "the broker's own BAR mappings, decoded" \
		"[{\"device\":\"$IV\",\"bar\":0},{\"device\":\"$IV\",\"bar\":$BAR}]" "$m"
	if [ "$have_mmap" = true ]; then
		assertEquals "DMA-BUF backed (named /dmabuf:vfioN:<device>/<bar>)" '["bar","bar"]' \
			"$(jq -c '[.mappings[] | select(.device != null) | .kind]' <<<"$out")"
		assertContains "its name" "$(jq -r '.mappings[] | select(.bar == '"$BAR"') | .name' <<<"$out")" \
			":$IV/$BAR"
		assertNotNull "cdev decoded" "$(jq -r '.mappings[] | select(.bar == '"$BAR"') | .cdev // empty' <<<"$out")"
	fi
	# the broker keeps serving with its BARs mapped
	export_buf 44M 1M mapped-bar-buf
	vd maps --pid "$bpid"
	assertContains "text: device and BAR" "$out" "$IV"
	stop_broker
	return 0
}

# A reset pauses the device's buffers and brings them back; a permanently
# revoked buffer stays revoked.  Needs ivshmem with a reset method (e2e).
test_reset_through_the_broker() {
	local c r L D
	stop_broker
	start_broker
	export_buf 44M 1M reset-live
	L=$id
	export_buf 48M 1M reset-dead
	D=$id
	if [ "$have_revoke" = true ]; then
		vd revoke --socket "$S" --id "$D"
		assertEquals "revoke before the reset: $err" 0 "$rc"
	fi
	if [ "$have_mmap" = true ]; then
		vfio-dmabuf access fill --socket "$S" --id "$L" --pattern byte:0x5e
		# one mapping, verified twice 4 s apart: the reset comes in between
		vfio-dmabuf exec --socket "$S" --id "$L" -- sh -c \
			'exec vfio-dmabuf access verify --fd "$VFIO_DMABUF_FD" --pattern byte:0x5e --repeat 2 --interval 4000' \
			>/dev/null 2>"$work/reset-client.err" &
		c=$!
		pids+=("$c")
		wait_mapped "$c"
	fi
	vd -j reset --socket "$S" --device "$IV"
	if [ "$rc" -ne 0 ]; then
		# ivshmem on the root bus (profile p2p): no reset method
		assertEquals "reset fails as a failure: $err" 1 "$rc"
		assertContains "errno in words" "$err" "reset of $IV failed: EINVAL: the device has no reset method"
		assertContains "the broker's message is whole" "$err" "secondary bus reset)"
		assertEquals "one line" 1 "$(grep -c . "$work/err")"
		assertContains "the broker logs the refusal" "$(cat "$work/broker.log")" "refused: reset of $IV failed: EINVAL"
		[ -n "${c:-}" ] && { wait "$c"; r=$?; assertEquals "the client is unaffected" 0 "$r"; }
		vd list --socket "$S"
		assertEquals "the broker still serves" 0 "$rc"
		return 0
	fi
	assertEquals "the device reset" "$IV" "$(jq -r '.resets[0].device' <<<"$out")"
	if [ "$have_revoke" = true ]; then
		assertEquals "paused: the live buffer" 1 "$(jq '.resets[0].buffers' <<<"$out")"
		assertEquals "revoked for good: one" 1 "$(jq '.resets[0].revoked' <<<"$out")"
	fi
	assertTrue "a duration" "[ $(jq '.resets[0].duration_ns' <<<"$out") -gt 0 ]"
	assertContains "the broker logs it" "$(cat "$work/broker.log")" "reset $IV"
	vd reset --socket "$S" --device "$IV"
	assertContains "text output" "$out" "reset $IV"
	if [ "$have_mmap" = true ]; then
		wait "$c"
		r=$?
		assertEquals "the client's mapping works after the reset: $(cat "$work/reset-client.err")" 0 "$r"
		vd access verify --socket "$S" --id "$L" --pattern byte:0x5e
		assertEquals "a new mapping works after the reset: $err" 0 "$rc"
		if [ "$have_revoke" = true ]; then
			vd access read --socket "$S" --id "$D"
			assertEquals "the revoked buffer stays revoked" 4 "$rc"
		fi
	fi
	return 0
}

test_reset_a_device_at_hand() {
	stop_broker
	vd -j reset --device "$IV"
	if [ "$rc" -ne 0 ]; then
		assertEquals "no reset method: $err" 1 "$rc"
		assertContains "$err" "EINVAL: the device has no reset method"
	else
		assertEquals "$IV" "$(jq -r '.resets[0].device' <<<"$out")"
		assertEquals "no broker, no buffers to count" null "$(jq '.resets[0].buffers' <<<"$out")"
	fi
	start_broker
	vd reset --device "$IV"
	assertEquals "the broker's device cannot be opened here" 1 "$rc"
	assertContains "$err" "cannot open VFIO device $IV"
	vd reset --socket "$S" --device "$DU_EDU_BDF"
	assertEquals "a device the broker does not serve" 2 "$rc"
	assertContains "$err" "device $DU_EDU_BDF is not served by this broker (serving: $IV)"
	return 0
}

vm_require_devices ivshmem edu
vm_require_progs vfio-dmabuf jq
tap_run_shunit2
