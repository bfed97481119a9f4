#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The vfio-dmabuf broker under load and against unfriendly peers, without
# devices: clients give up on a broker that does not answer (--timeout,
# exit status 5), the broker drops idle connections (--client-timeout),
# limits connections per user (SO_PEERCRED), always serves its own user,
# and tells a refused client why.  Every command that could hang runs
# under timeout(1), so a regression fails instead of hanging the suite.

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/host/vfio-dmabuf/lib.sh"

POKE=$top_builddir/tests/host/vfio-dmabuf/sockpoke

oneTimeSetUp() {
	work=$(mktemp -d)
	make_sysfs "$work/sys"
	export DU_SYSFS_ROOT=$work/sys
	unset VFIO_DMABUF_SOCKET
	holders=
}

oneTimeTearDown() {
	[ -n "${bpid:-}" ] && kill -CONT "$bpid" 2>/dev/null && kill "$bpid" 2>/dev/null
	rm -rf "$work"
}

# start_broker [ARGS...]: a broker without devices on $sock, pid in $bpid.
start_broker() {
	sock=$work/b.sock
	vd -j serve --socket "$sock" --background --log "$work/broker.log" "$@"
	assertEquals "serve --background: $err" 0 "$rc"
	bpid=$(jq -r '.brokers[0].pid' <<<"$out" 2>/dev/null)
	assertTrue "broker pid" "[ -n '$bpid' ] && kill -0 $bpid"
}

stop_broker() {
	[ -n "${bpid:-}" ] || return 0
	kill -CONT "$bpid" 2>/dev/null
	timeout 10 vfio-dmabuf stop --socket "$sock" >/dev/null 2>&1 || kill "$bpid" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$bpid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$bpid" 2>/dev/null
	bpid=
}

# hold [PRIV...] N: a background sockpoke holding N idle connections (run
# through the PRIV command, e.g. setpriv); waits until they are open.
hold() {
	local n=${*: -1} priv=("${@:1:$#-1}")
	rm -f "$work/hold.out"
	"${priv[@]}" "$POKE" "$sock" hold "$n" >"$work/hold.out" 2>&1 &
	holders="$holders $!"
	for _ in $(seq 100); do
		grep -q connected "$work/hold.out" 2>/dev/null && break
		sleep 0.1
	done
	assertContains "the holder connected" "$(cat "$work/hold.out")" "connected"
}

suite_tearDown() {
	local p
	for p in $holders; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	holders=
	stop_broker
}

# vdt ARGS...: vd under timeout(1); status 124 means it hung.
vdt() {
	vd_t0=$(date +%s%N)
	VFIO_DMABUF_WRAPPER="timeout 20 ${VFIO_DMABUF_WRAPPER:-}" vd "$@"
	vd_ms=$((($(date +%s%N) - vd_t0) / 1000000))
}

test_a_stopped_broker_times_out_every_client_command() {
	local args
	start_broker
	kill -STOP "$bpid"
	vdt list --socket "$sock"
	assertEquals "list with the default timeout: exit 5, not a hang ($err)" 5 "$rc"
	assertContains "$err" "the broker at $sock did not answer within 5 s: timed out"
	# A hang would end in timeout(1)'s status 124, not 5: no upper bound on
	# the time here (a loaded machine is slow), only that it did wait.
	assertTrue "the default is 5 s (took ${vd_ms} ms)" "[ $vd_ms -ge 4500 ]"
	while read -r args; do
		# shellcheck disable=SC2086
		vdt ${args/--socket /--timeout 0.5 --socket }
		assertEquals "$args: exit 5 ($err)" 5 "$rc"
		assertContains "$args (took ${vd_ms} ms)" "$err" "did not answer within 0.5 s: timed out"
	done <<-EOF
	list --socket $sock
	stop --socket $sock
	export --socket $sock --device 0000:00:04.0 --bar 2 --range 0:4K
	revoke --socket $sock --id 1
	memattr get --socket $sock --id 1
	memattr set wc --socket $sock --id 1
	access read --socket $sock --id 1
	info --socket $sock --id 1
	reset --socket $sock --device 0000:00:04.0
	exec --socket $sock --id 1 -- true
	EOF
	kill -CONT "$bpid"
	vdt list --socket "$sock" --timeout 2
	assertEquals "the broker answers again once continued ($err)" 0 "$rc"
}

test_timeout_zero_waits_forever() {
	start_broker
	kill -STOP "$bpid"
	timeout 3 vfio-dmabuf list --socket "$sock" --timeout 0 >/dev/null 2>"$work/err"
	assertEquals "--timeout 0: still waiting when timeout(1) ends it" 124 $?
	kill -CONT "$bpid"
}

test_a_full_backlog_times_out_the_connect() {
	start_broker
	kill -STOP "$bpid"
	# the listen backlog is 128: connections beyond it wait in connect()
	hold 200
	vdt list --socket "$sock" --timeout 1
	assertEquals "connect into a full backlog: exit 5 ($err)" 5 "$rc"
	assertContains "$err" "the broker at $sock did not accept the connection within 1 s: timed out"
	kill -CONT "$bpid"
}

test_timeout_usage_errors() {
	local bad
	for bad in x -1 1.2.3 0.0001 '' 1e3 5s 99999999999; do
		vdt list --socket "$work/none" --timeout "$bad"
		assertEquals "--timeout '$bad'" 2 "$rc"
		assertContains "--timeout '$bad'" "$err" "--timeout: '$bad' is not a number of seconds"
	done
	expect 1 "no broker at $work/none" list --socket "$work/none" --timeout 1.5
}

test_idle_connections_are_dropped_with_a_reason() {
	start_broker --client-timeout 1
	timeout 20 "$POKE" "$sock" idle 5 >"$work/out" 2>&1
	assertEquals "the broker sent something: $(cat "$work/out")" 0 $?
	assertContains "$(cat "$work/out")" "reply type=0x800f"
	assertContains "$(cat "$work/out")" "idle for 1 s: connection closed"
	assertContains "$(cat "$work/out")" "closed"
	assertContains "the broker logs it" "$(cat "$work/broker.log")" "idle for 1 s"
	vdt list --socket "$sock"
	assertEquals "and goes on serving" 0 "$rc"
}

test_client_timeout_usage_errors() {
	expect 2 "--client-timeout: 'x' is not a number of seconds" \
		serve --socket "$work/x" --client-timeout x
	expect 2 "--client-timeout: 0 would let idle clients lock others out" \
		serve --socket "$work/x" --client-timeout 0
	assertFalse "no socket left behind" "[ -e '$work/x' ]"
}

test_idle_connections_of_the_owner_do_not_lock_out_stop() {
	start_broker
	hold 300
	vdt list --socket "$sock"
	assertEquals "list with 300 idle connections open ($err)" 0 "$rc"
	vdt -j stop --socket "$sock"
	assertEquals "stop with 300 idle connections open ($err)" 0 "$rc"
	assertEquals "stop names the broker" "$bpid" "$(jq '.stopped[0].pid' <<<"$out" 2>/dev/null)"
	[ "$rc" = 0 ] && bpid=
}

test_clients_that_do_not_read_their_replies_do_not_stall_the_broker() {
	local i p flooders=
	start_broker
	for i in 1 2 3; do
		timeout 30 "$POKE" "$sock" flood 6 >"$work/flood$i" 2>&1 &
		flooders="$flooders $!"
	done
	sleep 1
	for i in 1 2 3 4; do
		vdt list --socket "$sock" --timeout 1
		assertEquals "list $i while 3 clients flood the broker ($err)" 0 "$rc"
	done
	for p in $flooders; do wait "$p"; done
	assertContains "the flooders ran: $(cat "$work/flood1")" "$(cat "$work/flood1")" "requests"
	assertContains "the broker drops them" "$(cat "$work/broker.log")" \
		"does not read its replies: connection closed"
}

test_a_broker_out_of_fds_refuses_instead_of_spinning() {
	local before after
	sock=$work/b.sock
	(ulimit -n 20 && exec vfio-dmabuf -j serve --socket "$sock" --background \
		--log "$work/broker.log") >"$work/out" 2>"$work/err"
	assertEquals "serve with 20 fds: $(cat "$work/err")" 0 $?
	bpid=$(jq -r '.brokers[0].pid' "$work/out" 2>/dev/null)
	hold 40
	vdt list --socket "$sock" --timeout 2
	assertEquals "refused, not timed out ($err)" 1 "$rc"
	assertContains "$err" "refused the connection: the broker is out of file descriptors"
	before=$(awk '{print $14 + $15}' "/proc/$bpid/stat")
	sleep 2
	after=$(awk '{print $14 + $15}' "/proc/$bpid/stat")
	# a broker spinning on the waiting connections used 26 ticks a second
	# even on a loaded machine; an idle one uses none
	assertTrue "the broker does not spin (CPU ticks $before -> $after in 2 s)" "[ $((after - before)) -lt 10 ]"
}

test_one_user_cannot_lock_out_another() {
	[ "$(id -u)" = 0 ] || { skip_test "needs root to act as other users"; return; }
	command -v setpriv >/dev/null || { skip_test "setpriv (util-linux) not installed"; return; }
	local nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	local other=(setpriv --reuid=65533 --regid=65533 --clear-groups)
	chmod 0711 "$work"
	start_broker --mode 0666
	hold "${nobody[@]}" 200
	VFIO_DMABUF_WRAPPER="timeout 20 ${other[*]}" vd list --socket "$sock"
	assertEquals "another user is served ($err)" 0 "$rc"
	VFIO_DMABUF_WRAPPER="timeout 20 ${nobody[*]}" vd list --socket "$sock"
	assertEquals "the hog's next connection is refused ($err)" 1 "$rc"
	assertContains "and told why" "$err" \
		"the broker at $sock refused the connection: too many connections from uid 65534 (at most 32 per user)"
	assertNotContains "$err" "Broken pipe"
	assertContains "the broker logs it" "$(cat "$work/broker.log")" \
		"too many connections from uid 65534"
	vdt -j stop --socket "$sock"
	assertEquals "the owner's stop is served ($err)" 0 "$rc"
	[ "$rc" = 0 ] && bpid=
	chmod 0700 "$work"
}

tap_run_shunit2
