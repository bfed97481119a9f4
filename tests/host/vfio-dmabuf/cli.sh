#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vfio-dmabuf on the host: help and usage, validation of devices, BARs and
# ranges against a fake sysfs tree (before any kernel call), fds that are
# not DMA-BUFs, option combinations, and that --help, the man page and the
# bash completion name the same options.

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/host/vfio-dmabuf/lib.sh"

MAN=$top_srcdir/man/vfio-dmabuf.1
COMP=$top_srcdir/completion/vfio-dmabuf
COMMANDS="export serve list exec revoke memattr access maps info probe reset stop help"
VERBS="memattr:get memattr:set access:read access:write access:fill access:dump access:verify"

oneTimeSetUp() {
	work=$(mktemp -d)
	make_sysfs "$work/sys"
	export DU_SYSFS_ROOT=$work/sys
	printf 'not a buffer\n' >"$work/file"
	unset VFIO_DMABUF_SOCKET
}

oneTimeTearDown() {
	rm -rf "$work"
}

# ---- help and usage --------------------------------------------------------

test_help_at_every_level_needs_no_device() {
	local c v
	DU_SYSFS_ROOT=/nonexistent vd --help
	assertEquals 0 "$rc"
	assertContains "$out" "Commands:"
	assertContains "$out" "Exit status:"
	vd help
	assertEquals 0 "$rc"
	assertContains "$out" "Usage: vfio-dmabuf"
	for c in $COMMANDS; do
		vd "$c" --help
		assertEquals "$c --help" 0 "$rc"
		[ "$c" = help ] && continue
		assertContains "$c --help" "$out" "Usage: vfio-dmabuf $c"
		vd help "$c"
		assertEquals "help $c" 0 "$rc"
	done
	for v in $VERBS; do
		vd "${v%%:*}" "${v#*:}" --help
		assertEquals "$v --help" 0 "$rc"
		assertContains "$out" "Usage: vfio-dmabuf ${v%%:*} ${v#*:}"
		vd help "${v%%:*}" "${v#*:}"
		assertEquals "help $v" 0 "$rc"
		vd "${v%%:*}" help "${v#*:}"
		assertEquals "$v via nested help" 0 "$rc"
	done
	vd memattr help
	assertEquals 0 "$rc"
	assertContains "$out" "get"
	vd access
	assertEquals "access without a verb" 2 "$rc"
	assertEquals "one line" "vfio-dmabuf access: missing command: one of read, write, fill, dump, verify, help (try 'vfio-dmabuf access help')" "$err"
}

test_unknown_and_prefix_commands_are_refused() {
	expect 2 "missing command"
	expect 2 "--bar: BAR index 9 out of range (0-5)" export --bar 9
	assertEquals "one line" 1 "$(grep -c . "$work/err")"
	expect 2 "unknown command 'frob'" frob
	expect 2 "unknown command 'exp'" exp
	expect 2 "unknown command 'se'" memattr se
	expect 2 "unknown command 'peek'" access peek
	expect 2 "unknown command 'frob'" help frob
	expect 2 "unrecognized option '--frob'" export --frob
	assertEquals "one line naming the error" 1 \
		"$(grep -c . "$work/err")"
	expect 2 "unexpected argument 'extra'" list extra
}

# getopt_long would take any unambiguous prefix of a long option; the
# project's rule is exact keywords, for global options and every command.
test_abbreviated_long_options_are_refused() {
	local c v o
	expect 2 "vfio-dmabuf: unrecognized option '--js'; did you mean '--json'?" --js list
	assertEquals "one line" 1 "$(grep -c . "$work/err")"
	expect 2 "unrecognized option '--sysfs'; did you mean '--sysfs-root'?" --sysfs=/sys list
	# (--device nope: a broken check must not leave a broker running)
	expect 2 "vfio-dmabuf serve: unrecognized option '--sock'; did you mean '--socket'?" \
		serve --sock "$work/s" --device nope
	assertEquals "one line" 1 "$(grep -c . "$work/err")"
	expect 2 "unrecognized option '--map'; did you mean '--map-bar'?" \
		serve --socket "$work/s" --map=2 --device nope
	expect 2 "unrecognized option '--dev'" export --dev 00:04.0 --bar 2 --range 0:4K
	expect 2 "unrecognized option '--he'; did you mean '--help'?" revoke --he
	expect 2 "vfio-dmabuf memattr set: unrecognized option '--sock'" memattr set wc --sock x --id 1
	# the value of an option is not an option; a command after -- is not ours
	expect 2 "which device?" reset --vfio-mode cdev
	expect 2 "missing --socket" serve --log --sock
	expect 1 "no broker at $work/none.sock" exec --socket "$work/none.sock" --id 1 -- true --frob
	# every command, and every verb, refuses a prefix of its own options
	for c in $COMMANDS; do
		[ "$c" = help ] && continue
		o=$(vfio-dmabuf "$c" --help | grep -o -- '--[a-z][a-z0-9-]*' | grep -v -- '--help\|--usage' | head -n 1)
		[ -n "$o" ] || continue
		expect 2 "unrecognized option '${o%?}'" "$c" "${o%?}"
		assertEquals "$c ${o%?}: one line" 1 "$(grep -c . "$work/err")"
	done
	for v in $VERBS; do
		o=$(vfio-dmabuf "${v%%:*}" "${v#*:}" --help | grep -o -- '--[a-z][a-z0-9-]*' | grep -v -- '--help\|--usage' | head -n 1)
		expect 2 "unrecognized option '${o%?}'" "${v%%:*}" "${v#*:}" "${o%?}"
	done
	# the full names still work
	vd --json --pretty help reset
	assertEquals "exact names pass: $err" 0 "$rc"
}

test_reset_arguments() {
	expect 2 "which device? give --device (with or without --socket) or --device-fd" reset
	assertEquals "one line" 1 "$(grep -c . "$work/err")"
	expect 2 "--device and --device-fd exclude each other" reset --device 00:04.0 --device-fd 5
	expect 2 "--device-fd is a device at hand: --socket does not apply" \
		reset --socket "$work/s" --device-fd 5
	expect 2 "--device-fd: 'x' is not a file descriptor number" reset --device-fd x
	expect 2 "unexpected argument 'now'" reset --device 00:04.0 now
	expect 2 "--device: 'nope' is not a PCI address" reset --socket "$work/none.sock" --device nope
	expect 1 "no broker at $work/none.sock" reset --socket "$work/none.sock" --device 00:04.0
	expect 2 "invalid PCI address 'nope'" reset --device nope
	expect 2 "no PCI device 0000:00:1f.0" reset --device 00:1f.0
	expect 1 "0000:00:05.0 is bound to e1000e, not vfio-pci" reset --device 00:05.0
	expect 1 "cannot open VFIO device 0000:00:04.0" reset --device 00:04.0
	expect 2 "--device-fd: fd 0 is not a VFIO device" reset --device-fd 0 </dev/null
	vfio-dmabuf help | grep -q '^ *reset ' || fail "help lists reset (the e2e suite looks for it)"
}

test_serve_map_bar_arguments() {
	expect 2 "--map-bar: '6' is not a BAR index" serve --socket "$work/s" --device 00:04.0 --map-bar 6
	expect 2 "--map-bar: '2,' is not a BAR index" serve --socket "$work/s" --device 00:04.0 --map-bar 2,
	expect 2 "--map-bar: '-1' is not a BAR index" serve --socket "$work/s" --device 00:04.0 --map-bar -1
	expect 2 "--map-bar: 'x' is not a BAR index" serve --socket "$work/s" --device 00:04.0 --map-bar x
	expect 2 "--map-bar needs a --device" serve --socket "$work/s" --map-bar 2
	expect 2 "BAR 1" serve --socket "$work/s" --device 00:04.0 --map-bar 0,1
	expect 1 "cannot open VFIO device 0000:00:04.0" serve --socket "$work/s" --device 00:04.0 --map-bar 0,2 --map-bar 2
	vfio-dmabuf serve --help | grep -q -- '--map-bar' || fail "serve --help lists --map-bar (the e2e suite looks for it)"
}

test_version() {
	vd --version
	assertEquals 0 "$rc"
	assertContains "$out" "vfio-dmabuf"
}

# ---- export: validation against sysfs --------------------------------------

test_malformed_and_unknown_device() {
	expect 2 "invalid PCI address '00:04' (expected DDDD:BB:DD.F or BB:DD.F)" \
		export --device 00:04 --bar 2 --range 0:2M
	expect 2 "invalid PCI address 'zz:00.0'" export --device zz:00.0 --bar 2 --range 0:2M
	expect 2 "no PCI device 0000:00:1f.0" export --device 0000:00:1f.0 --bar 2 --range 0:2M
	expect 2 "no PCI device 0000:00:04.0" --sysfs-root "$work/empty" \
		export --device 00:04.0 --bar 2 --range 0:2M
	assertEquals "nothing on stdout" "" "$out"
}

test_bar_index_out_of_range_or_not_memory() {
	expect 2 "--bar: BAR index 6 out of range (0-5)" export --device 00:04.0 --bar 6 --range 0:4K
	expect 2 "--bar: 'two' is not a BAR index" export --device 00:04.0 --bar two --range 0:4K
	expect 2 "BAR 0 of 0000:00:05.0 is an I/O port BAR" export --device 00:05.0 --bar 0 --range 0:4K
	expect 2 "BAR 1 of 0000:00:04.0 is not implemented" export --device 00:04.0 --bar 1 --range 0:4K
	expect 2 "BAR 3 of 0000:00:04.0 is the upper half of 64-bit BAR 2" \
		export --device 00:04.0 --bar 3 --range 0:4K
}

test_range_past_the_end_of_the_bar() {
	expect 2 "range 60M:8M goes past the end of BAR 2 of 0000:00:04.0 (size 64M)" \
		export --device 00:04.0 --bar 2 --range 60M:8M
	expect 2 "range 64M:4K goes past the end" export --device 00:04.0 --bar 2 --range 64M:4K
	expect 2 "range 0:8K goes past the end of BAR 0 of 0000:00:04.0 (size 4K)" \
		export --device 00:04.0 --bar 0 --range 0:8K
	vd export --dry-run --device 00:04.0 --bar 2 --range 60M:4M
	assertEquals "the last 4M fits" 0 "$rc"
}

test_zero_unaligned_overlapping_overflowing_ranges() {
	expect 2 "range '0:0' has zero length" export --device 00:04.0 --bar 2 --range 0:0
	expect 2 "offset 0x100 is not a multiple of the page size" \
		export --device 00:04.0 --bar 2 --range 0x100:4K
	expect 2 "length 0x1001 is not a multiple of the page size" \
		export --device 00:04.0 --bar 2 --range 0:0x1001
	expect 2 "ranges 1 (0:2M) and 2 (1M:2M) overlap" \
		export --device 00:04.0 --bar 2 --range 0:2M,1M:2M
	expect 2 "ranges 1 (0:4K) and 3 (0:4K) overlap" \
		export --device 00:04.0 --bar 2 --range 0:4K --range 8K:4K --range 0:4K
	expect 2 "overflows: offset + length exceeds 2^64" \
		export --device 00:04.0 --bar 2 --range 0xfffffffffffff000:0x2000
	expect 2 "offset '0x10000000000000000' overflows 64 bits" \
		export --device 00:04.0 --bar 2 --range 0x10000000000000000:4K
	expect 2 "entry 2 is empty" export --device 00:04.0 --bar 2 --range 0:4K,,8K:4K
	expect 2 "range '4K' is not OFFSET:LENGTH" export --device 00:04.0 --bar 2 --range 4K
	expect 2 "length 'lots' is not a size" export --device 00:04.0 --bar 2 --range 0:lots
	vd export --dry-run --allow-overlap --device 00:04.0 --bar 2 --range 0:2M,1M:2M
	assertEquals "--allow-overlap exports aliasing ranges" 0 "$rc"
}

test_missing_options_and_bad_values() {
	expect 2 "missing --device" export --bar 2 --range 0:4K
	expect 2 "missing --bar" export --device 00:04.0 --range 0:4K
	expect 2 "missing --range" export --device 00:04.0 --bar 2
	expect 2 "--memattr: unknown memory attribute 'uc' (expected nc|wc)" \
		export --device 00:04.0 --bar 2 --range 0:4K --memattr uc
	expect 2 "--memattr: unknown memory attribute 'WC'" \
		export --device 00:04.0 --bar 2 --range 0:4K --memattr WC
	expect 2 "--name: 'a-name-that-is-far-too-long-for-dma-buf' is too long (at most 31 bytes)" \
		export --device 00:04.0 --bar 2 --range 0:4K --name a-name-that-is-far-too-long-for-dma-buf
	expect 2 "--vfio-mode: unknown mode 'legacy' (expected auto|cdev|group)" \
		export --device 00:04.0 --bar 2 --range 0:4K --vfio-mode legacy
	expect 2 "--dry-run and --socket exclude each other" \
		export --dry-run --socket "$work/s" --device 00:04.0 --bar 2 --range 0:4K
}

test_driver_is_checked_after_input() {
	expect 1 "0000:00:05.0 is bound to e1000e, not vfio-pci" \
		export --device 00:05.0 --bar 1 --range 0:4K
	expect 1 "0000:00:06.0 is not bound to any driver" \
		export --device 00:06.0 --bar 0 --range 0:4K
	# valid input on a bound device: only opening the (absent) cdev fails
	expect 1 "cannot open VFIO device 0000:00:04.0" \
		export --device 0000:00:04.0 --bar 2 --range 0:2M
}

test_dry_run_describes_the_buffer() {
	vd -j export --dry-run --device 00:04.0 --bar 2 --range 0:2M,4M:4K --name client-a --memattr wc
	assertEquals 0 "$rc"
	assertContains "multi-range warning" "$err" "iommufd (IOMMU_IOAS_MAP_FILE) imports only single-range buffers"
	assertEquals "2101248" "$(jq '.buffers[0].size' <<<"$out")"
	assertEquals '"0000:00:04.0"' "$(jq '.buffers[0].device' <<<"$out")"
	assertEquals '"client-a"' "$(jq '.buffers[0].name' <<<"$out")"
	assertEquals '"wc"' "$(jq '.buffers[0].memattr' <<<"$out")"
	assertEquals '[[0,2097152],[4194304,4096]]' \
		"$(jq -c '[.buffers[0].ranges[] | [.offset, .length]]' <<<"$out")"
	assertEquals "null null" "$(jq -r '"\(.buffers[0].fd) \(.buffers[0].id)"' <<<"$out")"
	vd export --dry-run --device 00:04.0 --bar 2 --range 0:2M
	assertEquals 0 "$rc"
	assertEquals "single range: no warning" "" "$err"
	assertContains "$out" "device 0000:00:04.0 bar 2 size 2M"
	vd -j -p export --dry-run --device 00:04.0 --bar 2 --range 0:2M
	assertTrue "pretty JSON is JSON" "jq -e . <<<'$out' >/dev/null"
	assertTrue "pretty JSON is indented" "[ $(grep -c . <<<"$out") -gt 3 ]"
}

# ---- fds that are not DMA-BUFs ---------------------------------------------

test_regular_file_or_pipe_where_a_dmabuf_is_expected() {
	vd_stdin=$work/file expect 2 "--fd: fd 0 is not a DMA-BUF (it is a regular file)" \
		revoke --device 00:04.0 --fd 0
	vd_stdin=$work/file expect 2 "fd 0 is not a DMA-BUF (it is a regular file)" \
		memattr get --device-fd 0 --fd 0
	vd_stdin=$work/file expect 2 "fd 0 is not a DMA-BUF (it is a regular file)" \
		access read --fd 0
	$VFIO_DMABUF_WRAPPER vfio-dmabuf access dump --fd 0 < <(echo data) >"$work/out" 2>"$work/err"
	assertEquals "pipe" 2 $?
	assertContains "$(cat "$work/err")" "fd 0 is not a DMA-BUF (it is a pipe)"
	expect 2 "fd 77 is not open" access read --fd 77
	expect 2 "fd 77 is not open" revoke --device 00:04.0 --fd 77
	vd_stdin=$work/file expect 2 "fd 0 of process" info --fd 0
	expect 2 "--fd: 'x' is not a file descriptor number" access read --fd x
}

test_which_buffer_combinations() {
	expect 2 "which buffer? give --id (with --socket), --fd" revoke
	expect 2 "--fd needs the device that exported the buffer" revoke --fd 0
	expect 2 "--id names a broker's buffer" revoke --id 1 --device 00:04.0
	expect 2 "--device and --device-fd exclude each other" revoke --fd 0 --device 00:04.0 --device-fd 3
	expect 2 "--socket needs --id" memattr get --socket "$work/s" --fd 0
	expect 2 "give one of --id, --fd" access read --id 1 --fd 0
	expect 2 "--bar needs --device or --device-fd" access read --bar 2
	expect 2 "--id: buffer IDs start at 1" revoke --id 0
	expect 2 "missing the memory attribute (nc or wc)" memattr set --id 1
	expect 2 "unknown memory attribute 'uc' (expected nc|wc)" memattr set uc --id 1
	expect 2 "no broker socket: give --socket PATH" memattr set wc --id 1
}

test_access_arguments() {
	expect 2 "--width: 12 bits is not one of 8, 16, 32, 64" access read --fd 0 --width 12
	expect 2 "--offset 0x3 is not aligned to the 32-bit access width" access read --fd 0 --offset 3
	expect 2 "unrecognized option '--pattern'" access read --fd 0 --pattern incr
	expect 2 "unrecognized option '--length'" access write --fd 0 --length 4K --value 1
	expect 2 "missing --pattern" access fill --fd 0
	expect 2 "missing --pattern" access verify --fd 0
	expect 2 "--pattern: unknown pattern 'stripes'" access fill --fd 0 --pattern stripes
	expect 2 "--pattern: 'byte:300': byte:V needs a value 0-255" access fill --fd 0 --pattern byte:300
	expect 2 "give --value or --input" access write --fd 0
	expect 2 "--raw and --json exclude each other" -j access dump --fd 0 --raw
	expect 2 "--length: must not be zero" access dump --fd 0 --length 0
	expect 2 "BAR index 9 out of range" access read --device 00:04.0 --bar 9
	expect 2 "BAR 0 of 0000:00:05.0 is an I/O port BAR" access read --device 00:05.0 --bar 0
}

test_exec_arguments() {
	expect 2 "missing the command to run" exec --id 1
	expect 2 "--id takes the buffer from a broker" exec --id 1 --device 00:04.0 -- true
	expect 2 "--socket needs --id" exec --socket "$work/s" -- true
	expect 2 "which buffer?" exec -- true
	expect 2 "--fd-number: 1 is stdin, stdout or stderr" exec --fd-number 1 --id 1 -- true
	expect 2 "--env-prefix: '9X' is not a variable name" exec --env-prefix 9X --id 1 -- true
	expect 2 "range '0:0' has zero length" exec --device 00:04.0 --bar 2 --range 0:0 -- true
	expect 1 "cannot open VFIO device 0000:00:04.0" exec --device 00:04.0 --bar 2 --range 0:4K -- true
}

test_missing_socket() {
	expect 1 "no broker at $work/none.sock: No such file or directory (is 'vfio-dmabuf serve' running?)" \
		list --socket "$work/none.sock"
	expect 1 "no broker at" revoke --socket "$work/none.sock" --id 1
	expect 1 "no broker at" memattr get --socket "$work/none.sock" --id 1
	expect 1 "no broker at" access read --socket "$work/none.sock" --id 1
	expect 1 "no broker at" exec --socket "$work/none.sock" --id 1 -- true
	expect 1 "no broker at" stop --socket "$work/none.sock"
	expect 1 "no broker at" export --socket "$work/none.sock" --device 00:04.0 --bar 2 --range 0:4K
	VFIO_DMABUF_SOCKET=$work/none.sock expect 1 "no broker at $work/none.sock" list
	expect 2 "no broker socket: give --socket PATH (or set VFIO_DMABUF_SOCKET)" list
	expect 2 "--socket: $work/file is not a socket (a regular file)" list --socket "$work/file"
}

test_probe_shows_bars_from_sysfs() {
	vd -j probe --device 00:05.0
	assertEquals 0 "$rc"
	assertEquals '"io"' "$(jq '.devices[0].bars[0].type' <<<"$out")"
	assertEquals '"e1000e"' "$(jq '.devices[0].driver' <<<"$out")"
	assertEquals 'null' "$(jq '.devices[0].features' <<<"$out")"
	vd -j probe --device 00:04.0 --vfio-mode group 2>/dev/null
	vd -j probe --device 00:06.0
	assertEquals 0 "$rc"
	assertEquals '[1048576]' "$(jq -c '[.devices[0].bars[].size]' <<<"$out")"
	assertEquals "no driver: the kernel was not asked, write-combining unknown" \
		'{"wc":null,"wc_reason":"unknown","memattrs":null}' \
		"$(jq -c '.devices[0].bars[0] | {wc, wc_reason, memattrs}' <<<"$out")"
	vd -j probe --device 00:05.0
	assertEquals "an I/O BAR is never write-combining, whatever the driver" \
		'{"wc":false,"wc_reason":"io-bar","memattrs":null}' \
		"$(jq -c '.devices[0].bars[0] | {wc, wc_reason, memattrs}' <<<"$out")"
	expect 1 "0000:00:05.0 is not bound to vfio-pci: cannot probe its features" \
		probe --device 00:05.0 --require dma_buf_revoke
	expect 2 "--require: unknown feature in 'mmap' (expected dma_buf|dma_buf_revoke|dma_buf_memattr|dma_buf_mmap)" \
		probe --device 00:05.0 --require mmap
	expect 2 "missing --device" probe
	expect 2 "no PCI device 0000:00:07.0" probe --device 00:07.0
}

# ---- documentation agrees with --help --------------------------------------

long_options() {
	grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}

test_every_long_option_is_in_the_man_page_and_completion() {
	local c v opts o
	opts=$(vfio-dmabuf --help | long_options)
	for c in $COMMANDS; do
		opts+=$'\n'$(vfio-dmabuf "$c" --help | long_options)
	done
	for v in $VERBS; do
		opts+=$'\n'$(vfio-dmabuf "${v%%:*}" "${v#*:}" --help | long_options)
	done
	opts=$(sort -u <<<"$opts")
	assertTrue "some options found" "[ $(wc -l <<<"$opts") -gt 30 ]"
	for o in $opts; do
		grep -q -- "${o//-/\\\\-}" "$MAN" || grep -qF -- "$o" "$MAN" ||
			fail "$o is not in man/vfio-dmabuf.1"
		grep -qF -- "$o" "$COMP" || fail "$o is not in completion/vfio-dmabuf"
	done
	for c in $COMMANDS get set read write fill dump verify; do
		grep -q "^\\.B $c\\b\\|^\\.BR $c\\b\\|^\\.TP.*$c\\|^\\\\fB$c\\\\fR\\|\\\\fB$c\\\\fR" "$MAN" ||
			grep -qw "$c" "$MAN" || fail "command $c is not in the man page"
		grep -qw "$c" "$COMP" || fail "command $c is not in the completion"
	done
}

test_man_page_has_the_sections() {
	local s
	for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "JSON OUTPUT" \
		"BROKER PROTOCOL" "EXIT STATUS" ENVIRONMENT EXAMPLES "SEE ALSO"; do
		grep -q "^\\.SH \"\\?$s\"\\?\$" "$MAN" || fail "section $s missing"
	done
	if command -v man >/dev/null && man --help 2>&1 | grep -q -- --warnings; then
		LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$MAN" >/dev/null 2>"$work/manwarn"
		assertEquals "man page renders without warnings" "" "$(cat "$work/manwarn")"
	fi
}

# complete_line LINE: run the completion as bash does for LINE (cursor at
# its end) in a clean shell without the bash-completion package, with
# bash's default COMP_WORDBREAKS: COMP_WORDS split at ':' and '=' too.
# Prints the replies, one per line, sorted.
complete_line() {
	env -i PATH="$PATH" HOME="$work" DU_SYSFS_ROOT="${2-}" bash --norc --noprofile -c '
		. "$1" || exit 90
		COMP_LINE=$2
		COMP_POINT=${#COMP_LINE}
		COMP_WORDBREAKS=$'"'"' \t\n"\x27><=;|&(:'"'"'
		# COMP_WORDS as readline splits them (at blanks, ":" and "=")
		read -r -a COMP_WORDS <<<"$(sed "s/\([:=]\)/ \1 /g" <<<"$2")"
		[[ $2 == *[[:space:]:=] ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		declare -F _init_completion >/dev/null && exit 91
		_vfio_dmabuf vfio-dmabuf "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' sh "$COMP" "$1" | sort
}

test_completion_colons_equals_and_columns() {
	local s=$work/sys
	assertEquals "after the colons of a PCI address: the part readline replaces" "04.0" \
		"$(complete_line "vfio-dmabuf --sysfs-root $s export --device 0000:00:")"
	assertEquals "a partial address" "04.0" \
		"$(complete_line "vfio-dmabuf --sysfs-root $s export --device 0000:00:0")"
	assertEquals "--sysfs-root=DIR is where devices come from" "0000:00:04.0" \
		"$(complete_line "vfio-dmabuf --sysfs-root=$s export --device " /nonexistent)"
	assertEquals "--device=ADDR" "04.0" \
		"$(complete_line "vfio-dmabuf --sysfs-root=$s export --device=0000:00:0" /nonexistent)"
	assertEquals "BARs of --device=ADDR, after --bar=" "0
2" "$(complete_line "vfio-dmabuf --sysfs-root=$s export --device=00:04.0 --bar=" /nonexistent)"
	assertEquals "maps and probe take any device" "0000:00:04.0
0000:00:05.0
0000:00:06.0" "$(complete_line "vfio-dmabuf --sysfs-root $s probe --device ")"
	assertEquals "-o: column names after a comma" "PID,COMMAND" \
		"$(complete_line "vfio-dmabuf maps -o PID,CO")"
	assertEquals "-o +: appended columns" "+ADDRESS" "$(complete_line "vfio-dmabuf maps -o +ADD")"
	assertEquals "--output=: the part after '='" "PID,NAME" \
		"$(complete_line "vfio-dmabuf maps --output=PID,N")"
	assertEquals "info offers no option it rejects" "" \
		"$(complete_line "vfio-dmabuf info --dev")"
	assertEquals "listing options" "--list-columns" "$(complete_line "vfio-dmabuf probe --list-c")"
	assertEquals "probe -o: the write-combining columns" "BAR,WC
BAR,WC-REASON" "$(complete_line "vfio-dmabuf probe -o BAR,WC")"
	assertEquals "probe -o +: MEMATTRS" "+MEMATTRS" "$(complete_line "vfio-dmabuf probe -o +MEM")"
}

test_completion_completes() {
	command -v complete >/dev/null || { skip_test "no bash completion builtins"; return; }
	# shellcheck disable=SC1090
	. "$COMP"
	COMP_WORDS=(vfio-dmabuf ex)
	COMP_CWORD=1
	_vfio_dmabuf
	assertEquals "subcommand" "exec export" "$(echo "${COMPREPLY[@]}" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"
	COMP_WORDS=(vfio-dmabuf export --memattr '')
	COMP_CWORD=3
	_vfio_dmabuf
	assertEquals "memattr values" "nc wc" "${COMPREPLY[*]}"
	COMP_WORDS=(vfio-dmabuf export --device 0000:00:04.0 --bar '')
	COMP_CWORD=5
	_vfio_dmabuf
	assertEquals "memory BARs of the device from sysfs" "0 2" "${COMPREPLY[*]}"
	COMP_WORDS=(vfio-dmabuf export --device '')
	COMP_CWORD=3
	_vfio_dmabuf
	assertEquals "vfio-pci devices from sysfs" "0000:00:04.0" "${COMPREPLY[*]}"
	COMP_WORDS=(vfio-dmabuf memattr '')
	COMP_CWORD=2
	_vfio_dmabuf
	assertEquals "memattr verbs" "get help set" "$(echo "${COMPREPLY[@]}" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"
}

tap_run_shunit2
