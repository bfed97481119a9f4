#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The whole story in one run: a primary vends two named buffers of the
# ivshmem BAR to two clients, they map and write them, one buffer goes WC,
# edu DMAs into the other through an IOAS, the primary revokes it, a device
# reset revokes the other for a moment, and the primary's exit kills
# everything it vended.  Driven only by vfio-dmabuf, iommufd-ctl, p2p-probe
# (and the edu DMA helper that iommufd-ctl exec runs) and shell tools.
#
#   tests/vm/run-vm.sh --profile e2e --suite e2e
#
# Every step narrates itself as TAP diagnostics ("# ..."), which run-vm.sh
# passes through and scripts/demo.sh shows as the demo.  The JSON (-j)
# output of every tool call is kept in the share: OUT/share/e2e/NN-*.json.
# A step that the running kernel (or the tools) cannot do says SKIP and why.

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/vm/lib/vm-suite.sh"

# ivshmem BAR2 (64 MiB) layout:
#   [0, 16M)    p2p-probe --verify (step 0)
#   16M  A      buffer "e2e-client-a" (2 MiB): client A; edu DMA at +1M
#   18M         guard (marker bytes nobody may touch)
#   20M  B      buffer "e2e-client-b" (2 MiB): client B; WC writes at +1M
#   22M         guard
#   32M         examples/vend-and-revoke.sh
BAR=2
A_OFF=$((16 << 20))
B_OFF=$((20 << 20))
BUF_LEN=$((2 << 20))
GUARD=0x5a
LOOP_LEN=$((256 << 10))		# what the clients keep verifying
A_NAME=e2e-client-a
B_NAME=e2e-client-b
A_TEXT='client-A:'
B_TEXT='client-B:'
IOVA=0x1000000			# buffer A in edu's IOAS (edu: 28-bit DMA)
DMA1=$((1 << 20))		# buffer offset edu writes to before the revoke
DMA2=$(((1 << 20) + 4096))	# ... and tries after it
EXAMPLE_OFF=$((32 << 20))

oneTimeSetUp() {
	work=$(mktemp -d "$PWD/e2e.XXXXXX")
	chmod 0755 "$work"
	jdir=${DU_SHARE:-$work}/e2e
	mkdir -p "$jdir"
	njson=0
	sock=$work/primary.sock
	steps_done=' '
	dmesg_start=$(dmesg | wc -l)
	nobody=()
	if command -v setpriv >/dev/null; then
		nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
	fi
}

oneTimeTearDown() {
	local p
	for p in "${agent_pid:-}" "${wc_pid:-}" "${a_exec:-}" "${b_exec:-}" "${holder:-}" "${bpid:-}"; do
		[ -n "$p" ] && kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$work"
}

# ---- narration and bookkeeping ---------------------------------------------

say() { tap_diag "$*"; }

# step N TITLE WHAT: announce a step of the scenario.
step() {
	cur_step=$1
	say ""
	say "Step $1: $2"
	say "  what: $3"
}

passing() { [ "${__shunit_testSuccess}" = "${SHUNIT_TRUE}" ]; }

# result TEXT: the outcome, after the step's assertions.
result() {
	if passing; then
		say "  result: $*"
	else
		say "  result: FAILED (the failed checks follow)"
	fi
}

# done_step N: record that step N passed (later steps may depend on it).
done_step() {
	if passing; then steps_done+="$1 "; fi
	return 0
}

# skip_step N REASON: skip step N's test; later steps needing it say why.
declare -A skip_why=()
skip_step() {
	skip_why[$1]=$2
	say "  skipped: $2"
	skip_test "$2"
}

# need_step N...: skip this test unless steps N... passed.
need_step() {
	local n
	for n; do
		[[ $steps_done != *" $n "* ]] || continue
		if [ -n "${skip_why[$n]:-}" ]; then
			skip_why[$cur_step]="needs step $n, skipped: ${skip_why[$n]}"
		else
			skip_why[$cur_step]="needs step $n, which failed"
		fi
		say "  skipped: ${skip_why[$cur_step]}"
		skip_test "${skip_why[$cur_step]}"
		return 1
	done
}

# jrun NAME CMD...: run CMD (with its -j), keep stdout as the JSON record
# OUT/share/e2e/NN-NAME.json; $rc, $out (stdout), $err (stderr).
jrun() {
	local name=$1
	shift
	njson=$((njson + 1))
	local f
	f=$jdir/$(printf '%02d' "$njson")-$name.json
	"$@" >"$f" 2>"$work/err"
	rc=$?
	out=$(cat "$f")
	err=$(cat "$work/err")
	{ echo "\$ $* -> exit $rc"; cat "$f" "$work/err"; } >&2
}

# run CMD...: run CMD; $rc, $out, $err.
run() {
	"$@" >"$work/out" 2>"$work/err"
	rc=$?
	out=$(cat "$work/out")
	err=$(cat "$work/err")
	{ echo "\$ $* -> exit $rc"; cat "$work/out" "$work/err"; } >&2
}

# wait_gone PID SECONDS: wait for a child to exit; $wrc its status, 124 on
# timeout (the process is then killed).
wait_gone() {
	local end=$((SECONDS + $2))
	while [ "$SECONDS" -lt "$end" ]; do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1" 2>/dev/null
			wrc=$?
			return 0
		fi
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	wrc=124
	return 1
}

# wait_pid_gone PID SECONDS: wait for a process that is not our child.
wait_pid_gone() {
	local end=$((SECONDS + $2))
	while [ "$SECONDS" -lt "$end" ]; do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# wait_for SECONDS CMD...: poll until CMD succeeds.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	while [ "$SECONDS" -lt "$end" ]; do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# pattern TEXT LEN FILE: the bytes vfio-dmabuf's text:TEXT pattern writes.
pattern() {
	yes "$1" | tr -d '\n' | head -c "$2" >"$3"
}

# slice FILE OFF LEN OUT
slice() {
	dd if="$1" of="$4" bs=4096 skip="$(($2))" count="$(($3))" \
		iflag=skip_bytes,count_bytes status=none
}

# file_has OFF FILE: the ivshmem backing file holds FILE at OFF (guest view
# through the 9p share; the host re-checks with vm_host_expect).
file_has() {
	cmp -n "$(stat -c %s "$2")" -i "0:$(($1))" "$2" "$DU_IVSHMEM_FILE" >&2
}

hex() { printf '0x%x' "$(($1))"; }

dmabuf_names() { # PID: names of the DMA-BUF mappings in /proc/PID/maps
	grep -o '/dmabuf:[^ ]*' "/proc/$1/maps" 2>/dev/null | sort -u | tr '\n' ' '
}

# ---- clients ---------------------------------------------------------------

# The client program: map the buffer it was given, write its pattern over
# all of it, then keep verifying the start of it on the same mapping until
# that mapping stops working (exit 4: revoked).
# shellcheck disable=SC2016
CLIENT='set -u
vfio-dmabuf access fill --fd "$BUF_FD" --pattern "text:$E2E_TEXT" || exit
exec vfio-dmabuf access verify --fd "$BUF_FD" --length "$E2E_LOOP" \
	--pattern "text:$E2E_TEXT" --repeat 0 --interval 200'

# start_client X ID TEXT: client X (a or b) gets buffer ID from the primary
# and runs CLIENT as user nobody (it cannot ask the primary for anything);
# sets x_exec (vfio-dmabuf exec) and x_pid (the client itself).
start_client() {
	local x=$1 id=$2 text=$3 e p
	E2E_TEXT=$text E2E_LOOP=$LOOP_LEN \
		vfio-dmabuf exec --socket "$sock" --id "$id" --env-prefix BUF -- \
		"${nobody[@]}" bash -c "$CLIENT" >"$work/client-$x.out" 2>"$work/client-$x.err" &
	# With a broker's buffer, exec execs the command: same pid throughout.
	e=$!
	printf -v "${x}_exec" %s "$e"
	printf -v "${x}_pid" %s "$e"
}

# has_mapping PID: PID maps at least one VFIO DMA-BUF (vfio-dmabuf maps).
has_mapping() {
	local n
	n=$(vfio-dmabuf -j maps --pid "$1" 2>/dev/null | jq '.mappings | length' 2>/dev/null)
	[ "${n:-0}" -ge 1 ]
}

client_alive() { # X: the client's verify loop still runs
	local p=${1}_pid
	kill -0 "${!p}" 2>/dev/null
}

# ---- the DMA agent: edu in an IOAS, fed line by line -------------------------

# agent_start ID: an `iommufd-ctl -b -` batch holding buffer ID, reading its
# lines from a FIFO so that its IOAS lives across the steps.
agent_start() {
	mkfifo "$work/agent.in"
	exec {agent_fd}<>"$work/agent.in"
	vfio-dmabuf exec --socket "$sock" --id "$1" -- \
		iommufd-ctl -f -b - <"$work/agent.in" >"$work/agent.out" 2>"$work/agent.err" \
		{agent_fd}>&- &
	agent_pid=$!
	agent_line=0
}

# agent LINE...: send batch lines and wait until they ran; $agent_errors
# holds the error messages of these lines ("-:N: ..."), $agent_out the
# new output.
agent() {
	local l first=$((agent_line + 1)) before
	before=$(wc -l <"$work/agent.out")
	for l; do
		printf '%s\n' "$l" >&"$agent_fd"
		agent_line=$((agent_line + 1))
		echo "agent> $l" >&2
	done
	agent_line=$((agent_line + 1))
	printf 'exec -- touch %s/ack.%d\n' "$work" "$agent_line" >&"$agent_fd"
	if ! wait_for 120 test -e "$work/ack.$agent_line"; then
		agent_errors="the batch did not answer within 120 s"
		return 1
	fi
	agent_out=$(tail -n +"$((before + 1))" "$work/agent.out")
	agent_errors=$(awk -F: -v a="$first" -v b="$agent_line" \
		'$1 == "-" && $2 >= a && $2 <= b' "$work/agent.err")
	printf '%s\n' "$agent_out" "$agent_errors" >&2
}

agent_stop() {
	[ -n "${agent_pid:-}" ] || return 0
	exec {agent_fd}>&-
	wait_gone "$agent_pid" 30
	agent_pid=
}

# ---- step 0: what p2p-probe predicts ------------------------------------------

test_s0_p2p_probe_predicts_and_verifies_the_pair() {
	step 0 "predict the edu -> ivshmem path, then try it" \
		"p2p-probe reads the topology and ACS and says whether P2P DMA from edu into ivshmem's BAR can work; --verify tries it for real (before the primary takes the device)"
	jrun probe-features vfio-dmabuf -j probe --device "$DU_IVSHMEM_BDF"
	assertEquals "vfio-dmabuf probe: $err" 0 "$rc"
	bar_start=$(jq -r ".devices[0].bars[] | select(.index == $BAR) | .start" <<<"$out")
	for f in dma_buf dma_buf_mmap dma_buf_revoke dma_buf_memattr; do
		printf -v "have_$f" %s "$(jq -r ".devices[0].features.$f // false" <<<"$out")"
	done
	say "  kernel: dma_buf $have_dma_buf, mmap $have_dma_buf_mmap, revoke $have_dma_buf_revoke, memattr $have_dma_buf_memattr"
	# shellcheck disable=SC2154
	if [ "$have_dma_buf" != true ]; then
		skip_step "$cur_step" "the kernel lacks VFIO DMA-BUF export"
		return 0
	fi

	jrun p2p-probe p2p-probe -j "$DU_IVSHMEM_BDF" "$DU_EDU_BDF"
	assertEquals "p2p-probe: $err" 0 "$rc"
	predicted=$(jq -r '.pairs[0].iommufd.maps' <<<"$out")
	local dma_api topo
	dma_api=$(jq -r '.pairs[0].dma_api.map_type' <<<"$out")
	topo=$(jq -r '.pairs[0].topology' <<<"$out")
	assertEquals "iommufd prediction for the pair" true "$predicted"
	pat_diag "before anything maps it"
	say "  predicted: topology $topo; DMA API importers: $dma_api; iommufd importers map it: $predicted"

	jrun p2p-verify p2p-probe -j --verify --bar "$BAR" "$DU_IVSHMEM_BDF" "$DU_EDU_BDF"
	assertEquals "p2p-probe --verify: $err" 0 "$rc"
	assertEquals "export ok" null "$(jq -c '.pairs[0].verify.export.errno // null' <<<"$out")"
	assertEquals "map ok" null "$(jq -c '.pairs[0].verify.map.errno // null' <<<"$out")"
	assertEquals "edu wrote into the BAR" true "$(jq -r '.pairs[0].verify.dma.write_ok' <<<"$out")"
	assertEquals "the prediction is confirmed" true "$(jq -r '.pairs[0].verify.prediction_confirmed' <<<"$out")"
	result "--verify: export ok, mapped, edu's DMA wrote $(jq -r '.pairs[0].verify.dma.write_ok' <<<"$out") / read $(jq -r '.pairs[0].verify.dma.read_ok' <<<"$out"); prediction confirmed: $(jq -r '.pairs[0].verify.prediction_confirmed' <<<"$out")"
	done_step 0
}

# ---- step 1: the primary ----------------------------------------------------------

test_s1_primary_exports_two_named_buffers() {
	step 1 "the primary owns ivshmem and exports two named buffers" \
		"vfio-dmabuf serve opens ivshmem ($DU_IVSHMEM_BDF) and holds it; it exports BAR$BAR $(hex $A_OFF)+2M as '$A_NAME' and $(hex $B_OFF)+2M as '$B_NAME'"
	need_step 0 || return 0
	vm_fill "$DU_IVSHMEM_FILE" "$A_OFF" $((8 << 20)) "$GUARD"
	# A primary that maps its own BAR (for its registers) shows it in step 2e.
	local own=()
	if vfio-dmabuf serve --help 2>&1 | grep -q -- '--map-bar'; then
		own=(--map-bar "$BAR")
	fi
	jrun serve vfio-dmabuf -j serve --socket "$sock" --device "$DU_IVSHMEM_BDF" \
		"${own[@]}" --background --log "$work/primary.log"
	assertEquals "serve --background: $err" 0 "$rc"
	bpid=$(jq -r '.brokers[0].pid' <<<"$out")
	assertTrue "the primary runs (pid '$bpid')" "kill -0 '$bpid'"
	jrun export-a vfio-dmabuf -j export --socket "$sock" --device "$DU_IVSHMEM_BDF" \
		--bar "$BAR" --range "$A_OFF:$BUF_LEN" --name "$A_NAME"
	assertEquals "export $A_NAME: $err" 0 "$rc"
	id_a=$(jq -r '.buffers[0].id' <<<"$out")
	jrun export-b vfio-dmabuf -j export --socket "$sock" --device "$DU_IVSHMEM_BDF" \
		--bar "$BAR" --range "$B_OFF:$BUF_LEN" --name "$B_NAME"
	assertEquals "export $B_NAME: $err" 0 "$rc"
	id_b=$(jq -r '.buffers[0].id' <<<"$out")

	jrun list vfio-dmabuf -j list --socket "$sock"
	assertEquals "list: $err" 0 "$rc"
	assertEquals "two buffers" 2 "$(jq '.buffers | length' <<<"$out")"
	assertEquals "buffer A's name" "$A_NAME" "$(jq -r ".buffers[] | select(.id == $id_a) | .name" <<<"$out")"
	assertEquals "buffer B's name" "$B_NAME" "$(jq -r ".buffers[] | select(.id == $id_b) | .name" <<<"$out")"
	assertEquals "buffer A's range" "[{\"offset\":$A_OFF,\"length\":$BUF_LEN}]" \
		"$(jq -c ".buffers[] | select(.id == $id_a) | .ranges" <<<"$out")"
	assertEquals "buffer B's range" "[{\"offset\":$B_OFF,\"length\":$BUF_LEN}]" \
		"$(jq -c ".buffers[] | select(.id == $id_b) | .ranges" <<<"$out")"
	ino_a=$(jq -r ".buffers[] | select(.id == $id_a) | .inode" <<<"$out")
	ino_b=$(jq -r ".buffers[] | select(.id == $id_b) | .inode" <<<"$out")
	# The kernel's own view: the primary holds both, named, in fdinfo.
	jrun info-primary vfio-dmabuf -j info --pid "$bpid"
	assertEquals "info --pid primary: $err" 0 "$rc"
	assertEquals "the kernel knows both names" "$A_NAME $B_NAME" \
		"$(jq -r '[.buffers[].name] | sort | join(" ")' <<<"$out")"
	pat_diag "after the exports"
	result "primary pid $bpid on $sock; buffer $id_a '$A_NAME' (inode $ino_a), buffer $id_b '$B_NAME' (inode $ino_b), 2 MiB each"
	done_step 1
}

# ---- step 2: two clients ------------------------------------------------------------

test_s2a_each_client_receives_only_its_own_buffer() {
	step 2a "two clients each receive their own buffer" \
		"vfio-dmabuf exec asks the primary for one buffer and runs the client with that fd only, as user nobody${nobody[*]:+ (setpriv)}; the client maps the buffer, writes its pattern and keeps verifying it"
	need_step 1 || return 0
	if [ "$have_dma_buf_mmap" != true ]; then
		# Without mmap the clients can only hold their fd.
		CLIENT='exec sleep 600'
	fi
	start_client a "$id_a" "$A_TEXT"
	start_client b "$id_b" "$B_TEXT"
	# shellcheck disable=SC2154
	assertTrue "client A runs" "kill -0 $a_pid"
	assertTrue "client B runs" "kill -0 $b_pid"
	local x p ino name
	for x in a b; do
		p=${x}_pid ino=ino_$x name=${x^^}_NAME
		jrun "info-client-$x" vfio-dmabuf -j info --pid "${!p}"
		assertEquals "info --pid client $x: $err" 0 "$rc"
		assertEquals "client $x holds exactly one buffer" 1 "$(jq '.buffers | length' <<<"$out")"
		assertEquals "client $x holds its own buffer" "${!ino}" "$(jq -r '.buffers[0].inode' <<<"$out")"
		assertEquals "client $x's buffer is named" "${!name}" "$(jq -r '.buffers[0].name' <<<"$out")"
	done
	if [ ${#nobody[@]} -gt 0 ]; then
		run "${nobody[@]}" vfio-dmabuf list --socket "$sock"
		assertEquals "a client (nobody) cannot ask the primary for more" 1 "$rc"
		assertContains "$err" "Permission denied"
	fi
	result "client A pid $a_pid holds only '$A_NAME', client B pid $b_pid holds only '$B_NAME'${nobody[*]:+; as nobody they cannot ask the primary for anything}"
	done_step 2a
}

test_s2b_clients_map_and_write_their_patterns() {
	step 2b "the clients' patterns reach the BAR" \
		"each client mapped its buffer (mmap of the DMA-BUF fd) and wrote its pattern over all of it; the host's ivshmem backing file must show '$A_TEXT' at $(hex $A_OFF) and '$B_TEXT' at $(hex $B_OFF)"
	need_step 2a || return 0
	if [ "$have_dma_buf_mmap" != true ]; then
		skip_step "$cur_step" "the kernel cannot mmap VFIO DMA-BUFs (vfio-dmabuf probe: dma_buf_mmap false)"
		return 0
	fi
	local x p
	for x in a b; do
		p=${x}_pid
		wait_for 30 has_mapping "${!p}"
		assertTrue "client $x mapped its buffer: $(cat "$work/client-$x.err")" "has_mapping ${!p}"
		assertTrue "client $x keeps verifying" "client_alive $x"
	done
	pattern "$A_TEXT" "$BUF_LEN" "$work/pat-a"
	pattern "$B_TEXT" "$BUF_LEN" "$work/pat-b"
	vm_fill "$work/guard" 0 $((2 << 20)) "$GUARD"
	wait_for 20 file_has "$A_OFF" "$work/pat-a"
	file_has "$A_OFF" "$work/pat-a"
	assertEquals "client A's pattern in the backing file at $(hex $A_OFF)" 0 $?
	file_has "$B_OFF" "$work/pat-b"
	assertEquals "client B's pattern in the backing file at $(hex $B_OFF)" 0 $?
	file_has $((A_OFF + BUF_LEN)) "$work/guard"
	assertEquals "the guard between A and B is untouched" 0 $?
	file_has $((B_OFF + BUF_LEN)) "$work/guard"
	assertEquals "the guard after B is untouched" 0 $?
	slice "$work/pat-a" 0 $DMA1 "$work/pat-a-head"
	vm_host_expect "client A's pattern at BAR2+$(hex $A_OFF)" "$DU_IVSHMEM_FILE" "$A_OFF" "$work/pat-a-head"
	slice "$work/pat-b" 0 $((1 << 20)) "$work/pat-b-head"
	vm_host_expect "client B's pattern at BAR2+$(hex $B_OFF)" "$DU_IVSHMEM_FILE" "$B_OFF" "$work/pat-b-head"
	vm_host_expect "guard between the buffers intact" "$DU_IVSHMEM_FILE" $((A_OFF + BUF_LEN)) "$work/guard"
	pat_diag "with both clients mapped"
	result "both patterns in the backing file at the right offsets; the guards around them are intact"
	done_step 2b
}

test_s2c_neither_client_reaches_the_other_range() {
	step 2c "neither client can reach the other's range" \
		"a client's mapping is exactly its buffer: an access past its end is refused, and writing all of it left the neighbour's bytes as they were"
	need_step 2b || return 0
	local x p other end
	for x in a b; do
		p=${x}_pid
		end=$(vfio-dmabuf -j maps --pid "${!p}" | jq '[.mappings[] | .offset + .size] | max')
		assertTrue "client $x's mapping ends inside its buffer (at $end)" \
			"[ '${end:-x}' -le $BUF_LEN ] 2>/dev/null"
	done
	# The same fd the client holds: one byte past its end.
	run vfio-dmabuf exec --socket "$sock" --id "$id_a" -- \
		sh -c 'exec vfio-dmabuf access read --fd "$VFIO_DMABUF_FD" --offset '"$BUF_LEN"
	assertEquals "reading past buffer A's end is refused (exit 2)" 2 "$rc"
	say "  past the end of A: $(head -n 1 <<<"$err")"
	file_has "$B_OFF" "$work/pat-b"
	assertEquals "B's bytes are B's, after A wrote all of A" 0 $?
	other=$(vfio-dmabuf -j maps --pid "$a_pid" | jq -r '.mappings[].name')
	assertEquals "client A maps nothing of B" "$A_NAME" "$other"
	result "each client's mapping lies inside its own 2 MiB; past the end is refused; the neighbour's bytes are intact"
	done_step 2c
}

test_s2d_maps_names_the_clients_buffers() {
	step 2d "/proc/<pid>/maps names each client's buffer; vfio-dmabuf maps lists them" \
		"the kernel prints a DMA-BUF mapping as /dmabuf:<name>; vfio-dmabuf maps reads /proc/*/maps and decodes it"
	need_step 2b || return 0
	assertContains "client A's maps line" "$(dmabuf_names "$a_pid")" "/dmabuf:$A_NAME"
	assertContains "client B's maps line" "$(dmabuf_names "$b_pid")" "/dmabuf:$B_NAME"
	say "  /proc/$a_pid/maps: $(grep -m1 "/dmabuf:$A_NAME" "/proc/$a_pid/maps")"
	say "  /proc/$b_pid/maps: $(grep -m1 "/dmabuf:$B_NAME" "/proc/$b_pid/maps")"
	jrun maps-all vfio-dmabuf -j maps
	assertEquals "maps: $err" 0 "$rc"
	assertEquals "client A listed with its buffer" "$A_NAME" \
		"$(jq -r ".mappings[] | select(.pid == $a_pid) | .name" <<<"$out")"
	assertEquals "client B listed with its buffer" "$B_NAME" \
		"$(jq -r ".mappings[] | select(.pid == $b_pid) | .name" <<<"$out")"
	assertEquals "as exported buffers" "buffer buffer" \
		"$(jq -r "[.mappings[] | select(.pid == $a_pid or .pid == $b_pid) | .kind] | join(\" \")" <<<"$out")"
	vfio-dmabuf maps >"$work/maps.txt" 2>&1
	while IFS= read -r l; do say "  | $l"; done <"$work/maps.txt"
	result "both clients' mappings carry their buffer's name"
	done_step 2d
}

test_s2e_maps_decodes_the_primary_bar_mappings() {
	step 2e "vfio-dmabuf maps decodes the primary's own BAR mappings" \
		"a BAR mapped through the device fd is named /dmabuf:vfioN:<device>/<bar>; maps decodes device and BAR"
	need_step 2b || return 0
	local n
	n=$(vfio-dmabuf -j maps --pid "$bpid" | jq '[.mappings[] | select(.kind == "bar")] | length')
	if [ "${n:-0}" -eq 0 ]; then
		skip_step "$cur_step" "the primary (vfio-dmabuf serve) maps none of its BARs (it has no option such as --map-bar N), so there is none to list"
		return 0
	fi
	jrun maps-primary vfio-dmabuf -j maps --pid "$bpid"
	assertEquals "device decoded" "$DU_IVSHMEM_BDF" "$(jq -r '[.mappings[] | select(.kind == "bar")][0].device' <<<"$out")"
	assertEquals "cdev decoded" "${DU_IVSHMEM_VFIO##*/}" "$(jq -r '[.mappings[] | select(.kind == "bar")][0].cdev' <<<"$out")"
	assertNotNull "BAR decoded" "$(jq -r '[.mappings[] | select(.kind == "bar")][0].bar // empty' <<<"$out")"
	result "the primary's BAR mappings: $(jq -r '[.mappings[] | select(.kind == "bar") | "\(.device) BAR\(.bar)"] | join(", ")' <<<"$out")"
	done_step 2e
}

# ---- step 3: write-combining ------------------------------------------------------

# pat_lines START END: x86 PAT memtype entries overlapping [START, END).
pat_lines() {
	local f=/sys/kernel/debug/x86/pat_memtype_list l
	[ -r "$f" ] || return 0
	while IFS= read -r l; do
		[[ $l =~ (0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+) ]] || continue
		if (( BASH_REMATCH[1] < $2 && BASH_REMATCH[2] > $1 )); then
			echo "$l"
		fi
	done <"$f"
}

# wc_why_not: why WC cannot be had here, for the skip message
wc_why_not() {
	if [ ! -r /sys/kernel/debug/x86/pat_memtype_list ]; then
		echo "no x86 PAT memtype list: PAT disabled (nopat) or not x86"
	else
		echo "BAR$BAR is not a prefetchable memory BAR"
	fi
}

# pat_diag WHEN: show the PAT memtypes over the BAR (for whoever debugs
# a missing write-combining entry in step 3).
pat_diag() {
	[ -r /sys/kernel/debug/x86/pat_memtype_list ] || return 0
	local p
	p=$(pat_lines "$bar_start" $((bar_start + (64 << 20))))
	say "  x86 PAT memtypes over BAR$BAR $1: ${p:-none}"
}

test_s3_wc_buffer_new_mapping_is_write_combining() {
	step 3 "buffer B becomes write-combining for new mappings" \
		"the primary sets '$B_NAME' to WC (VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR); a new mapping of it then uses write-combining, the client's existing mapping keeps uncached, a WC mapping of pages the client maps uncached is refused (one memory type per page), and the WC entry in x86 PAT lives exactly as long as the WC mapping; then B goes back to NC"
	need_step 2b || return 0
	if [ "$have_dma_buf_memattr" != true ]; then
		skip_step "$cur_step" "the kernel lacks VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR (vfio-dmabuf probe: dma_buf_memattr false)"
		return 0
	fi
	jrun memattr-get-before vfio-dmabuf -j memattr get --socket "$sock" --id "$id_b"
	assertEquals "memattr get: $err" 0 "$rc"
	assertEquals "uncached by default" nc "$(jq -r '.. | .memattr? // empty' <<<"$out" | head -n 1)"
	jrun memattr-set vfio-dmabuf -j memattr set --socket "$sock" --id "$id_b" wc
	if [ "$rc" = 3 ] && ! vm_wc_owed "$DU_IVSHMEM_BDF" "$BAR"; then
		# The kernel refuses WC where it cannot provide it (no PAT, or
		# a BAR that is not prefetchable). Check the refusal left
		# everything as it was.
		say "  refused: $err"
		jrun memattr-get-refused vfio-dmabuf -j memattr get --socket "$sock" --id "$id_b"
		assertEquals "memattr get after the refusal: $err" 0 "$rc"
		assertEquals "still uncached after the refusal" nc \
			"$(jq -r '.. | .memattr? // empty' <<<"$out" | head -n 1)"
		assertTrue "client B's own (uncached) mapping still verifies" "client_alive b"
		passing || return 0
		skip_step 3 "the kernel cannot provide WC here (EOPNOTSUPP: $(wc_why_not))"
		return 0
	fi
	assertEquals "memattr set wc: $err" 0 "$rc"
	jrun memattr-get-after vfio-dmabuf -j memattr get --socket "$sock" --id "$id_b"
	assertEquals "now wc" wc "$(jq -r '.. | .memattr? // empty' <<<"$out" | head -n 1)"

	# A new mapping of B: write a pattern at +1M through it and keep it.
	# Patterns are keyed by the offset in the buffer: the bytes at +1M.
	pattern 'wc-B:' $(((1 << 20) + (64 << 10))) "$work/pat-wc-all"
	slice "$work/pat-wc-all" $((1 << 20)) $((64 << 10)) "$work/pat-wc"
	# shellcheck disable=SC2016
	vfio-dmabuf exec --socket "$sock" --id "$id_b" -- sh -c '
		vfio-dmabuf access fill --fd "$VFIO_DMABUF_FD" --offset 1M --length 64K --pattern text:wc-B: || exit
		exec vfio-dmabuf access verify --fd "$VFIO_DMABUF_FD" --offset 1M --length 64K \
			--pattern text:wc-B: --repeat 0 --interval 500' >"$work/wc.out" 2>"$work/wc.err" &
	wc_pid=$!
	wait_for 30 has_mapping "$wc_pid"
	local wpid=$wc_pid
	assertTrue "the WC mapping is in place: $(cat "$work/wc.err")" "has_mapping $wpid"
	wait_for 10 file_has $((B_OFF + (1 << 20))) "$work/pat-wc"
	file_has $((B_OFF + (1 << 20))) "$work/pat-wc"
	assertEquals "bytes written through the WC mapping reach the BAR" 0 $?
	vm_host_expect "written through the WC mapping at BAR2+$(hex $((B_OFF + (1 << 20))))" \
		"$DU_IVSHMEM_FILE" $((B_OFF + (1 << 20))) "$work/pat-wc"

	# Where the kernel shows it: x86 PAT's memtype list (debugfs).
	local phys=$((bar_start + B_OFF)) pat
	if [ ! -r /sys/kernel/debug/x86/pat_memtype_list ]; then
		say "  PAT memtype list: not available (no debugfs or PAT disabled)"
	else
		pat=$(pat_lines "$phys" $((phys + BUF_LEN)))
		say "  PAT memtype entries for B's physical range $(hex $phys)-$(hex $((phys + BUF_LEN))):"
		while IFS= read -r l; do say "  | ${l:-(none)}"; done <<<"$pat"
		# On x86 a PFN inserted at fault time gets the cache mode of the
		# memtype reserved for its range, UC- when there is none: the WC
		# mapping reserves write-combining for exactly its own pages.
		local wc_phys=$((phys + (1 << 20)))
		assertEquals "PAT: one write-combining entry, exactly B's mapped [+1M, +1M+64K)" \
			"1 $(hex $wc_phys)-$(hex $((wc_phys + (64 << 10))))" \
			"$(grep -c write-combining <<<"$pat") $(grep write-combining <<<"$pat" | grep -o '0x[0-9a-f]*-0x[0-9a-f]*' | sed 's/0x0*/0x/g')"
		local a_phys=$((bar_start + A_OFF))
		assertNotContains "PAT: no write-combining over client A's buffer" \
			"$(pat_lines "$a_phys" $((a_phys + BUF_LEN)))" "write-combining"
	fi
	assertTrue "client B's own (uncached) mapping still verifies" "client_alive b"

	# A page has one memory type at a time: a new (now WC) mapping of
	# pages that client B still maps uncached is refused with EBUSY.
	run vfio-dmabuf access read --socket "$sock" --id "$id_b" --offset 0
	assertNotEquals "a WC mapping over client B's uncached pages is refused" 0 "$rc"
	assertTrue "... with EBUSY, said as such: $err" \
		"grep -qi 'busy\|another memory type' <<<\"\$err\""
	say "  WC mapping over client B's uncached pages: ${err:-succeeded}"
	kill -TERM "$wpid" 2>/dev/null
	wait_gone "$wc_pid" 30
	wc_pid=
	if [ -r /sys/kernel/debug/x86/pat_memtype_list ]; then
		assertNotContains "PAT: B's write-combining entry went with its last mapping" \
			"$(pat_lines "$phys" $((phys + BUF_LEN)))" "write-combining"
	fi
	# Back to uncached, so that the rest of the story maps B beside
	# client B's uncached mapping.
	jrun memattr-set-nc vfio-dmabuf -j memattr set --socket "$sock" --id "$id_b" nc
	assertEquals "memattr set nc: $err" 0 "$rc"
	result "memattr nc -> wc; a new mapping wrote through WC and the bytes reached the BAR${pat:+; PAT: $(grep -o 'write-combining\|uncached-minus\|uncached' <<<"$pat" | sort -u | tr '\n' ' ')}; an overlapping WC mapping was refused; the PAT entry went with the mapping; back to nc"
	done_step 3
}

# ---- step 4: edu DMA into client A's buffer through an IOAS ------------------------

test_s4_edu_dma_through_ioas_into_client_buffer() {
	step 4 "edu DMAs into client A's buffer through the IOMMU" \
		"iommufd-ctl binds edu, attaches it to an IOAS and maps '$A_NAME' at IOVA $IOVA (IOMMU_IOAS_MAP_FILE); edu's DMA engine writes 4 KiB at IOVA+1M, i.e. into the ivshmem BAR"
	need_step 1 || return 0
	agent_start "$id_a"
	vm_fill "$work/dma1" 0 4096 0xd1
	agent "device bind --device $DU_EDU_BDF name edu" \
		"ioas alloc name A" \
		"device attach --device edu --ioas A" \
		"ioas map --ioas A --dmabuf-fd \$VFIO_DMABUF_FD --iova $IOVA" \
		"show"
	assertEquals "edu attached and buffer A mapped" "" "$agent_errors"
	assertContains "mapped as a DMA-BUF at $IOVA" "$agent_out" "$IOVA"
	say "  iommufd-ctl: $(grep -m1 -i 'dmabuf\|dma-buf' <<<"$agent_out")"
	agent "exec -- iommufd-edu-dma write $(hex $((IOVA + DMA1))) 4K 0xd1"
	assertEquals "edu's DMA ran" "" "$agent_errors"
	wait_for 10 file_has $((A_OFF + DMA1)) "$work/dma1"
	file_has $((A_OFF + DMA1)) "$work/dma1"
	local landed=$?
	assertEquals "edu's bytes are in the backing file at $(hex $((A_OFF + DMA1)))" 0 "$landed"
	vm_host_expect "edu DMA through the IOAS at BAR2+$(hex $((A_OFF + DMA1)))" \
		"$DU_IVSHMEM_FILE" $((A_OFF + DMA1)) "$work/dma1"
	assertEquals "p2p-probe's iommufd prediction agrees" "$predicted" \
		"$([ "$landed" = 0 ] && echo true || echo false)"
	if [ "$have_dma_buf_mmap" = true ] && [[ $steps_done == *" 2b "* ]]; then
		assertTrue "client A still verifies its part" "client_alive a"
	fi
	result "edu wrote 0xd1 x 4096 at IOVA $(hex $((IOVA + DMA1))) and it landed at BAR2+$(hex $((A_OFF + DMA1))); predicted maps=$predicted: agrees"
	done_step 4
}

# ---- step 5: revoke -------------------------------------------------------------------

test_s5_primary_revokes_buffer_a() {
	step 5 "the primary revokes '$A_NAME'" \
		"vfio-dmabuf revoke (VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE): client A's next access must report revoked (exit 4), the IOAS mapping must be gone (edu's next DMA does not reach the BAR), client B must be unaffected"
	need_step 4 || return 0
	if [ "$have_dma_buf_revoke" != true ]; then
		skip_step "$cur_step" "the kernel lacks VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE (vfio-dmabuf probe: dma_buf_revoke false)"
		agent_stop
		return 0
	fi
	local faults0 faults1
	# What edu's next DMA must not change:
	slice "$DU_IVSHMEM_FILE" $((A_OFF + DMA2)) 4096 "$work/before-dma2"
	jrun revoke vfio-dmabuf -j revoke --socket "$sock" --id "$id_a"
	assertEquals "revoke: $err" 0 "$rc"
	if [ "$have_dma_buf_mmap" = true ] && [ -n "${a_exec:-}" ]; then
		wait_gone "$a_exec" 30
		assertEquals "client A's next access reports revoked (exit 4): $(cat "$work/client-a.err")" 4 "$wrc"
		say "  client A: $(tail -n 1 "$work/client-a.err")"
		a_exec=
	fi
	run vfio-dmabuf access read --socket "$sock" --id "$id_a"
	assertEquals "a new access of A reports revoked (exit 4)" 4 "$rc"
	say "  new access of A: $(head -n 1 <<<"$err")"

	faults0=$(vm_dmar_faults)
	agent "exec -- iommufd-edu-dma write $(hex $((IOVA + DMA2))) 4K 0xd2"
	faults1=$(vm_dmar_faults)
	file_has $((A_OFF + DMA2)) "$work/before-dma2"
	assertEquals "edu's DMA after the revoke did not reach the BAR" 0 $?
	assertTrue "the IOMMU blocked it (DMAR faults $faults0 -> $faults1)" "[ $faults1 -gt $faults0 ]"
	vm_host_expect "nothing written after the revoke at BAR2+$(hex $((A_OFF + DMA2)))" \
		"$DU_IVSHMEM_FILE" $((A_OFF + DMA2)) "$work/before-dma2"
	agent "ioas unmap --ioas A --all" \
		"ioas map --ioas A --dmabuf-fd \$VFIO_DMABUF_FD --iova $IOVA"
	assertContains "mapping the revoked buffer again is refused" "$agent_errors" "revoked"
	say "  map again: $(tail -n 1 <<<"$agent_errors")"
	agent_stop

	if [ "$have_dma_buf_mmap" = true ]; then
		assertTrue "client B is unaffected (still verifying)" "client_alive b"
		run vfio-dmabuf access verify --socket "$sock" --id "$id_b" --length "$LOOP_LEN" --pattern "text:$B_TEXT"
		assertEquals "a new access of B works: $err" 0 "$rc"
	fi
	jrun list-after-revoke vfio-dmabuf -j list --socket "$sock"
	assertEquals "the primary lists A as revoked" true "$(jq -r ".buffers[] | select(.id == $id_a) | .revoked" <<<"$out")"
	assertEquals "and B as live" false "$(jq -r ".buffers[] | select(.id == $id_b) | .revoked" <<<"$out")"
	result "A is dead for its client, for new users and for the IOMMU (DMAR faults $faults0 -> $faults1); B unaffected"
	done_step 5
}

# ---- step 6: device reset -----------------------------------------------------------

test_s6_reset_revokes_b_only_while_it_lasts() {
	step 6 "a device reset revokes B only while it lasts" \
		"VFIO_DEVICE_RESET (ivshmem sits alone below a root port, so a secondary bus reset is possible) revokes every buffer of the device for the duration of the reset: a touch in that window waits for the reset to end; afterwards B's existing mapping works again, A stays revoked"
	if ! vfio-dmabuf help 2>&1 | grep -q '^ *reset'; then
		skip_step "$cur_step" "vfio-dmabuf has no reset command, and only the primary may open the device (nothing else can issue VFIO_DEVICE_RESET)"
		return 0
	fi
	need_step 2b || return 0
	# A client that verifies B twice on one mapping, 6 s apart; the reset
	# happens in between, so the second pass runs on the re-validated mapping.
	vfio-dmabuf exec --socket "$sock" --id "$id_b" -- sh -c \
		'exec vfio-dmabuf access verify --fd "$VFIO_DMABUF_FD" --length '"$LOOP_LEN"' --pattern text:'"$B_TEXT"' --repeat 2 --interval 6000' \
		>"$work/reset-client.out" 2>"$work/reset-client.err" &
	local rpid=$! brc
	wait_for 30 has_mapping "$rpid"
	# Its first pass (milliseconds) is over well before the reset, which
	# falls in its 6 s pause. Client B's own loop touches its mapping every
	# 200 ms, so some touch falls inside the reset: it must wait for the
	# reset to end and go on (a reset is a revocation that the kernel
	# undoes by itself), not fault.
	sleep 2
	jrun reset vfio-dmabuf -j reset --socket "$sock" --device "$DU_IVSHMEM_BDF"
	assertEquals "reset: $err" 0 "$rc"
	wait_gone "$rpid" 60
	assertEquals "B's mapping works after the reset: $(cat "$work/reset-client.err")" 0 "$wrc"
	if client_alive b; then
		say "  client B kept touching its mapping through the reset, without a fault"
	else
		wait "$b_pid"
		brc=$?
		fail "client B's loop ended (exit $brc) across the reset: a touch during a reset must wait, not fault: $(tail -n 1 "$work/client-b.err")"
		start_client b "$id_b" "$B_TEXT"
		wait_for 30 has_mapping "$b_pid"
	fi
	run vfio-dmabuf access verify --socket "$sock" --id "$id_b" --length "$LOOP_LEN" --pattern "text:$B_TEXT"
	assertEquals "a new mapping of B works after the reset: $err" 0 "$rc"
	if [[ $steps_done == *" 5 "* ]]; then
		run vfio-dmabuf access read --socket "$sock" --id "$id_a"
		assertEquals "A stays revoked (a reset does not bring it back)" 4 "$rc"
	fi
	result "reset done; B's mapping works again; A stays revoked"
	done_step 6
}

# ---- step 7: the primary exits ----------------------------------------------------------

test_s7_primary_exit_kills_every_buffer() {
	step 7 "the primary exits (killed, no goodbye)" \
		"SIGKILL to vfio-dmabuf serve closes the device: the kernel must revoke every buffer it vended; clients report revoked, nothing hangs, dmesg stays clean"
	need_step 1 || return 0
	# A holder of buffer B that acts only after the primary is gone.
	mkfifo "$work/go"
	# shellcheck disable=SC2016
	vfio-dmabuf exec --socket "$sock" --id "$id_b" -- bash -c '
		read -r _ <"$1"
		vfio-dmabuf access read --fd "$VFIO_DMABUF_FD"; echo $? >"$2/st.access"
		iommufd-ctl ioas map --dmabuf-fd "$VFIO_DMABUF_FD"; echo $? >"$2/st.import"' \
		holder "$work/go" "$work" >"$work/holder.out" 2>"$work/holder.err" &
	holder=$!
	sleep 1
	kill -KILL "$bpid"
	wait_pid_gone "$bpid" 30
	assertFalse "the primary is gone" "kill -0 $bpid"
	bpid=
	local x e
	if [ "$have_dma_buf_mmap" = true ]; then
		for x in a b; do
			e=${x}_exec
			[ -n "${!e}" ] || continue
			wait_gone "${!e}" 30
			assertEquals "client $x reports revoked (exit 4): $(tail -n 1 "$work/client-$x.err")" 4 "$wrc"
			say "  client $x: exit $wrc: $(tail -n 1 "$work/client-$x.err")"
			printf -v "$e" %s ''
		done
	else
		for x in a b; do
			e=${x}_exec
			[ -n "${!e}" ] && kill -TERM "${!e}" 2>/dev/null
			[ -n "${!e}" ] && wait_gone "${!e}" 10
			printf -v "$e" %s ''
		done
	fi
	echo go >"$work/go"
	wait_gone "$holder" 60
	assertNotEquals "the holder did not hang" 124 "$wrc"
	holder=
	if [ "$have_dma_buf_mmap" = true ]; then
		assertEquals "a late mmap of B reports revoked: $(cat "$work/holder.err")" 4 "$(cat "$work/st.access" 2>/dev/null)"
	fi
	assertEquals "a late import of B into an IOAS is refused as revoked: $(cat "$work/holder.err")" \
		4 "$(cat "$work/st.import" 2>/dev/null)"
	say "  late users of B: $(grep -v '^$' "$work/holder.err" | tr '\n' ';')"
	run vfio-dmabuf -j maps
	assertEquals "no VFIO DMA-BUF mapping left anywhere" 0 "$(jq '.mappings | length' <<<"$out")"
	local bad
	bad=$(dmesg | tail -n +"$((dmesg_start + 1))" |
		grep -E 'WARNING:|BUG:|Oops|Call Trace|KASAN|UBSAN|circular locking|lock held|refcount_t' | head -n 5)
	assertEquals "dmesg clean during the scenario" "" "$bad"
	result "primary killed: every buffer dead (clients exit 4, late mmap and import refused), nothing hung, dmesg clean"
	done_step 7
}

# ---- the README's example -------------------------------------------------------

test_s8_example_script_runs() {
	step 8 "examples/vend-and-revoke.sh, the README's flow as a script" \
		"run the example against ivshmem (now free): it vends a buffer, a client writes through it, the primary revokes it and the client sees revoked"
	local ex=$top_srcdir/examples/vend-and-revoke.sh
	if [ ! -x "$ex" ]; then
		fail "$ex is missing or not executable"
		return 0
	fi
	run timeout -k 5 120 "$ex" --device "$DU_IVSHMEM_BDF" --bar "$BAR" --offset "$EXAMPLE_OFF" --socket "$work/example.sock"
	if [ "$rc" = 3 ]; then
		skip_step "$cur_step" "the kernel lacks a feature the example needs: $(tail -n 1 <<<"$err")"
		return 0
	fi
	assertNotEquals "the example did not hang" 124 "$rc"
	assertEquals "the example exits 0: $(tail -n 3 <<<"$err")" 0 "$rc"
	printf 'hello from the client' >"$work/hello"
	file_has "$EXAMPLE_OFF" "$work/hello"
	assertEquals "the client's greeting is in the BAR" 0 $?
	vm_host_expect "the example's greeting at BAR2+$(hex $EXAMPLE_OFF)" "$DU_IVSHMEM_FILE" "$EXAMPLE_OFF" "$work/hello"
	while IFS= read -r l; do say "  | $l"; done <<<"$out"
	result "the example ran end to end"
}

vm_require_devices edu ivshmem
vm_require_progs vfio-dmabuf iommufd-ctl p2p-probe iommufd-edu-dma jq
tap_run_shunit2
