#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The vfio-dmabuf broker on the host, without devices: its socket (created
# with the requested permissions, stale ones replaced, removed on exit), the
# protocol (garbage, truncated and malformed messages are answered with an
# error and the connection closed, and the broker goes on serving), clients
# that disappear midway, and requests it must refuse.  Exports from real
# devices are covered by the VM suite (tests/vm/suites/vfio-dmabuf.sh).

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/host/vfio-dmabuf/lib.sh"

POKE=$top_builddir/tests/host/vfio-dmabuf/sockpoke

oneTimeSetUp() {
	work=$(mktemp -d)
	make_sysfs "$work/sys"
	export DU_SYSFS_ROOT=$work/sys
	unset VFIO_DMABUF_SOCKET
}

oneTimeTearDown() {
	[ -n "${bpid:-}" ] && kill "$bpid" 2>/dev/null
	rm -rf "$work"
}

# start_broker [ARGS...]: a broker without devices on $sock, pid in $bpid.
start_broker() {
	sock=$work/b.sock
	vd -j serve --socket "$sock" --background --log "$work/broker.log" "$@"
	assertEquals "serve --background: $err" 0 "$rc"
	bpid=$(jq -r '.brokers[0].pid' <<<"$out")
	assertTrue "broker pid" "[ -n '$bpid' ] && kill -0 $bpid"
}

stop_broker() {
	[ -n "${bpid:-}" ] || return 0
	vfio-dmabuf stop --socket "$sock" >/dev/null 2>&1 || kill "$bpid" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$bpid" 2>/dev/null || break; sleep 0.1; done
	bpid=
}

suite_tearDown() {
	stop_broker
}

test_serve_creates_a_private_socket_and_answers() {
	start_broker
	assertTrue "socket exists" "[ -S '$sock' ]"
	assertEquals "mode 0600 by default" 600 "$(stat -c %a "$sock")"
	assertEquals "the ready line names the socket" "\"$sock\"" \
		"$(jq '.brokers[0].socket' <<<"$out")"
	vd -j list --socket "$sock"
	assertEquals 0 "$rc"
	assertEquals "$bpid" "$(jq '.broker.pid' <<<"$out")"
	assertEquals "protocol version 2 (1 + reset)" 2 "$(jq '.broker.protocol' <<<"$out")"
	assertEquals '[]' "$(jq -c '.buffers' <<<"$out")"
	VFIO_DMABUF_SOCKET=$sock vd list
	assertEquals "socket from the environment" 0 "$rc"
	assertContains "$out" "broker $bpid socket $sock"
}

test_socket_mode_and_group() {
	start_broker --mode 0660 --group "$(id -gn)"
	assertEquals 660 "$(stat -c %a "$sock")"
	assertEquals "$(id -gn)" "$(stat -c %G "$sock")"
}

test_socket_permissions_decide_who_may_ask() {
	[ "$(id -u)" = 0 ] || { skip_test "needs root to act as another user"; return; }
	command -v setpriv >/dev/null || { skip_test "setpriv (util-linux) not installed"; return; }
	start_broker
	chmod 0711 "$work"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$(command -v vfio-dmabuf)" list --socket "$sock" >"$work/out" 2>"$work/err"
	assertEquals "nobody may not ask" 1 $?
	assertContains "$(cat "$work/err")" "Permission denied"
	chmod 0666 "$sock"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$(command -v vfio-dmabuf)" list --socket "$sock" >"$work/out" 2>"$work/err"
	assertEquals "after chmod 0666, nobody may ask: $(cat "$work/err")" 0 $?
	chmod 0700 "$work"
}

test_garbage_and_truncated_messages_are_rejected() {
	local kind want
	start_broker
	while IFS='|' read -r kind want; do
		"$POKE" "$sock" "$kind" <"$work/sys/bus/pci/devices/0000:00:04.0/vendor" >"$work/out" 2>&1
		assertEquals "$kind: a reply came" 0 $?
		assertContains "$kind" "$(cat "$work/out")" "reply type=0x800f"
		assertContains "$kind" "$(cat "$work/out")" "$want"
		assertContains "$kind: connection closed" "$(cat "$work/out")" "closed"
		vd list --socket "$sock"
		assertEquals "$kind: the broker still serves" 0 "$rc"
	done <<-'EOF'
	garbage|bad magic 0x20544547: not a vfio-dmabuf protocol message
	short|truncated message: 3 bytes, shorter than the 16-byte header
	badmagic|bad magic 0xdeadbeef
	badversion|protocol version 99 not supported (this side speaks 1 to 2)
	longlen|truncated message: header says 64 bytes, datagram has 16
	shortlen|malformed message: header says 8 bytes, datagram has 16
	unknowntype|unknown request type 77
	truncexport|truncated export request: body has 88 bytes, expected 120
	manyranges|100000 ranges (1 to 256 allowed)
	badreserved|reserved field is not zero
	withfd|message too large or carrying file descriptors
	resetv1|request type 10 needs protocol version 2, message has version 1
	resetflags|malformed reset request: flags or reserved field not zero
	EOF
	"$POKE" "$sock" hello >"$work/out"
	assertContains "a valid hello is answered" "$(cat "$work/out")" "reply type=0x8001"
	assertContains "and the connection stays open" "$(cat "$work/out")" "open"
	"$POKE" "$sock" hellov2 >"$work/out"
	assertContains "a version-1 request in a version-2 header is answered" \
		"$(cat "$work/out")" "reply type=0x8001 seq=7 err=0"
	assertContains "the broker logs protocol errors" "$(cat "$work/broker.log")" "protocol error: bad magic"
}

test_a_client_killed_midway_leaves_the_broker_serving() {
	local i
	start_broker
	"$POKE" "$sock" close
	for i in 1 2 3 4 5; do
		# clients that connect, ask, and die before reading the answer
		( "$POKE" "$sock" hello >/dev/null 2>&1 & p=$!; kill -9 $p ) 2>/dev/null
		"$POKE" "$sock" close
	done
	for i in $(seq 10); do
		vfio-dmabuf list --socket "$sock" >/dev/null 2>&1 &
		kill -9 $! 2>/dev/null
	done
	wait
	vd list --socket "$sock"
	assertEquals "the broker still serves" 0 "$rc"
	assertTrue "and is alive" "kill -0 $bpid"
}

test_request_strings_cannot_forge_log_lines() {
	start_broker
	"$POKE" "$sock" forge >"$work/out" 2>&1
	assertContains "refused: $(cat "$work/out")" "$(cat "$work/out")" "invalid PCI address"
	assertContains "the control bytes are escaped in the log" \
		"$(cat "$work/broker.log")" "invalid PCI address '0:0\\x0aFORGED \\x1b[2J'"
	assertFalse "no forged line" "grep -q '^FORGED' '$work/broker.log'"
}

test_requests_the_broker_must_refuse() {
	start_broker
	expect 2 "device 0000:00:04.0 is not served by this broker (serving: none)" \
		export --socket "$sock" --device 0000:00:04.0 --bar 2 --range 0:4K
	expect 2 "no buffer 5 in this broker" revoke --socket "$sock" --id 5
	expect 2 "no buffer 5 in this broker" memattr get --socket "$sock" --id 5
	expect 2 "no buffer 5 in this broker" memattr set wc --socket "$sock" --id 5
	expect 2 "no buffer 5 in this broker" access read --socket "$sock" --id 5
	expect 2 "no buffer 5 in this broker" exec --socket "$sock" --id 5 -- true
	expect 2 "no buffer 5 in this broker" info --socket "$sock" --id 5
	expect 2 "range '0:0' has zero length" \
		export --socket "$sock" --device 0000:00:04.0 --bar 2 --range 0:0
	expect 2 "device 0000:00:04.0 is not served by this broker (serving: none)" \
		reset --socket "$sock" --device 0000:00:04.0
	expect 2 "device 00:04.0 is not served by this broker (serving: none)" \
		reset --socket "$sock" --device 00:04.0
	expect 2 "--device: 'nope' is not a PCI address" \
		reset --socket "$sock" --device nope
	assertContains "the broker logs the refused reset" \
		"$(cat "$work/broker.log")" "refused: device 0000:00:04.0 is not served"
}

test_one_broker_per_socket_and_stale_sockets() {
	start_broker
	expect 1 "a broker is already serving on $sock" serve --socket "$sock"
	kill -9 "$bpid"
	for _ in $(seq 50); do kill -0 "$bpid" 2>/dev/null || break; sleep 0.1; done
	bpid=
	assertTrue "a killed broker leaves its socket file" "[ -S '$sock' ]"
	expect 1 "no broker at $sock: Connection refused" list --socket "$sock"
	start_broker
	vd list --socket "$sock"
	assertEquals "a stale socket is replaced" 0 "$rc"
	expect 2 "--socket: $work/sys exists and is not a socket (a directory)" serve --socket "$work/sys"
	: >"$work/file"
	expect 2 "--socket: $work/file exists and is not a socket (a regular file)" serve --socket "$work/file"
	assertTrue "the file is left alone" "[ -f '$work/file' ]"
}

test_a_socket_path_that_is_not_a_socket() {
	: >"$work/file"
	expect 2 "--socket: $work/file is not a socket (a regular file)" list --socket "$work/file"
	assertNotContains "$err" "Connection refused"
	expect 2 "--socket: $work/sys is not a socket (a directory)" stop --socket "$work/sys"
	expect 2 "--socket: $work/file is not a socket (a regular file)" \
		export --socket "$work/file" --device 0000:00:04.0 --bar 2 --range 0:4K
	expect 2 "--socket: $work/file is not a socket (a regular file)" revoke --socket "$work/file" --id 1
	VFIO_DMABUF_SOCKET=$work/file expect 2 \
		"\$VFIO_DMABUF_SOCKET: $work/file is not a socket (a regular file)" list
	expect 1 "no broker at $work/nothing: No such file or directory" list --socket "$work/nothing"
	"$POKE" "$work/stream.sock" stream >"$work/stream.out" 2>&1 &
	local p=$!
	for _ in $(seq 50); do [ -S "$work/stream.sock" ] && break; sleep 0.1; done
	expect 2 "--socket: $work/stream.sock is not a vfio-dmabuf broker socket (a stream or datagram socket)" \
		list --socket "$work/stream.sock"
	kill "$p"; wait "$p" 2>/dev/null
	rm -f "$work/stream.sock"
}

test_stop_and_signals_remove_the_socket() {
	start_broker
	vd -j stop --socket "$sock"
	assertEquals "stop: $err" 0 "$rc"
	assertEquals "stop names the broker" "$bpid" "$(jq '.stopped[0].pid' <<<"$out")"
	assertFalse "stop: socket removed" "[ -e '$sock' ]"
	bpid=
	start_broker
	kill -TERM "$bpid"
	for _ in $(seq 50); do kill -0 "$bpid" 2>/dev/null || break; sleep 0.1; done
	assertFalse "SIGTERM: socket removed" "[ -e '$sock' ]"
	assertContains "$(cat "$work/broker.log")" "signal TERM: stopping"
	bpid=
}

test_serve_usage_errors() {
	expect 2 "missing --socket" serve
	expect 2 "--mode: '999' is not an octal file mode" serve --socket "$work/x" --mode 999
	expect 2 "invalid PCI address 'nope'" serve --socket "$work/x" --device nope
	expect 2 "no PCI device 0000:00:1f.0" serve --socket "$work/x" --device 00:1f.0
	expect 2 "--device 0000:00:04.0 given twice" serve --socket "$work/x" --device 00:04.0 --device 0000:00:04.0
	expect 1 "0000:00:05.0 is bound to e1000e, not vfio-pci" serve --socket "$work/x" --device 00:05.0
	expect 1 "cannot open VFIO device 0000:00:04.0" serve --socket "$work/x" --device 00:04.0
	assertFalse "no socket left behind" "[ -e '$work/x' ]"
	expect 2 "--vfio-mode: unknown mode 'x'" serve --socket "$work/x" --vfio-mode x
	expect 2 "--group: no such group 'nosuchgroup'" serve --socket "$work/x" --group nosuchgroup
	assertFalse "no socket left behind" "[ -e '$work/x' ]"
}

tap_run_shunit2
